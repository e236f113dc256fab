import reduceSumCode from '../../shaders/reduce_sum.wgsl?raw';
import { wgslConstant } from '../gpu/context.js';
import type { ShaderSpec } from '../gpu/kernel.js';
import type { DispatchStep } from '../gpu/program.js';

export const REDUCE_SUM: ShaderSpec = { label: 'ReduceSum', code: reduceSumCode, entryPoint: 'reduce_sum' };
const WG = wgslConstant(reduceSumCode, 'WG');

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
export function reduceSumStep(s: ReduceSum): DispatchStep {
  return {
    label: s.label,
    spec: REDUCE_SUM,
    constants: {},
    uniform: {
      count: s.count,
      outer: s.outer,
      inner: s.inner,
      outer_stride: s.outerStride,
      row_stride: s.rowStride,
      in_off: s.input[1],
      out_off: s.output[1],
    },
    workgroups: Math.ceil(s.count / WG),
    buffers: { x: s.input[0], out: s.output[0] },
  };
}
