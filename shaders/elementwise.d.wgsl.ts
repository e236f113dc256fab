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
      readonly uniformMembers: readonly ["count", "limit"];
      readonly overrides: readonly [];
    };
    readonly clip_backward: EntryLayout & {
      readonly name: "clip_backward";
      readonly storage: readonly ["x", "g", "y"];
      readonly uniformMembers: readonly ["count", "limit"];
      readonly overrides: readonly [];
    };
    readonly relu_backward: EntryLayout & {
      readonly name: "relu_backward";
      readonly storage: readonly ["x", "g", "y"];
      readonly uniformMembers: readonly ["count", "limit"];
      readonly overrides: readonly [];
    };
  };
};
export default shader;
