import { ShapeError } from '../errors.js';
import { checkValues } from '../shape.js';

// Matrix norms and the Newton–Schulz start they give, for row-major n×n matrices.

function check(what: string, a: ArrayLike<number>, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ShapeError(`${what}: expected n to be a positive integer, got ${n}`);
  checkValues(`${what} (n ${n})`, a, n * n);
}

/** ‖A‖₁: the largest absolute column sum. */
export function norm1(a: ArrayLike<number>, n: number): number {
  check('reference.norm1 a', a, n);
  let max = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a[i * n + j]!);
    max = Math.max(max, s);
  }
  return max;
}

/** ‖A‖∞: the largest absolute row sum. */
export function normInf(a: ArrayLike<number>, n: number): number {
  check('reference.normInf a', a, n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(a[i * n + j]!);
    max = Math.max(max, s);
  }
  return max;
}

/** α = 1/(‖A‖₁‖A‖∞): with it X₀ = αAᵀ always starts Newton–Schulz inside its basin (‖I − AX₀‖₂ < 1). */
export function safeAlpha(a: ArrayLike<number>, n: number): number {
  return 1 / (norm1(a, n) * normInf(a, n));
}

/** X₀ = αAᵀ, the Newton–Schulz starting point; α defaults to `safeAlpha(A)`. */
export function initialInverse(a: ArrayLike<number>, n: number, alpha = safeAlpha(a, n)): Float64Array {
  check('reference.initialInverse a', a, n);
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) x[i * n + j] = alpha * a[j * n + i]!;
  return x;
}
