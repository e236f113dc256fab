import { describe, expect, it } from 'vitest';
import { reference, ShapeError, ValueError } from '../src/index.js';
import { heads, mlp, random, tokens } from './harness/cases.js';

/** Plain matrix helpers for an independent check of the reference's associativity. */
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return c;
}
function transpose(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
  return t;
}
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('reference.lsa', () => {
  it('one token, one head, identity weights: h + h³', () => {
    const one = new Float32Array([1]);
    const out = reference.lsa(new Float32Array([2]), [1, 1, 1], [{ wv: one, wk: one, wq: one }]);
    expect(Array.from(out)).toEqual([10]);
  });

  it('two tokens by hand: out = H + (H Hᵀ) H for D = 1', () => {
    const one = new Float64Array([1]);
    const out = reference.lsa(new Float32Array([1, 2]), [1, 1, 2], [{ wv: one, wk: one, wq: one }]);
    expect(Array.from(out)).toEqual([1 + 5 * 1, 2 + 5 * 2]);
  });

  it('agrees with the associative order H + Σ W_V H Hᵀ W_Kᵀ W_Q H to 1e-12', () => {
    const rng = random(3);
    const [d, n] = [5, 7];
    const h = tokens(rng, 1, d, n);
    const hs = heads(rng, 3, d, n);
    let expected = Float64Array.from(h);
    for (const head of hs) {
      const gram = matmul(h, transpose(h, d, n), d, n, d);
      const m = matmul(matmul(matmul(head.wv, gram, d, d, d), transpose(head.wk, d, d), d, d, d), head.wq, d, d, d);
      const mh = matmul(m, h, d, d, n);
      expected = expected.map((v, i) => v + mh[i]!);
    }
    expect(maxDiff(reference.lsa(h, [1, d, n], hs), expected)).toBeLessThan(1e-12);
  });

  it('a key range K: tokens past K are queries only', () => {
    const rng = random(4);
    const [d, n] = [3, 6];
    const h = tokens(rng, 1, d, n);
    const hs = heads(rng, 2, d, n);
    const a = reference.lsa(h, [1, d, n], hs, { keys: 4 });
    const moved = Float32Array.from(h);
    for (let r = 0; r < d; r++) moved[r * n + 5]! += 1; // change the last token (not a key)
    const b = reference.lsa(moved, [1, d, n], hs, { keys: 4 });
    for (let r = 0; r < d; r++) {
      for (let t = 0; t < 5; t++) expect(b[r * n + t]).toBe(a[r * n + t]);
    }
    expect(b[5]).not.toBe(a[5]);
    // ... while with all tokens as keys the change reaches every column.
    const full = reference.lsa(h, [1, d, n], hs);
    const fullMoved = reference.lsa(moved, [1, d, n], hs);
    expect(fullMoved[0]).not.toBe(full[0]);
  });

  it('batch slices are independent', () => {
    const rng = random(5);
    const h = tokens(rng, 3, 4, 5);
    const hs = heads(rng, 2, 4, 5);
    const all = reference.lsa(h, [3, 4, 5], hs);
    const second = reference.lsa(h.subarray(20, 40), [1, 4, 5], hs);
    expect(maxDiff(all.subarray(20, 40), second)).toBe(0);
  });

  it('refuses bad input with typed errors', () => {
    const one = new Float32Array([1]);
    expect(() => reference.lsa(new Float32Array(2), [1, 1, 2], [{ wv: one, wk: one, wq: one }], { keys: 3 })).toThrow(
      ShapeError,
    );
    expect(() => reference.lsa(new Float32Array(2), [1, 2], [{ wv: one, wk: one, wq: one }])).toThrow(/rank 3/);
    expect(() => reference.lsa(new Float32Array([Number.NaN]), [1, 1, 1], [{ wv: one, wk: one, wq: one }])).toThrow(
      ValueError,
    );
  });
});

describe('reference.reluMlp', () => {
  it('by hand: ReLU cuts the negative hidden unit', () => {
    // h = [1, -1] (D = 2, one token); w1 = I, b1 = 0 → z = [1, 0]; w2 = [[1, 1], [2, 3]], b2 = [0, 1]
    const out = reference.reluMlp(new Float32Array([1, -1]), [1, 2, 1], {
      hidden: 2,
      w1: new Float32Array([1, 0, 0, 1]),
      w2: new Float32Array([1, 1, 2, 3]),
      b2: new Float32Array([0, 1]),
    });
    expect(Array.from(out)).toEqual([1 + 1, -1 + 2 + 1]);
  });

  it('refuses hidden that does not match the weights', () => {
    const layer = mlp(random(1), 3, 4, false);
    expect(() => reference.reluMlp(new Float32Array(3), [1, 3, 1], { ...layer, hidden: 5 })).toThrow(
      /w1.*expected 15 values, got 12/,
    );
  });
});

describe('reference.transformer', () => {
  it('is the layers applied in order', () => {
    const rng = random(6);
    const h = tokens(rng, 2, 4, 3);
    const hs = heads(rng, 1, 4, 3);
    const m = mlp(rng, 4, 5, true);
    const stacked = reference.transformer(
      h,
      [2, 4, 3],
      [
        { kind: 'lsa', heads: hs },
        { kind: 'mlp', ...m },
      ],
    );
    const byHand = reference.reluMlp(reference.lsa(h, [2, 4, 3], hs), [2, 4, 3], m);
    expect(maxDiff(stacked, byHand)).toBe(0);
  });

  it('refuses an unknown layer kind', () => {
    expect(() => reference.transformer(new Float32Array(1), [1, 1, 1], [{ kind: 'softmax' } as never])).toThrow(
      /expected kind 'lsa', 'mlp', 'layerNorm' or 'clip', got "softmax"/,
    );
  });
});

describe('reference.compare', () => {
  it('reports RMS-relative, max-abs and the worst index', () => {
    const c = reference.compare([1, 2, 3.5], [1, 2, 3]);
    expect(c.maxAbs).toBe(0.5);
    expect(c.worstIndex).toBe(2);
    expect(c.rmsRelative).toBeCloseTo(0.5 / Math.sqrt(14), 12);
    expect(c.nonFinite).toBe(0);
  });

  it('never lets NaN pass', () => {
    const c = reference.compare([1, Number.NaN, 3], [1, 2, 3]);
    expect(c.nonFinite).toBe(1);
    expect(c.worstIndex).toBe(1);
    expect(c.rmsRelative).toBeNaN();
    expect(c.rmsRelative <= 1e-5).toBe(false);
  });
});

describe('reference.random', () => {
  it('is deterministic per seed', () => {
    expect(Array.from(random(9).normals(5))).toEqual(Array.from(random(9).normals(5)));
    expect(random(9).next()).not.toBe(random(10).next());
  });
});

describe('reference norms, X₀ and ridge', () => {
  it('norm1 is the largest column sum, normInf the largest row sum, safeAlpha 1/(their product)', () => {
    const a = [1, -2, 3, 4, 0, -6, 0.5, 1, 1]; // rows: 6, 10, 2.5; columns: 5.5, 3, 10
    expect(reference.norm1(a, 3)).toBe(10);
    expect(reference.normInf(a, 3)).toBe(10);
    expect(reference.safeAlpha([2, 0, 1, 1], 2)).toBe(1 / (3 * 2));
  });

  it('initialInverse is αAᵀ (α = safeAlpha unless given)', () => {
    const a = [1, 2, 3, 4];
    expect([...reference.initialInverse(a, 2, 2)]).toEqual([2, 6, 4, 8]);
    const alpha = reference.safeAlpha(a, 2);
    expect([...reference.initialInverse(a, 2)]).toEqual([1, 3, 2, 4].map((v) => alpha * v));
  });

  it('ridge solves the normal equations: (AᵀA + μI) w = Aᵀy for w read back through unit queries', () => {
    const [d, n, mu] = [4, 9, 0.3];
    const { a, y } = reference.ridgeData(reference.random(3), d, n, { kappa: 20 });
    const w = Array.from({ length: d }, (_, k) =>
      reference.ridge(
        a,
        y,
        Float64Array.from({ length: d }, (_, i) => +(i === k)),
        { d, n, mu },
      ),
    );
    const r = reference.gram(a, n, d, mu);
    for (let i = 0; i < d; i++) {
      let lhs = 0;
      let rhs = 0;
      for (let j = 0; j < d; j++) lhs += r[i * d + j]! * w[j]!;
      for (let t = 0; t < n; t++) rhs += a[t * d + i]! * y[t]!;
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * Math.max(1, Math.abs(rhs)));
    }
  });

  it('ridgeData rows have the requested covariance condition number (sample estimate, n large)', () => {
    const [d, n, kappa] = [3, 20000, 16];
    const { a } = reference.ridgeData(reference.random(9), d, n, { kappa, noise: 0 });
    const cov = reference.gram(a, n, d, 0).map((v) => v / n);
    // Extreme eigenvalues of the sample covariance by power iteration on it and on its inverse.
    const power = (m: Float64Array) => {
      let v = Float64Array.from([1, 0.5, 0.25]);
      let lambda = 0;
      for (let it = 0; it < 500; it++) {
        const u = new Float64Array(d);
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) u[i]! += m[i * d + j]! * v[j]!;
        lambda = Math.hypot(...u);
        v = u.map((x) => x / lambda);
      }
      return lambda;
    };
    const max = power(cov);
    const min = 1 / power(reference.inverseLU(cov, d));
    expect(max / min).toBeGreaterThan(kappa * 0.9);
    expect(max / min).toBeLessThan(kappa * 1.1);
  });
});
