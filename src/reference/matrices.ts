import type { Random } from './random.js';

export interface Conditioned {
  /** A = U diag(s) Vᵀ, n×n row-major. */
  a: Float64Array;
  /** A⁻¹ = V diag(1/s) Uᵀ. */
  inverse: Float64Array;
  /** Singular values, geometric from 1 down to 1/κ. */
  singular: Float64Array;
}

/** A random orthogonal matrix: modified Gram–Schmidt, twice, on Gaussian columns. */
function orthogonal(rng: Random, n: number): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) q[i] = rng.normal();
  for (let c = 0; c < n; c++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += q[r * n + p]! * q[r * n + c]!;
        for (let r = 0; r < n; r++) q[r * n + c]! -= dot * q[r * n + p]!;
      }
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += q[r * n + c]! ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < n; r++) q[r * n + c]! /= norm;
  }
  return q;
}

/** A seeded n×n matrix with condition number κ (singular values 1 … 1/κ, geometric) and its exact inverse. */
export function conditioned(rng: Random, n: number, kappa: number): Conditioned {
  const u = orthogonal(rng, n);
  const v = orthogonal(rng, n);
  const singular = Float64Array.from({ length: n }, (_, i) => (n === 1 ? 1 : kappa ** (-i / (n - 1))));
  const a = new Float64Array(n * n);
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let k = 0; k < n; k++) {
        s += u[i * n + k]! * singular[k]! * v[j * n + k]!;
        t += (v[i * n + k]! * u[j * n + k]!) / singular[k]!;
      }
      a[i * n + j] = s;
      inverse[i * n + j] = t;
    }
  }
  return { a, inverse, singular };
}

/**
 * Seeded logistic-regression data: rows ‖a_i‖ ≤ 1 (uniform radius² in [0, 1]), labels ±1 drawn from a logistic
 * model with w ~ N(0, 4I). With κ > 1, coordinate k of every row is scaled by κ^(−k/(2(d−1))), so the rows'
 * second moment has condition number κ (still ‖a_i‖ ≤ 1); κ = 1 draws exactly what it always did.
 */
export function logisticData(
  rng: Random,
  d: number,
  n: number,
  options: { kappa?: number } = {},
): { a: Float64Array; y: Float64Array } {
  const { kappa = 1 } = options;
  const axis = Float64Array.from({ length: d }, (_, k) => (d === 1 ? 1 : kappa ** (-k / (2 * (d - 1)))));
  const a = new Float64Array(n * d);
  const y = new Float64Array(n);
  const wTrue = Array.from({ length: d }, () => 2 * rng.normal());
  for (let t = 0; t < n; t++) {
    let norm = 0;
    for (let k = 0; k < d; k++) {
      a[t * d + k] = rng.normal();
      norm += a[t * d + k]! ** 2;
    }
    const scale = Math.sqrt(rng.next()) / Math.sqrt(norm);
    let z = 0;
    for (let k = 0; k < d; k++) {
      a[t * d + k]! *= scale * axis[k]!;
      z += wTrue[k]! * a[t * d + k]!;
    }
    y[t] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : -1;
  }
  return { a, y };
}

export interface RidgeData {
  /** n×d, rows are examples. */
  a: Float64Array;
  /** y = A w* + noise·ε. */
  y: Float64Array;
  /** The query row. */
  aTest: Float64Array;
}

/**
 * Seeded ridge-regression data: rows a_t = scale · Q diag(√(κ^(−i/(d−1)))) g_t with Q orthogonal
 * and g_t ~ N(0, I) (covariance of condition number κ), y = A w* + noise·ε with w*, ε, aTest ~ N(0, I).
 */
export function ridgeData(
  rng: Random,
  d: number,
  n: number,
  options: { kappa?: number; noise?: number; scale?: number } = {},
): RidgeData {
  const { kappa = 1, noise = 0.1, scale = 1 } = options;
  const { a: q } = conditioned(rng, d, 1); // orthogonal
  const root = Float64Array.from({ length: d }, (_, i) => scale * Math.sqrt(kappa ** (-i / Math.max(1, d - 1))));
  const a = new Float64Array(n * d);
  for (let t = 0; t < n; t++) {
    const g = Float64Array.from({ length: d }, (_, i) => rng.normal() * root[i]!);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) a[t * d + i]! += q[i * d + j]! * g[j]!;
  }
  const wStar = Float64Array.from({ length: d }, () => rng.normal());
  const y = Float64Array.from({ length: n }, (_, t) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += wStar[i]! * a[t * d + i]!;
    return s + noise * rng.normal();
  });
  const aTest = Float64Array.from({ length: d }, () => rng.normal());
  return { a, y, aTest };
}
