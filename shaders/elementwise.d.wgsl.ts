// Generated from elementwise.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "elementwise";
  readonly code: string;
  readonly constants: {
    readonly WG: 64;
  };
  readonly entryPoints: {
    readonly clip: EntryLayout & {
      readonly name: "clip";
      readonly storage: readonly ["x", "y"];
      readonly uniformMembers: readonly ["count", "limit", "relu"];
      readonly overrides: readonly [];
    };
    readonly mask_backward: EntryLayout & {
      readonly name: "mask_backward";
      readonly storage: readonly ["x", "g", "y"];
      readonly uniformMembers: readonly ["count", "limit", "relu"];
      readonly overrides: readonly [];
    };
  };
};
export default shader;
