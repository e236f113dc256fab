import { checkValues } from '../shape.js';
import { gram } from './algorithms.js';
import { newtonSchulzStep } from './newtonSchulz.js';

// The baselines of the paper's in-context linear regression experiments (Section 6), in float64:
// Newton–Schulz of order p on S = XᵀX from Z₀ = αSᵀ, and gradient descent with exact line search.

/** Eigenvalues of a symmetric n×n matrix, ascending (cyclic Jacobi rotations). */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): Float64Array {
  checkValues('reference.symmetricEigenvalues a', a, n * n);
  const m = Float64Array.from(a as ArrayLike<number>);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        total += m[i * n + j]! ** 2;
        if (i !== j) off += m[i * n + j]! ** 2;
      }
    }
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        // Rotation zeroing (p, q): t = tan θ, the smaller root of t² + 2τt − 1 = 0.
        const tau = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]!;
          const mkq = m[k * n + q]!;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]!;
          const mqk = m[q * n + k]!;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => m[i * n + i]!).sort();
}

function check(what: string, x: ArrayLike<number>, y: ArrayLike<number>, xq: ArrayLike<number>, d: number, n: number) {
  checkValues(`${what} X (n ${n} × d ${d})`, x, n * d);
  checkValues(`${what} y (n ${n})`, y, n);
  checkValues(`${what} xq (d ${d})`, xq, d);
}

/** Xᵀy for X n×d. */
function xty(x: ArrayLike<number>, y: ArrayLike<number>, d: number, n: number): Float64Array {
  const b = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let k = 0; k < d; k++) b[k]! += x[t * d + k]! * y[t]!;
  return b;
}

/** The paper's step size for Z₀ = αSᵀ: α = 1/(λ_max(SSᵀ) + λ_min(SSᵀ)), S symmetric so λ(SSᵀ) = λ(S)². */
export function newtonRegressionAlpha(s: ArrayLike<number>, d: number): number {
  const eig = symmetricEigenvalues(s, d);
  return 1 / (eig[d - 1]! ** 2 + eig[0]! ** 2);
}

/**
 * Predictions x_qᵀ Z_k Xᵀy for k = 0..steps, Z_k = k order-p Newton–Schulz steps on S = XᵀX from
 * Z₀ = αSᵀ (α defaults to `newtonRegressionAlpha`).
 */
export function newtonRegression(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  xq: ArrayLike<number>,
  options: { d: number; n: number; order: number; steps: number; alpha?: number },
): Float64Array {
  const { d, n, order, steps } = options;
  check('reference.newtonRegression', x, y, xq, d, n);
  const s = gram(x, n, d, 0);
  const alpha = options.alpha ?? newtonRegressionAlpha(s, d);
  const b = xty(x, y, d, n);
  let z: Float64Array = s.map((v) => alpha * v); // S is symmetric: αSᵀ = αS
  const out = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) {
    let p = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) p += xq[i]! * z[i * d + j]! * b[j]!;
    out[k] = p;
    if (k < steps) z = newtonSchulzStep(s, z, d, order);
  }
  return out;
}

/**
 * Predictions x_qᵀ w_k for k = 0..steps of gradient descent on ½‖Xw − y‖² from w₀ = 0 with exact
 * line search: g = Xᵀ(Xw − y), w ← w − (gᵀg / gᵀSg) g.
 */
export function gradientDescentLineSearch(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  xq: ArrayLike<number>,
  options: { d: number; n: number; steps: number },
): Float64Array {
  const { d, n, steps } = options;
  check('reference.gradientDescentLineSearch', x, y, xq, d, n);
  const s = gram(x, n, d, 0);
  const b = xty(x, y, d, n);
  const w = new Float64Array(d);
  const out = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) {
    let p = 0;
    for (let i = 0; i < d; i++) p += xq[i]! * w[i]!;
    out[k] = p;
    if (k === steps) break;
    const g = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let sw = 0;
      for (let j = 0; j < d; j++) sw += s[i * d + j]! * w[j]!;
      g[i] = sw - b[i]!;
    }
    let gg = 0;
    let gsg = 0;
    for (let i = 0; i < d; i++) {
      gg += g[i]! ** 2;
      for (let j = 0; j < d; j++) gsg += g[i]! * s[i * d + j]! * g[j]!;
    }
    if (!(gsg > 0)) {
      out.fill(p, k + 1);
      break;
    }
    for (let i = 0; i < d; i++) w[i]! -= (gg / gsg) * g[i]!;
  }
  return out;
}
