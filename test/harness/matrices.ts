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

/** A batched matmul case for the page's `matmul` job. */
export interface MatmulCase {
  aShape: number[];
  bShape: number[];
  options?: { transposeA?: boolean; transposeB?: boolean };
}

/** The page's matmul operands for `seed` (the same seeded generator) and their float64 product. */
export function expectedMatmul(c: MatmulCase, seed: number): Float64Array {
  const rng = reference.random(seed);
  const count = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const a = rng.normals(count(c.aShape));
  const b = rng.normals(count(c.bShape));
  return reference.matmul(a, c.aShape, b, c.bShape, c.options);
}

export const matmulId = (c: MatmulCase) =>
  `a${c.aShape.join('x')}${c.options?.transposeA ? 'ᵀ' : ''}-b${c.bShape.join('x')}${c.options?.transposeB ? 'ᵀ' : ''}`;

/**
 * Inputs of one Newton–Schulz step on `b` matrices of n × n (κ 10; SPD when `symmetric`) and its
 * float64 result: X = 0.9·α·Aᵀ (for symmetric A a polynomial in A, as the symmetric option
 * requires), slightly perturbed off the symmetric path so X is a general matrix.
 */
export function nsStepInputs(rng: Random, b: number, n: number, order: number, symmetric: boolean) {
  const mats = symmetric ? Array.from({ length: b }, () => spd(rng, n, 10)) : batchOf(rng, n, Array(b).fill(10)).mats;
  const a = new Float32Array(b * n * n);
  const x = new Float32Array(b * n * n);
  const expected = new Float64Array(b * n * n);
  mats.forEach((m, i) => {
    const xi = Float32Array.from(reference.initialInverse(m, n, 0.9 * reference.safeAlpha(m, n)));
    if (!symmetric) for (let e = 0; e < xi.length; e++) xi[e]! += (1e-3 * rng.normal()) / n;
    a.set(m, i * n * n);
    x.set(xi, i * n * n);
    expected.set(reference.newtonSchulzStep(m, xi, n, order), i * n * n);
  });
  return { a, x, expected };
}

export { relativeError as relativeFrobenius } from '../../src/reference/index.js';
