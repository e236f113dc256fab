import { gemm } from '../gpu/gemm.js';
import { Program } from '../gpu/program.js';
import type { GpuContext } from '../gpu/context.js';
import { checkHeads, checkNorm, resolveKeys, type LsaHead, type LsaOptions, type NormParams, type TokenShape } from '../layers.js';
import { layerNormStep } from './layerNorm.js';
import { checkSizes, uploadWeights, type LayerProgram } from './program.js';

/**
 * LSA layer `H + Σ_i W_V^i H_K (W_K^i H_K)ᵀ W_Q^i H` in the associative order:
 *   G = H_K H_Kᵀ                  [B, D, D]    O(K·D²), shared by all heads
 *   U_i = W_V^i G                 [B, h, D, D]
 *   M = Σ_i U_i P_i, P_i = W_Kᵀ W_Q  [B, D, D]   (P_i folded once, in float64, at creation)
 *   out = H + M H                 [B, D, N]
 * Four GEMM dispatches whatever the head count; the N×N attention matrix never exists.
 * With `norm`, X = LN(H) goes to scratch first and replaces H in G and in M X (the residual stays H).
 */
export function createLsaProgram(ctx: GpuContext, heads: readonly LsaHead[], shape: TokenShape, options: LsaOptions & { norm?: NormParams } = {}): LayerProgram {
  const label = 'Lsa';
  const { batch, width: d, tokens: n } = shape;
  checkHeads('lsa', heads, d);
  const keys = resolveKeys('lsa', options.keys, n);
  const h = heads.length;
  const norm = options.norm;
  if (norm) checkNorm('lsa norm', norm, d);
  const x = norm ? 'normed' : 'input';
  const scratch: Record<string, number> = { gram: batch * d * d, mixed: batch * h * d * d, state: batch * d * d };
  if (norm) scratch.normed = batch * d * n;
  checkSizes(ctx, label, scratch);

  const tokens = { batch: d * n, row: n, col: 1 };
  const square = { batch: d * d, row: d, col: 1 };
  const program = new Program(ctx, label, [
    ...(norm ? [layerNormStep('norm', shape, { params: 'weights', gain: 2 * h * d * d, bias: 2 * h * d * d + d }, 'input', x)] : []),
    gemm({ label: 'gram', m: d, n: d, k: keys, batch, symmetric: true, a: [x, tokens], b: [x, { batch: d * n, row: 1, col: n }], c: ['gram', square] }, ctx.gemm),
    gemm({ label: 'mix', m: h * d, n: d, k: d, batch, a: ['weights', { batch: 0, row: d, col: 1 }], b: ['gram', square], c: ['mixed', { batch: h * d * d, row: d, col: 1 }] }, ctx.gemm),
    gemm({
      label: 'fold', m: d, n: d, k: h * d, batch,
      // U viewed as D × hD: column i·D + c of row r is U_i[r, c].
      a: ['mixed', { batch: h * d * d, row: d, col: 1, block: d, blockSkip: d * d - d }],
      b: ['weights', { off: h * d * d, batch: 0, row: d, col: 1 }],
      c: ['state', square],
    }, ctx.gemm),
    gemm({ label: 'apply', m: d, n, k: d, batch, a: ['state', square], b: [x, tokens], c: ['output', tokens], residual: 'input' }, ctx.gemm),
  ]);
  const parts = [...heads.map((w) => w.wv), ...heads.map((w) => keyQuery(w, d)), ...(norm ? [norm.gain, norm.bias] : [])];
  const weights = uploadWeights(ctx, label, parts);
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

/** P = W_Kᵀ W_Q in float64 (D×D row-major). */
function keyQuery(head: LsaHead, d: number): Float64Array {
  const p = new Float64Array(d * d);
  for (let r = 0; r < d; r++) {
    for (let k = 0; k < d; k++) {
      const wk = head.wk[r * d + k]!;
      if (wk === 0) continue;
      for (let c = 0; c < d; c++) p[k * d + c]! += wk * head.wq[r * d + c]!;
    }
  }
  return p;
}
