import reduceSumShader from '../../shaders/reduce_sum.wgsl';
import { type Step, step, variant } from '../gpu/op.js';

export const REDUCE_SUM = variant(reduceSumShader, reduceSumShader.entryPoints.reduce_sum);

export interface ReduceSum {
  label: string;
  /** Output elements. */
  count: number;
  /** Terms j (stride `outerStride`) and t (stride 1) summed per output element i (stride `rowStride`). */
  outer: number;
  inner: number;
  outerStride: number;
  rowStride: number;
  input: readonly [string, number];
  output: readonly [string, number];
}

/** `out[i] = Σ_j Σ_t in[j·outerStride + i·rowStride + t]`, in a fixed order (bitwise reproducible). */
export function reduceSumStep(s: ReduceSum): Step {
  return step({
    label: s.label,
    variant: REDUCE_SUM,
    uniform: {
      count: s.count,
      outer: s.outer,
      inner: s.inner,
      outer_stride: s.outerStride,
      row_stride: s.rowStride,
      in_off: s.input[1],
      out_off: s.output[1],
    },
    invocations: s.count,
    buffers: { x: s.input[0], out: s.output[0] },
  });
}
