import { gemm, gemmVariants } from '../gpu/gemm.js';
import type { GemmKernel, Op } from '../gpu/op.js';
import { checkHeads, checkNorm, type LsaHead, type LsaOptions, type NormParams, resolveKeys, type TokenShape } from '../layers.js';
import { concat, type Fragment, type LayerIo } from './fragment.js';
import { LAYER_NORM, layerNormStep } from './layerNorm.js';

export const lsaOp: Op = { name: 'lsa', family: 'forward', variants: (g) => [...gemmVariants(g), LAYER_NORM] };

/**
 * LSA layer `H + Σ_i W_V^i H_K (W_K^i H_K)ᵀ W_Q^i H` in the associative order:
 *   G = H_K H_Kᵀ                  [B, D, D]    O(K·D²), shared by all heads
 *   U_i = W_V^i G                 [B, D, h, D]  (head-interleaved: row r of U is [U_1[r] … U_h[r]])
 *   M = U P = Σ_i U_i P_i           [B, D, D]    (P = [P_1; …; P_h], P_i = W_Kᵀ W_Q folded in float64 at creation)
 *   out = H + M H                 [B, D, N]
 * Four GEMM dispatches whatever the head count; the N×N attention matrix never exists.
 * With `norm`, X = LN(H) goes to scratch first and replaces H in G and in M X (the residual stays H).
 */
export function lsaFragment(
  gemmKernel: GemmKernel,
  heads: readonly LsaHead[],
  shape: TokenShape,
  options: LsaOptions & { norm?: NormParams },
  io: LayerIo,
): Fragment {
  const { batch, width: d, tokens: n } = shape;
  checkHeads('lsa', heads, d);
  const keys = resolveKeys('lsa', options.keys, n);
  const h = heads.length;
  const norm = options.norm;
  if (norm) checkNorm('lsa norm', norm, d);
  const x = norm ? 'normed' : io.input;
  const tokens = { batch: d * n, row: n, col: 1 };
  const square = { batch: d * d, row: d, col: 1 };
  const w = io.weights;
  const steps = [
    ...(norm ? [layerNormStep('norm', shape, { params: w, gain: 2 * h * d * d, bias: 2 * h * d * d + d }, io.input, x)] : []),
    gemm(
      { label: 'gram', m: d, n: d, k: keys, batch, symmetric: true, a: [x, tokens], b: [x, { batch: d * n, row: 1, col: n }], c: ['gram', square] },
      gemmKernel,
    ),
    gemm(
      {
        // slice z = (prompt, head): W_V^i G written head-interleaved, so 'fold' reads U as a plain D × hD matrix
        label: 'mix',
        m: d,
        n: d,
        k: d,
        batch: batch * h,
        inner: h,
        a: [w, { batch: d * d, row: d, col: 1 }],
        b: ['gram', { batch: 0, outer: d * d, row: d, col: 1 }],
        c: ['mixed', { batch: d, outer: h * d * d, row: h * d, col: 1 }],
      },
      gemmKernel,
    ),
    gemm(
      { label: 'fold', m: d, n: d, k: h * d, batch, a: ['mixed', { batch: h * d * d, row: h * d, col: 1 }], b: [w, { off: h * d * d, batch: 0, row: d, col: 1 }], c: ['state', square] },
      gemmKernel,
    ),
    gemm({ label: 'apply', m: d, n, k: d, batch, a: ['state', square], b: [x, tokens], c: [io.output, tokens], residual: io.input }, gemmKernel),
  ];
  return {
    steps,
    scratch: { gram: batch * d * d, mixed: batch * h * d * d, state: batch * d * d, ...(norm && { normed: batch * d * n }) },
    data: { [w]: concat([...heads.map((x) => x.wv), ...heads.map((x) => keyQuery(x, d)), ...(norm ? [norm.gain, norm.bias] : [])]) },
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
