import { describe, expect, it } from 'vitest';
import { type PromptTask, reference } from '../src/index.js';

const at = (t: PromptTask, b: number, r: number, c: number, input: Float64Array) =>
  input[(b * ((t.dZeros ?? 0) + t.d + 1) + r) * (t.n + 1) + c]!;

/** Solves the d×d system a x = rhs by Gaussian elimination with partial pivoting. */
function solve(a: number[][], rhs: number[]): number[] {
  const d = rhs.length;
  const m = a.map((row, i) => [...row, rhs[i]!]);
  for (let k = 0; k < d; k++) {
    const p = m.reduce((best, row, i) => (i >= k && Math.abs(row[k]!) > Math.abs(m[best]![k]!) ? i : best), k);
    [m[k], m[p]] = [m[p]!, m[k]!];
    for (let i = k + 1; i < d; i++) {
      const f = m[i]![k]! / m[k]![k]!;
      for (let j = k; j <= d; j++) m[i]![j]! -= f * m[k]![j]!;
    }
  }
  const x = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let s = m[i]![d]!;
    for (let j = i + 1; j < d; j++) s -= m[i]![j]! * x[j]!;
    x[i] = s / m[i]![i]!;
  }
  return x;
}

describe('reference.promptSampler (float64 twin of the GPU sampler)', () => {
  it.each([1, 2.5, 10])(
    'covariance U S Uᵀ: U orthogonal, eigenvalues λ in [λ_max/κ, λ_max], ratio κ (κ = %s)',
    (kappa) => {
      const task: PromptTask = { kind: 'linear', d: 5, n: 3, batch: 4, seed: 7, kappa };
      const { covariance } = reference.promptSampler(task, 3);
      const d = task.d;
      for (const { u, lambda } of covariance) {
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            let s = 0;
            for (let m = 0; m < d; m++) s += u[m * d + i]! * u[m * d + j]!;
            expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-12);
          }
        }
        // Σ = U diag(λ) Uᵀ, and Σ u_j = λ_j u_j for every column u_j of U.
        const sigma = (r: number, c: number) => lambda.reduce((s, l, m) => s + u[r * d + m]! * l * u[c * d + m]!, 0);
        for (let j = 0; j < d; j++) {
          for (let r = 0; r < d; r++) {
            let s = 0;
            for (let c = 0; c < d; c++) s += sigma(r, c) * u[c * d + j]!;
            expect(Math.abs(s - lambda[j]! * u[r * d + j]!)).toBeLessThan(1e-10 * lambda[0]!);
          }
        }
        const top = Math.max(...lambda);
        const bottom = Math.min(...lambda);
        expect(top).toBe(lambda[0]);
        expect(top).toBeGreaterThanOrEqual(1);
        expect(top).toBeLessThanOrEqual(100);
        expect(top / bottom).toBeCloseTo(kappa, 12);
      }
    },
  );

  it('κ = 1: x / √λ is standard normal (mean and variance over 16 000 draws)', () => {
    const task: PromptTask = { kind: 'linear', d: 4, n: 1999, batch: 2, seed: 3 };
    const { input, covariance } = reference.promptSampler(task, 0);
    let sum = 0;
    let sq = 0;
    let count = 0;
    for (let b = 0; b < task.batch; b++) {
      const scale = Math.sqrt(covariance[b]!.lambda[0]!);
      for (let r = 0; r < task.d; r++) {
        for (let c = 0; c <= task.n; c++) {
          const z = at(task, b, r, c, input) / scale;
          sum += z;
          sq += z * z;
          count++;
        }
      }
    }
    const mean = sum / count;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sq / count - mean * mean - 1)).toBeLessThan(0.08);
  });

  it('linear, no noise: zero rows and query label are 0, and w from the examples predicts the target exactly', () => {
    const task: PromptTask = { kind: 'linear', d: 3, n: 7, batch: 3, seed: 21, dZeros: 2, kappa: 4 };
    const { input, target } = reference.promptSampler(task, 5);
    const { d, n } = task;
    for (let b = 0; b < task.batch; b++) {
      for (let c = 0; c <= n; c++) for (let r = 0; r < 2; r++) expect(at(task, b, r, c, input)).toBe(0);
      expect(at(task, b, 2 + d, n, input)).toBe(0);
      // Least squares on the n examples recovers w exactly (n ≥ d, no noise).
      const x = (c: number, r: number) => at(task, b, 2 + r, c, input);
      const gram = Array.from({ length: d }, (_, i) =>
        Array.from({ length: d }, (_, j) =>
          Array.from({ length: n }, (_, c) => x(c, i) * x(c, j)).reduce((s, v) => s + v),
        ),
      );
      const xy = Array.from({ length: d }, (_, i) =>
        Array.from({ length: n }, (_, c) => x(c, i) * at(task, b, 2 + d, c, input)).reduce((s, v) => s + v),
      );
      const w = solve(gram, xy);
      const prediction = w.reduce((s, wi, i) => s + wi * x(n, i), 0);
      expect(Math.abs(prediction - target[b]!)).toBeLessThan(1e-8 * (1 + Math.abs(target[b]!)));
    }
  });

  it('logistic: every label is sign(w*ᵀx_i) with w* the target; noise perturbs linear labels only by noise·ε', () => {
    const task: PromptTask = { kind: 'logistic', d: 4, n: 9, batch: 3, seed: 99, kappa: 3 };
    const { input, target } = reference.promptSampler(task, 2);
    const { d, n } = task;
    let positive = 0;
    for (let b = 0; b < task.batch; b++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let r = 0; r < d; r++) s += target[b * d + r]! * at(task, b, r, c, input);
        expect(at(task, b, d, c, input)).toBe(s >= 0 ? 1 : -1);
        if (s >= 0) positive++;
      }
    }
    expect(positive).toBeGreaterThan(0);
    expect(positive).toBeLessThan(task.batch * n);
    const clean = reference.promptSampler({ ...task, kind: 'linear' }, 2);
    const noisy = reference.promptSampler({ ...task, kind: 'linear', noise: 0.25 }, 2);
    let diff = 0;
    for (let i = 0; i < clean.input.length; i++) diff = Math.max(diff, Math.abs(clean.input[i]! - noisy.input[i]!));
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(0.25 * 6);
  });

  it('counter-based: the same (seed, step) gives the same prompts; another step or seed gives others', () => {
    const task: PromptTask = { kind: 'linear', d: 2, n: 4, batch: 2, seed: 5 };
    const a = reference.promptSampler(task, 9).input;
    expect(reference.promptSampler(task, 9).input).toEqual(a);
    expect(reference.promptSampler(task, 10).input).not.toEqual(a);
    expect(reference.promptSampler({ ...task, seed: 6 }, 9).input).not.toEqual(a);
  });

  it.each([
    ['non-integer d', { d: 2.5 }, 'ShapeError', 'd to be a positive integer'],
    ['zero n', { n: 0 }, 'ShapeError', 'n to be a positive integer'],
    ['non-integer batch', { batch: 1.5 }, 'ShapeError', 'batch'],
    ['negative dZeros', { dZeros: -1 }, 'ShapeError', 'dZeros'],
    ['κ < 1', { kappa: 0.5 }, 'ValueError', 'kappa ≥ 1'],
    ['negative noise', { noise: -0.1 }, 'ValueError', 'noise ≥ 0'],
    ['unknown kind', { kind: 'quadratic' }, 'ValueError', "kind 'linear' or 'logistic'"],
    ['seed out of range', { seed: 2 ** 32 }, 'ValueError', 'seed'],
  ])('%s: typed error', (_name, change, errorName, words) => {
    const task = { kind: 'linear', d: 2, n: 3, batch: 2, seed: 1, ...change } as PromptTask;
    expect(() => reference.promptSampler(task, 0)).toThrow(expect.objectContaining({ name: errorName }));
    expect(() => reference.promptSampler(task, 0)).toThrow(words);
  });
});
