import { ShapeError, ValueError } from '../errors.js';
import { checkValues } from '../shape.js';
import { initialInverse, safeAlpha } from './norms.js';

// Float64 Newton–Schulz on one n×n row-major matrix, written from the definitions:
// X' = X Σ_{m<p} (−1)^m C(p, m+1) (AX)^m, with the powers formed one product at a time.

function check(what: string, a: ArrayLike<number>, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ShapeError(`${what}: expected n to be a positive integer, got ${n}`);
  checkValues(`${what} (n ${n})`, a, n * n);
}

export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j]! += aik * b[k * n + j]!;
    }
  }
  return c;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** One order-p step (p = 2: X(2I − AX)). */
export function newtonSchulzStep(a: ArrayLike<number>, x: ArrayLike<number>, n: number, order = 2): Float64Array {
  check('reference.newtonSchulzStep a', a, n);
  check('reference.newtonSchulzStep x', x, n);
  if (!Number.isInteger(order) || order < 2)
    throw new ValueError(`reference.newtonSchulzStep: expected order ≥ 2, got ${order}`);
  const t = matmul(a, x, n);
  const out = new Float64Array(n * n);
  let power: Float64Array = Float64Array.from(x); // X (AX)^m
  for (let m = 0; m < order; m++) {
    const c = (m % 2 === 0 ? 1 : -1) * binomial(order, m + 1);
    for (let i = 0; i < n * n; i++) out[i]! += c * power[i]!;
    if (m + 1 < order) power = matmul(power, t, n);
  }
  return out;
}

/** ‖I − A X‖_F. */
export function residual(a: ArrayLike<number>, x: ArrayLike<number>, n: number): number {
  const t = matmul(a, x, n);
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += ((i === j ? 1 : 0) - t[i * n + j]!) ** 2;
  return Math.sqrt(s);
}

export interface ReferenceInverse {
  inverse: Float64Array;
  iterations: number;
  residual: number;
  converged: boolean;
  alpha: number;
}

/**
 * Newton–Schulz from X₀ = α Aᵀ, α = 1/(‖A‖₁‖A‖∞), with the GPU's stopping rule: stop when
 * ‖I − AX‖_F ≤ tolerance, or when, below 0.1, a step fails to halve it (the rounding floor);
 * converged when the final residual ≤ tolerance (0.1 without one).
 */
export function newtonSchulzInverse(
  a: ArrayLike<number>,
  n: number,
  options: { tolerance?: number; maxIterations?: number; order?: number } = {},
): ReferenceInverse {
  check('reference.newtonSchulzInverse a', a, n);
  const { tolerance = 0, maxIterations = 64, order = 2 } = options;
  const alpha = safeAlpha(a, n);
  let x = initialInverse(a, n, alpha);
  let previous = Number.MAX_VALUE;
  let iterations = 0;
  let res = residual(a, x, n);
  while (true) {
    if (!Number.isFinite(res)) break;
    if (res === 0 || (tolerance > 0 && res <= tolerance)) break;
    if (previous < 0.1 && res > 0.5 * previous) break;
    if (iterations === maxIterations) break;
    x = newtonSchulzStep(a, x, n, order);
    iterations++;
    previous = res;
    res = residual(a, x, n);
  }
  const accept = tolerance > 0 ? tolerance : 0.1;
  return { inverse: x, iterations, residual: res, converged: Number.isFinite(res) && res <= accept, alpha };
}

/** Exact inverse by LU with partial pivoting; a singular matrix throws. */
export function inverseLU(a: ArrayLike<number>, n: number): Float64Array {
  check('reference.inverseLU a', a, n);
  const lu = Float64Array.from(a as ArrayLike<number>);
  const perm = Array.from({ length: n }, (_, i) => i);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(lu[i]!));
  for (let k = 0; k < n; k++) {
    let pivot = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]!) > Math.abs(lu[pivot * n + k]!)) pivot = i;
    if (!(Math.abs(lu[pivot * n + k]!) > scale * n * Number.EPSILON)) {
      throw new ValueError(`reference.inverseLU: the matrix is singular (pivot ${lu[pivot * n + k]} in column ${k})`);
    }
    if (pivot !== k) {
      for (let j = 0; j < n; j++) [lu[k * n + j], lu[pivot * n + j]] = [lu[pivot * n + j]!, lu[k * n + j]!];
      [perm[k], perm[pivot]] = [perm[pivot]!, perm[k]!];
    }
    for (let i = k + 1; i < n; i++) {
      lu[i * n + k]! /= lu[k * n + k]!;
      const f = lu[i * n + k]!;
      for (let j = k + 1; j < n; j++) lu[i * n + j]! -= f * lu[k * n + j]!;
    }
  }
  // Solve L U X = P I column by column.
  const inv = new Float64Array(n * n);
  const y = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) {
      let s = perm[i] === c ? 1 : 0;
      for (let j = 0; j < i; j++) s -= lu[i * n + j]! * y[j]!;
      y[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let j = i + 1; j < n; j++) s -= lu[i * n + j]! * inv[j * n + c]!;
      inv[i * n + c] = s / lu[i * n + i]!;
    }
  }
  return inv;
}

/** Steps for ‖R‖₂ to fall from r0 below ε when it squares each step: ⌈log2(ln(1/ε) / −ln r0)⌉. */
export function theoryIterations(r0: number, epsilon: number): number {
  return Math.max(0, Math.ceil(Math.log2(Math.log(1 / epsilon) / -Math.log(r0))));
}
