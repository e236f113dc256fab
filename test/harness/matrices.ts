import { reference } from '../../src/index.js';
import type { Random } from '../../src/reference/index.js';

/** A batch of conditioned matrices as f32 (what the GPU sees), with κ per matrix. */
export function batchOf(rng: Random, n: number, kappas: readonly number[]): { a: Float32Array; mats: Float32Array[] } {
  const a = new Float32Array(kappas.length * n * n);
  const mats = kappas.map((k, i) => {
    const m = Float32Array.from(reference.conditioned(rng, n, k).a);
    a.set(m, i * n * n);
    return m;
  });
  return { a, mats };
}

/** A symmetric positive definite matrix Q diag(s) Qᵀ with eigenvalues 1 … 1/κ. */
export function spd(rng: Random, n: number, kappa: number): Float32Array {
  const { a, singular } = reference.conditioned(rng, n, kappa);
  // Q from the SVD is not exposed; build Q diag(s) Qᵀ from A Aᵀ = U diag(s²) Uᵀ, whose eigenvalues are s².
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * a[j * n + k]!;
      out[i * n + j] = s;
    }
  }
  void singular;
  return symmetrize(out, n);
}

/** Exactly symmetric after f32 rounding. */
export function symmetrize(m: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m[j * n + i] = m[i * n + j]!;
  return m;
}

export { relativeError as relativeFrobenius } from '../../src/reference/index.js';
