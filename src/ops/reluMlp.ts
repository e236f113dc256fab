import { gemm, gemmVariants } from '../gpu/gemm.js';
import type { GemmKernel, Op } from '../gpu/op.js';
import { checkMlp, type MlpLayer, type TokenShape } from '../layers.js';
import { concat, type Fragment, type LayerIo } from './fragment.js';

export const reluMlpOp: Op = { name: 'reluMlp', family: 'forward', variants: gemmVariants };

/**
 * ReLU layer `H + W_2 ReLU(W_1 H + b_1) + b_2` as two GEMMs with fused epilogues:
 *   Z = ReLU(W_1 H + b_1)   [B, F, N]
 *   out = H + W_2 Z + b_2   [B, D, N]
 */
export function reluMlpFragment(gemmKernel: GemmKernel, layer: MlpLayer, shape: TokenShape, io: LayerIo): Fragment {
  const { batch, width: d, tokens: n } = shape;
  checkMlp('reluMlp', layer, d);
  const f = layer.hidden;
  // weights: [W_1 (F×D) | b_1 (F) | W_2 (D×F) | b_2 (D)]
  const offB1 = f * d;
  const offW2 = offB1 + f;
  const offB2 = offW2 + d * f;
  const tokens = { batch: d * n, row: n, col: 1 };
  const hidden = { batch: f * n, row: n, col: 1 };
  const w = io.weights;
  return {
    steps: [
      gemm(
        {
          label: 'hidden',
          m: f,
          n,
          k: d,
          batch,
          a: [w, { batch: 0, row: d, col: 1 }],
          b: [io.input, tokens],
          c: ['hidden', hidden],
          bias: [w, offB1],
          relu: true,
        },
        gemmKernel,
      ),
      gemm(
        {
          label: 'out',
          m: d,
          n,
          k: f,
          batch,
          a: [w, { off: offW2, batch: 0, row: f, col: 1 }],
          b: ['hidden', hidden],
          c: [io.output, tokens],
          bias: [w, offB2],
          residual: io.input,
        },
        gemmKernel,
      ),
    ],
    scratch: { hidden: batch * f * n },
    data: { [w]: concat([layer.w1, layer.b1 ?? new Float32Array(f), layer.w2, layer.b2 ?? new Float32Array(d)]) },
  };
}
