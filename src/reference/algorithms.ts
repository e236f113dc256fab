import { checkValues } from '../shape.js';
import { inverseLU, newtonSchulzStep } from './newtonSchulz.js';

// The algorithms the constructions emulate, in float64, written from their definitions.

/** `steps` Newton–Schulz steps X ← X(2I − AX) from X0 (d×d). */
export function newtonSchulz(
  a: ArrayLike<number>,
  x0: ArrayLike<number>,
  options: { d: number; steps: number },
): Float64Array {
  const { d, steps } = options;
  checkValues('reference.newtonSchulz A', a, d * d);
  checkValues('reference.newtonSchulz X0', x0, d * d);
  let x = Float64Array.from(x0);
  for (let s = 0; s < steps; s++) x = Float64Array.from(newtonSchulzStep(a, x, d));
  return x;
}

/** Ridge prediction aTestᵀ X_T Aᵀ y with X_T = T Newton–Schulz steps on R = AᵀA + μI from X₀ = αR. */
export function ridgeNewton(
  a: ArrayLike<number>,
  y: ArrayLike<number>,
  aTest: ArrayLike<number>,
  options: { d: number; n: number; steps: number; mu: number; alpha: number },
): number {
  const { d, n, steps, mu, alpha } = options;
  checkValues('reference.ridgeNewton A', a, n * d);
  checkValues('reference.ridgeNewton y', y, n);
  checkValues('reference.ridgeNewton aTest', aTest, d);
  const r = gram(a, n, d, mu);
  const x = newtonSchulz(
    r,
    r.map((v) => alpha * v),
    { d, steps },
  );
  const aty = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let k = 0; k < d; k++) aty[k]! += a[t * d + k]! * y[t]!;
  let out = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out += aTest[i]! * x[i * d + j]! * aty[j]!;
  return out;
}

/** The exact ridge prediction aTestᵀ (AᵀA + μI)⁻¹ Aᵀ y, by LU. */
export function ridge(
  a: ArrayLike<number>,
  y: ArrayLike<number>,
  aTest: ArrayLike<number>,
  options: { d: number; n: number; mu: number },
): number {
  const { d, n, mu } = options;
  checkValues('reference.ridge A', a, n * d);
  checkValues('reference.ridge y', y, n);
  checkValues('reference.ridge aTest', aTest, d);
  const inv = inverseLU(gram(a, n, d, mu), d);
  let out = 0;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) for (let t = 0; t < n; t++) out += aTest[i]! * inv[i * d + j]! * a[t * d + j]! * y[t]!;
  return out;
}

/** AᵀA + μI for A n×d (rows are examples). */
export function gram(a: ArrayLike<number>, n: number, d: number, mu: number): Float64Array {
  const r = new Float64Array(d * d);
  for (let t = 0; t < n; t++)
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) r[i * d + j]! += a[t * d + i]! * a[t * d + j]!;
  for (let i = 0; i < d; i++) r[i * d + i]! += mu;
  return r;
}

/**
 * Damped Newton for f(w) = (1/n) Σ log(1 + exp(−y_i wᵀa_i)) + (μ/2)‖w‖², with an exact
 * solve: p_i = 1/(1 + exp(y_i wᵀa_i)), g = −(1/n) Σ y_i p_i a_i + μw,
 * H = (1/n) Σ p_i(1 − p_i) a_i a_iᵀ + μI, λ = √(gᵀH⁻¹g), w ← w − 2√μ/(2√μ + λ) · H⁻¹g.
 */
export function logisticNewton(
  a: ArrayLike<number>,
  y: ArrayLike<number>,
  w0: ArrayLike<number>,
  options: { d: number; n: number; mu: number; steps: number },
): Float64Array {
  const { d, n, mu, steps } = options;
  checkValues('reference.logisticNewton A', a, n * d);
  checkValues('reference.logisticNewton y', y, n);
  checkValues('reference.logisticNewton w0', w0, d);
  const w = Float64Array.from(w0);
  for (let s = 0; s < steps; s++) {
    const { g, h } = logisticGradientHessian(a, y, w, d, n, mu);
    const hInv = inverseLU(h, d);
    const direction = new Float64Array(d);
    for (let k = 0; k < d; k++) for (let l = 0; l < d; l++) direction[k]! += hInv[k * d + l]! * g[l]!;
    let lambda2 = 0;
    for (let k = 0; k < d; k++) lambda2 += g[k]! * direction[k]!;
    const eta = (2 * Math.sqrt(mu)) / (2 * Math.sqrt(mu) + Math.sqrt(lambda2));
    for (let k = 0; k < d; k++) w[k]! -= eta * direction[k]!;
  }
  return w;
}

/** The logistic objective f(w). */
export function logisticLoss(
  a: ArrayLike<number>,
  y: ArrayLike<number>,
  w: ArrayLike<number>,
  d: number,
  n: number,
  mu: number,
): number {
  let f = 0;
  for (let t = 0; t < n; t++) {
    let z = 0;
    for (let k = 0; k < d; k++) z += w[k]! * a[t * d + k]!;
    const m = -y[t]! * z;
    f += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
  }
  let norm = 0;
  for (let k = 0; k < d; k++) norm += w[k]! ** 2;
  return f / n + (mu / 2) * norm;
}

function logisticGradientHessian(
  a: ArrayLike<number>,
  y: ArrayLike<number>,
  w: ArrayLike<number>,
  d: number,
  n: number,
  mu: number,
) {
  const g = new Float64Array(d);
  const h = new Float64Array(d * d);
  for (let t = 0; t < n; t++) {
    let z = 0;
    for (let k = 0; k < d; k++) z += w[k]! * a[t * d + k]!;
    const p = 1 / (1 + Math.exp(y[t]! * z));
    for (let k = 0; k < d; k++) {
      g[k]! -= (y[t]! * p * a[t * d + k]!) / n;
      for (let l = 0; l < d; l++) h[k * d + l]! += (p * (1 - p) * a[t * d + k]! * a[t * d + l]!) / n;
    }
  }
  for (let k = 0; k < d; k++) {
    g[k]! += mu * w[k]!;
    h[k * d + k]! += mu;
  }
  return { g, h };
}

/** Gradient descent on ridge regression from w₀ = 0: w ← w + η((1/n)Aᵀ(y − Aw) − μw); returns aTestᵀ w_T. */
export function gradientDescent(
  a: ArrayLike<number>,
  y: ArrayLike<number>,
  aTest: ArrayLike<number>,
  options: { d: number; n: number; steps: number; eta: number; mu?: number },
): number {
  const { d, n, steps, eta, mu = 0 } = options;
  checkValues('reference.gradientDescent A', a, n * d);
  checkValues('reference.gradientDescent y', y, n);
  checkValues('reference.gradientDescent aTest', aTest, d);
  const w = new Float64Array(d);
  for (let s = 0; s < steps; s++) {
    const grad = new Float64Array(d);
    for (let t = 0; t < n; t++) {
      let r = y[t]!;
      for (let k = 0; k < d; k++) r -= w[k]! * a[t * d + k]!;
      for (let k = 0; k < d; k++) grad[k]! += (r * a[t * d + k]!) / n;
    }
    for (let k = 0; k < d; k++) w[k]! += eta * (grad[k]! - mu * w[k]!);
  }
  let out = 0;
  for (let k = 0; k < d; k++) out += aTest[k]! * w[k]!;
  return out;
}
