import { checkHeads, resolveKeys, type LsaHead } from '../layers.js';
import { checkShape, checkValues, type Shape } from '../shape.js';
import { layerNorm, layerNormBackward } from './layerNorm.js';
import type { ReferenceLsaOptions } from './lsa.js';

export interface LsaGradients {
  /** dL/dh, [B, D, N]. */
  input: Float64Array;
  /** dL/dW per head, summed over the batch. */
  heads: { wv: Float64Array; wk: Float64Array; wq: Float64Array }[];
  norm?: { gain: Float64Array; bias: Float64Array };
}

/**
 * VJP of `lsa` for L = Σ gradOutput ⊙ lsa(h), written the literal way through the K×N attention
 * matrix A = Kᵀ Q (O = H + V A per head): dV = G Aᵀ, dA = Vᵀ G, dK = Q dAᵀ, dQ = K dA, then
 * dW = d(projection) Xᵀ and dX = Σ Wᵀ d(projection) — independent of the kernels' D×D order.
 */
export function lsaBackward(
  h: ArrayLike<number>,
  shape: Shape,
  heads: readonly LsaHead[],
  gradOutput: ArrayLike<number>,
  options: ReferenceLsaOptions = {},
): LsaGradients {
  const what = 'reference.lsaBackward';
  checkShape(`${what} h`, shape, 3);
  const [batch, d, n] = shape as [number, number, number];
  checkValues(`${what} h`, h, batch * d * n);
  checkValues(`${what} gradOutput`, gradOutput, batch * d * n);
  checkHeads(what, heads, d);
  const keys = resolveKeys(what, options.keys, n);

  const x = options.norm ? layerNorm(h, shape, options.norm) : h;
  const dx = new Float64Array(batch * d * n);
  const grads = heads.map(() => ({ wv: new Float64Array(d * d), wk: new Float64Array(d * d), wq: new Float64Array(d * d) }));
  const v = new Float64Array(d * keys);
  const k = new Float64Array(d * keys);
  const q = new Float64Array(d * n);
  const att = new Float64Array(keys * n);
  const dv = new Float64Array(d * keys);
  const dk = new Float64Array(d * keys);
  const dq = new Float64Array(d * n);
  const datt = new Float64Array(keys * n);
  const g = (base: number, r: number, t: number) => gradOutput[base + r * n + t]!;
  for (let b = 0; b < batch; b++) {
    const base = b * d * n;
    heads.forEach((head, i) => {
      project(head.wv, x, base, d, n, keys, v);
      project(head.wk, x, base, d, n, keys, k);
      project(head.wq, x, base, d, n, n, q);
      for (let s = 0; s < keys; s++) {
        for (let t = 0; t < n; t++) {
          let a = 0;
          let da = 0;
          for (let r = 0; r < d; r++) {
            a += k[r * keys + s]! * q[r * n + t]!;
            da += v[r * keys + s]! * g(base, r, t);
          }
          att[s * n + t] = a;
          datt[s * n + t] = da;
        }
      }
      for (let r = 0; r < d; r++) {
        for (let s = 0; s < keys; s++) {
          let sv = 0;
          let sk = 0;
          for (let t = 0; t < n; t++) {
            sv += g(base, r, t) * att[s * n + t]!;
            sk += q[r * n + t]! * datt[s * n + t]!;
          }
          dv[r * keys + s] = sv;
          dk[r * keys + s] = sk;
        }
        for (let t = 0; t < n; t++) {
          let sq = 0;
          for (let s = 0; s < keys; s++) sq += k[r * keys + s]! * datt[s * n + t]!;
          dq[r * n + t] = sq;
        }
      }
      accumulate(grads[i]!.wv, head.wv, dv, x, dx, base, d, n, keys);
      accumulate(grads[i]!.wk, head.wk, dk, x, dx, base, d, n, keys);
      accumulate(grads[i]!.wq, head.wq, dq, x, dx, base, d, n, n);
    });
  }
  const result: LsaGradients = { input: dx, heads: grads };
  if (options.norm) {
    const ln = layerNormBackward(h, shape, options.norm, dx);
    result.input = ln.input;
    result.norm = { gain: ln.gain, bias: ln.bias };
  }
  for (let i = 0; i < result.input.length; i++) result.input[i]! += gradOutput[i]!;
  return result;
}

/** dst (D×cols) = W (D×D) · X[:, :cols] for the slice starting at `base`. */
function project(w: ArrayLike<number>, x: ArrayLike<number>, base: number, d: number, n: number, cols: number, dst: Float64Array): void {
  dst.fill(0);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) {
      const wrc = w[r * d + c]!;
      for (let t = 0; t < cols; t++) dst[r * cols + t]! += wrc * x[base + c * n + t]!;
    }
  }
}

/** For P = W X[:, :cols] with gradient dP: dW += dP X[:, :cols]ᵀ, dX[:, :cols] += Wᵀ dP. */
function accumulate(
  dw: Float64Array,
  w: ArrayLike<number>,
  dp: Float64Array,
  x: ArrayLike<number>,
  dx: Float64Array,
  base: number,
  d: number,
  n: number,
  cols: number,
): void {
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) {
      let s = 0;
      for (let t = 0; t < cols; t++) {
        s += dp[r * cols + t]! * x[base + c * n + t]!;
        dx[base + c * n + t]! += w[r * d + c]! * dp[r * cols + t]!;
      }
      dw[r * d + c]! += s;
    }
  }
}
