// Generated from reduce_sum.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "reduce_sum";
  readonly code: string;
  readonly constants: {
    readonly WG: 64;
  };
  readonly entryPoints: {
    readonly reduce_sum: EntryLayout & {
      readonly name: "reduce_sum";
      readonly storage: readonly ["x", "out"];
      readonly uniformMembers: readonly ["count", "outer", "inner", "outer_stride", "row_stride", "in_off", "out_off"];
      readonly overrides: readonly [];
    };
  };
};
export default shader;
