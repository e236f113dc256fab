import { describe, expect, it } from 'vitest';
import { gram, ridge } from '../src/reference/algorithms.js';
import { conditioned, ridgeData } from '../src/reference/matrices.js';
import { random } from '../src/reference/random.js';
import {
  gradientDescentLineSearch,
  newtonRegression,
  newtonRegressionAlpha,
  symmetricEigenvalues,
} from '../src/reference/regression.js';

describe('regression baselines (float64)', () => {
  it('symmetricEigenvalues recovers the spectrum of Q diag(λ) Qᵀ (odd size 7)', () => {
    const n = 7;
    const { a: q } = conditioned(random(3), n, 1); // orthogonal
    const lambda = [-2, -0.5, 0.1, 0.3, 1, 4, 9];
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) a[i * n + j]! += q[i * n + k]! * lambda[k]! * q[j * n + k]!;
    }
    const eig = symmetricEigenvalues(a, n);
    lambda.forEach((l, i) => {
      expect(Math.abs(eig[i]! - l)).toBeLessThan(1e-12);
    });
  });

  const d = 5;
  const n = 20;
  const { a: x, y, aTest: xq } = ridgeData(random(21), d, n, { kappa: 5, noise: 0 });
  // μ = 0: the least-squares prediction xqᵀ S⁻¹ Xᵀy.
  const exact = ridge(x, y, xq, { d, n, mu: 0 });

  it('Newton of order 2–10 from Z₀ = αS converges to the least-squares prediction, in no more steps for higher order', () => {
    const s = gram(x, n, d, 0);
    const alpha = newtonRegressionAlpha(s, d);
    let sxy = 0;
    for (let t = 0; t < n; t++)
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) sxy += xq[i]! * s[i * d + j]! * x[t * d + j]! * y[t]!;
    const stepsTo: number[] = [];
    for (let order = 2; order <= 10; order++) {
      const p = newtonRegression(x, y, xq, { d, n, order, steps: 40 });
      expect(Math.abs(p[0]! - alpha * sxy)).toBeLessThan(1e-12 * Math.abs(alpha * sxy));
      expect(Math.abs(p[40]! - exact)).toBeLessThan(1e-9 * Math.abs(exact));
      stepsTo.push(p.findIndex((v) => Math.abs(v - exact) < 1e-6 * Math.abs(exact)));
    }
    expect(stepsTo[0]!).toBeGreaterThan(stepsTo[8]!);
    for (let i = 1; i < stepsTo.length; i++) expect(stepsTo[i]!).toBeLessThanOrEqual(stepsTo[i - 1]!);
  });

  it('gradient descent with exact line search converges to the least-squares prediction; one step does not', () => {
    const p = gradientDescentLineSearch(x, y, xq, { d, n, steps: 200 });
    expect(p[0]).toBe(0);
    expect(Math.abs(p[200]! - exact)).toBeLessThan(1e-8 * Math.abs(exact));
    expect(Math.abs(p[1]! - exact)).toBeGreaterThan(1e-3 * Math.abs(exact));
  });
});
