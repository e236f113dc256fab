// Generated from gemm_subgroups.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "gemm_subgroups";
  readonly packed: string;
  readonly constants: {
    readonly F_BIAS: 1;
    readonly F_RELU: 2;
    readonly F_RESIDUAL: 4;
    readonly F_DIAG: 8;
    readonly F_GATE: 16;
    readonly F_SYMMETRIC: 32;
    readonly THREADS: 64;
    readonly LARGE_ROWS: 64;
    readonly LARGE_COLS: 64;
    readonly LARGE_STEPS: 8;
    readonly LARGE_THREADS: 16;
  };
  readonly entryPoints: {
    readonly gemm_direct_large: EntryLayout & {
      readonly name: "gemm_direct_large";
      readonly storage: readonly ["a", "b", "c", "r", "bias", "gate"];
      readonly uniformMembers: readonly ["m", "n", "k", "batch", "tiles_m", "tiles_n", "inner", "a_off", "a_batch", "a_outer", "a_row", "a_col", "b_off", "b_batch", "b_outer", "b_row", "b_col", "c_off", "c_batch", "c_outer", "c_row", "c_col", "bias_off", "alpha", "beta", "gamma", "flags"];
      readonly overrides: readonly ["PLAIN", "RESIDUAL"];
    };
  };
};
export default shader;
