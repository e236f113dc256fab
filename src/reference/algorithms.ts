import { checkValues } from '../shape.js';
import { matmul, newtonSchulzStep } from './newtonSchulz.js';

// The algorithms the constructions emulate, in float64, written from their definitions.

/** `steps` Newton–Schulz steps X ← X(2I − AX) from X0 (d×d). */
export function newtonSchulz(a: ArrayLike<number>, x0: ArrayLike<number>, options: { d: number; steps: number }): Float64Array {
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
  const x = newtonSchulz(r, r.map((v) => alpha * v), { d, steps });
  const aty = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let k = 0; k < d; k++) aty[k]! += a[t * d + k]! * y[t]!;
  let out = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out += aTest[i]! * x[i * d + j]! * aty[j]!;
  return out;
}

/** AᵀA + μI for A n×d (rows are examples). */
export function gram(a: ArrayLike<number>, n: number, d: number, mu: number): Float64Array {
  const r = new Float64Array(d * d);
  for (let t = 0; t < n; t++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) r[i * d + j]! += a[t * d + i]! * a[t * d + j]!;
  for (let i = 0; i < d; i++) r[i * d + i]! += mu;
  return r;
}

export { matmul };
