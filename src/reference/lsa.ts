import { checkHeads, resolveKeys, type LsaHead, type LsaOptions, type NormParams } from '../layers.js';
import { checkShape, checkValues, type Shape } from '../shape.js';
import { layerNorm } from './layerNorm.js';

export interface ReferenceLsaOptions extends LsaOptions {
  /** Pre-LayerNorm: keys, values and queries read N = LN(H); the residual stays H. */
  norm?: NormParams;
}

/**
 * Float64 LSA layer, written the literal way: per head, values V = W_V H_K, keys
 * K = W_K H_K, queries Q = W_Q H, the K×N attention matrix Kᵀ Q, then V (Kᵀ Q).
 * Deliberately not the associative order the kernels use, so the two are independent.
 *
 * With `norm`, the projections read N = LN(H) instead of H (the residual stays H).
 *
 * h: [B, D, N] row-major (columns are tokens). Returns a new [B, D, N] Float64Array.
 */
export function lsa(h: ArrayLike<number>, shape: Shape, heads: readonly LsaHead[], options: ReferenceLsaOptions = {}): Float64Array {
  checkShape('reference.lsa h', shape, 3);
  const [batch, d, n] = shape as [number, number, number];
  checkValues('reference.lsa h', h, batch * d * n);
  checkHeads('reference.lsa', heads, d);
  const keys = resolveKeys('reference.lsa', options.keys, n);

  const x = options.norm ? layerNorm(h, shape, options.norm) : h;
  const out = Float64Array.from(h);
  const v = new Float64Array(d * keys);
  const k = new Float64Array(d * keys);
  const q = new Float64Array(d * n);
  const att = new Float64Array(keys * n);
  for (let b = 0; b < batch; b++) {
    const base = b * d * n;
    for (const head of heads) {
      project(head.wv, x, base, d, n, keys, v);
      project(head.wk, x, base, d, n, keys, k);
      project(head.wq, x, base, d, n, n, q);
      // att[s, t] = Σ_r K[r, s] Q[r, t]
      att.fill(0);
      for (let r = 0; r < d; r++) {
        for (let s = 0; s < keys; s++) {
          const ks = k[r * keys + s]!;
          for (let t = 0; t < n; t++) att[s * n + t]! += ks * q[r * n + t]!;
        }
      }
      // out[r, t] += Σ_s V[r, s] att[s, t]
      for (let r = 0; r < d; r++) {
        for (let s = 0; s < keys; s++) {
          const vs = v[r * keys + s]!;
          for (let t = 0; t < n; t++) out[base + r * n + t]! += vs * att[s * n + t]!;
        }
      }
    }
  }
  return out;
}

/** dst (D×cols) = W (D×D) · H[:, :cols] for the slice starting at `base`. */
function project(w: ArrayLike<number>, h: ArrayLike<number>, base: number, d: number, n: number, cols: number, dst: Float64Array): void {
  dst.fill(0);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) {
      const wrc = w[r * d + c]!;
      if (wrc === 0) continue;
      for (let t = 0; t < cols; t++) dst[r * cols + t]! += wrc * h[base + c * n + t]!;
    }
  }
}
