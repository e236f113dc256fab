import { describe, expect, it } from 'vitest';
import { reference, ShapeError, ValueError } from '../src/index.js';
import { matmul } from '../src/reference/newtonSchulz.js';
import { random } from './harness/cases.js';

const eye = (n: number) => Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const frob = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));

describe('reference Newton–Schulz', () => {
  it('one step by hand: x(2 − ax)', () => {
    expect(reference.newtonSchulzStep([2], [0.3], 1)[0]).toBeCloseTo(0.3 * (2 - 0.6), 15);
  });

  it.each([2, 3, 4, 5, 6, 7, 8, 9, 10])('order %i: I − X′A = (I − XA)^p', (p) => {
    const rng = random(p);
    const n = 6;
    const { a } = reference.conditioned(rng, n, 10);
    const x = Float64Array.from(a, (_, i) => 0.1 * a[(i % n) * n + Math.floor(i / n)]! + 0.01 * rng.normal());
    const next = reference.newtonSchulzStep(a, x, n, p);
    const r = eye(n).map((v, i) => v - matmul(x, a, n)[i]!);
    let rp: Float64Array = eye(n);
    for (let k = 0; k < p; k++) rp = matmul(rp, r, n);
    const lhs = eye(n).map((v, i) => v - matmul(next, a, n)[i]!);
    expect(maxDiff(lhs, rp)).toBeLessThan(1e-12);
  });

  it('conditioned(): A A⁻¹ = I and the singular values span 1 … 1/κ', () => {
    const { a, inverse, singular } = reference.conditioned(random(1), 9, 1000);
    expect(maxDiff(matmul(a, inverse, 9), eye(9))).toBeLessThan(1e-10);
    expect(singular[0]).toBe(1);
    expect(singular[8]).toBeCloseTo(1e-3, 15);
  });

  it('inverseLU matches the known inverse and refuses a singular matrix', () => {
    const { a, inverse } = reference.conditioned(random(2), 12, 100);
    expect(maxDiff(reference.inverseLU(a, 12), inverse)).toBeLessThan(1e-10);
    expect(() => reference.inverseLU([1, 2, 2, 4], 2)).toThrow(ValueError);
    expect(() => reference.inverseLU([1, 2, 2, 4], 2)).toThrow(/singular/);
  });

  it('newtonSchulzInverse reaches float64 accuracy, in the number of steps the theory gives (±1)', () => {
    const n = 10;
    for (const kappa of [1, 10, 100]) {
      const { a, inverse, singular } = reference.conditioned(random(kappa), n, kappa);
      const r = reference.newtonSchulzInverse(a, n, { tolerance: 1e-10 });
      expect(r.converged).toBe(true);
      expect(frob(r.inverse.map((v, i) => v - inverse[i]!)) / frob(inverse)).toBeLessThan(1e-9);
      const r0 = 1 - r.alpha * singular[n - 1]! ** 2;
      expect(Math.abs(r.iterations - reference.theoryIterations(r0, 1e-10))).toBeLessThanOrEqual(1);
    }
  });

  it('newtonSchulzInverse reports a singular matrix as not converged', () => {
    const r = reference.newtonSchulzInverse([1, 2, 2, 4], 2, { maxIterations: 40 });
    expect(r.converged).toBe(false);
    expect(r.residual).toBeGreaterThanOrEqual(0.99);
  });

  it('theoryIterations: ⌈log2(ln(1/ε) / −ln r0)⌉', () => {
    expect(reference.theoryIterations(0.5, 1e-10)).toBe(6);
    expect(reference.theoryIterations(0.9, 1e-6)).toBe(8);
  });
});

describe('invert options (checked before any GPU work)', async () => {
  const { resolveInvertOptions } = await import('../src/ops/invert.js');
  const small = { batch: 3, n: 8 };
  it('defaults: order 2, not symmetric, fused path for n ≤ 32, no tolerance (float32 floor), 64 steps at most', () => {
    expect(resolveInvertOptions(small, undefined)).toEqual({
      order: 2,
      symmetric: false,
      path: 'fused',
      tolerance: 0,
      maxIterations: 64,
      trips: 65,
    });
    expect(resolveInvertOptions({ batch: 1, n: 32 }, undefined).path).toBe('fused');
    expect(resolveInvertOptions({ batch: 1, n: 33 }, undefined).path).toBe('gemm');
    expect(resolveInvertOptions(small, { path: 'gemm' }).path).toBe('gemm');
  });
  it.each([Number.NaN, Number.POSITIVE_INFINITY, 0, -1e-3])('tolerance %s is refused', (tolerance) => {
    expect(() => resolveInvertOptions(small, { tolerance })).toThrow(/expected tolerance to be a finite number > 0/);
  });
  it.each([0, -1, 1.5, Number.NaN])('maxIterations %s is refused', (maxIterations) => {
    expect(() => resolveInvertOptions(small, { maxIterations })).toThrow(
      /expected maxIterations to be a positive integer/,
    );
  });
  it('trips per dispatch: the whole inversion for small batches, fewer under the work budget, as asked', () => {
    expect(resolveInvertOptions({ batch: 2048, n: 8 }, undefined).trips).toBe(65);
    // 2²⁸ / (4096 · 2 · 32³) = 1 → at least 8
    expect(resolveInvertOptions({ batch: 4096, n: 32 }, undefined).trips).toBe(8);
    expect(resolveInvertOptions({ batch: 256, n: 32 }, undefined).trips).toBe(16);
    expect(resolveInvertOptions(small, { stepsPerDispatch: 3 }).trips).toBe(3);
    expect(resolveInvertOptions(small, { stepsPerDispatch: 100, maxIterations: 10 }).trips).toBe(11);
  });
  it.each([0, -1, 1.5, Number.NaN])('stepsPerDispatch %s is refused', (stepsPerDispatch) => {
    expect(() => resolveInvertOptions(small, { stepsPerDispatch })).toThrow(
      /expected stepsPerDispatch to be a positive integer/,
    );
  });
  it.each([1, 6, 2.5])('order %s is refused', (order) => {
    expect(() => resolveInvertOptions(small, { order })).toThrow(/expected order to be an integer in 2..5/);
  });
  it.each(['Fused', 'tiled', 1])('path %s is refused with a ValueError', (path) => {
    expect(() => resolveInvertOptions(small, { path: path as 'fused' })).toThrow(ValueError);
    expect(() => resolveInvertOptions(small, { path: path as 'fused' })).toThrow(
      /expected path 'fused' or 'gemm', got/,
    );
  });
  it("path 'fused' for n = 33 is refused with a ShapeError", () => {
    expect(() => resolveInvertOptions({ batch: 1, n: 33 }, { path: 'fused' })).toThrow(ShapeError);
    expect(() => resolveInvertOptions({ batch: 1, n: 33 }, { path: 'fused' })).toThrow(
      /expected n ≤ 32 for path 'fused', got n = 33/,
    );
  });
});
