import { gemm } from '../gpu/gemm.js';
import { Program } from '../gpu/program.js';
import type { GpuContext } from '../gpu/context.js';
import { checkHeads, resolveKeys, type LsaHead, type LsaOptions, type TokenShape } from '../layers.js';
import { checkSizes, uploadWeights, type LayerProgram } from './program.js';

/**
 * LSA layer `H + Σ_i W_V^i H_K (W_K^i H_K)ᵀ W_Q^i H` in the associative order:
 *   G = H_K H_Kᵀ                  [B, D, D]    O(K·D²), shared by all heads
 *   U_i = W_V^i G                 [B, h, D, D]
 *   M = Σ_i U_i P_i, P_i = W_Kᵀ W_Q  [B, D, D]   (P_i folded once, in float64, at creation)
 *   out = H + M H                 [B, D, N]
 * Four GEMM dispatches whatever the head count; the N×N attention matrix never exists.
 */
export function createLsaProgram(ctx: GpuContext, heads: readonly LsaHead[], shape: TokenShape, options: LsaOptions = {}): LayerProgram {
  const label = 'Lsa';
  const { batch, width: d, tokens: n } = shape;
  checkHeads('lsa', heads, d);
  const keys = resolveKeys('lsa', options.keys, n);
  const h = heads.length;
  const scratch = { gram: batch * d * d, mixed: batch * h * d * d, state: batch * d * d };
  checkSizes(ctx, label, scratch);

  const tokens = { batch: d * n, row: n, col: 1 };
  const square = { batch: d * d, row: d, col: 1 };
  const program = new Program(ctx, label, [
    gemm({ label: 'gram', m: d, n: d, k: keys, batch, symmetric: true, a: ['input', tokens], b: ['input', { batch: d * n, row: 1, col: n }], c: ['gram', square] }, ctx.gemm),
    gemm({ label: 'mix', m: h * d, n: d, k: d, batch, a: ['weights', { batch: 0, row: d, col: 1 }], b: ['gram', square], c: ['mixed', { batch: h * d * d, row: d, col: 1 }] }, ctx.gemm),
    gemm({
      label: 'fold', m: d, n: d, k: h * d, batch,
      // U viewed as D × hD: column i·D + c of row r is U_i[r, c].
      a: ['mixed', { batch: h * d * d, row: d, col: 1, block: d, blockSkip: d * d - d }],
      b: ['weights', { off: h * d * d, batch: 0, row: d, col: 1 }],
      c: ['state', square],
    }, ctx.gemm),
    gemm({ label: 'apply', m: d, n, k: d, batch, a: ['state', square], b: ['input', tokens], c: ['output', tokens], residual: 'input' }, ctx.gemm),
  ]);
  const weights = uploadWeights(ctx, label, [...heads.map((x) => x.wv), ...heads.map((x) => keyQuery(x, d))]);
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
