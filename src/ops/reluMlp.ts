import { gemm } from '../gpu/gemm.js';
import { Program } from '../gpu/program.js';
import type { GpuContext } from '../gpu/context.js';
import { checkMlp, type MlpLayer, type TokenShape } from '../layers.js';
import { checkSizes, uploadWeights, type LayerProgram } from './program.js';

/**
 * ReLU layer `H + W_2 ReLU(W_1 H + b_1) + b_2` as two GEMMs with fused epilogues:
 *   Z = ReLU(W_1 H + b_1)   [B, F, N]
 *   out = H + W_2 Z + b_2   [B, D, N]
 */
export function createReluMlpProgram(ctx: GpuContext, layer: MlpLayer, shape: TokenShape): LayerProgram {
  const label = 'ReluMlp';
  const { batch, width: d, tokens: n } = shape;
  checkMlp('reluMlp', layer, d);
  const f = layer.hidden;
  const scratch = { hidden: batch * f * n };
  checkSizes(ctx, label, scratch);

  // weights: [W_1 (F×D) | b_1 (F) | W_2 (D×F) | b_2 (D)]
  const offB1 = f * d;
  const offW2 = offB1 + f;
  const offB2 = offW2 + d * f;
  const tokens = { batch: d * n, row: n, col: 1 };
  const hidden = { batch: f * n, row: n, col: 1 };
  const program = new Program(ctx, label, [
    gemm({ label: 'hidden', m: f, n, k: d, batch, a: ['weights', { batch: 0, row: d, col: 1 }], b: ['input', tokens], c: ['hidden', hidden], bias: ['weights', offB1], relu: true }, ctx.gemm),
    gemm({ label: 'out', m: d, n, k: f, batch, a: ['weights', { off: offW2, batch: 0, row: f, col: 1 }], b: ['hidden', hidden], c: ['output', tokens], bias: ['weights', offB2], residual: 'input' }, ctx.gemm),
  ]);
  const weights = uploadWeights(ctx, label, [layer.w1, layer.b1 ?? new Float32Array(f), layer.w2, layer.b2 ?? new Float32Array(d)]);
  return {
    label,
    scratch,
    record: (pass, buffers) => program.record(pass, { ...buffers, weights }),
    destroy: () => {
      program.destroy();
      weights.destroy();
    },
  };
}
