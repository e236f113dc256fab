// Generated from roofline.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "roofline";
  readonly packed: string;
  readonly constants: {
    readonly WG: 256;
    readonly FLOPS_PER_TRIP: 64;
  };
  readonly entryPoints: {
    readonly fma_peak: EntryLayout & {
      readonly name: "fma_peak";
      readonly storage: readonly ["dst"];
      readonly uniformMembers: readonly ["iterations", "count"];
      readonly overrides: readonly [];
    };
    readonly copy: EntryLayout & {
      readonly name: "copy";
      readonly storage: readonly ["src", "dst"];
      readonly uniformMembers: readonly ["iterations", "count"];
      readonly overrides: readonly [];
    };
    readonly empty: EntryLayout & {
      readonly name: "empty";
      readonly storage: readonly [];
      readonly uniformMembers: readonly [];
      readonly overrides: readonly [];
    };
  };
};
export default shader;
