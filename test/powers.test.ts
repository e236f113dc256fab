import { describe, expect, it } from 'vitest';
import { lsaPower, lsaTokenDegree, newtonPower, powerMatchingOrder, powersTable } from '../bench/experiments/powers.js';
import type { Layer } from '../src/layers.js';
import { newtonSchulzStep } from '../src/reference/newtonSchulz.js';
import { random } from '../src/reference/random.js';
import { transformer } from '../src/reference/transformer.js';

// Polynomials in one commuting variable s (S's eigenvalue), as coefficient arrays.
const mul = (a: number[], b: number[]) => {
  const c = new Array<number>(a.length + b.length - 1).fill(0);
  a.forEach((x, i) => {
    b.forEach((y, j) => {
      c[i + j]! += x * y;
    });
  });
  return c;
};
const add = (a: number[], b: number[], scale: number) =>
  Array.from({ length: Math.max(a.length, b.length) }, (_, i) => (a[i] ?? 0) + scale * (b[i] ?? 0));
const degree = (a: number[]) => a.reduce((top, c, i) => (c !== 0 ? i : top), -1);
const evaluate = (a: number[], s: number) => a.reduceRight((acc, c) => acc * s + c, 0);
const binomial = (n: number, k: number): number => (k === 0 ? 1 : (binomial(n, k - 1) * (n - k + 1)) / k);

describe('powers', () => {
  it('Newton of order p from Z₀ = αS forms S to the power newtonPower(p, k), matching the float64 step', () => {
    const alpha = 0.5;
    const s = 0.7;
    for (let order = 2; order <= 5; order++) {
      let z = [0, alpha];
      let scalar: Float64Array = Float64Array.of(alpha * s);
      for (let k = 0; k <= 3; k++) {
        expect(degree(z)).toBe(newtonPower(order, k));
        // Past degree ~50 the alternating binomial coefficients cancel too much to evaluate in float64.
        if (k <= 2) expect(Math.abs(evaluate(z, s) - scalar[0]!) / Math.abs(scalar[0]!)).toBeLessThan(1e-9);
        // Z' = Σ_{m<p} (−1)^m C(p, m+1) Z (sZ)^m
        const sz = mul([0, 1], z);
        let term = z;
        let next: number[] = [0];
        for (let m = 0; m < order; m++) {
          next = add(next, term, (m % 2 === 0 ? 1 : -1) * binomial(order, m + 1));
          term = mul(term, sz);
        }
        z = next;
        scalar = newtonSchulzStep([s], scalar, 1, order);
      }
    }
  });

  it('every token entry of L random LSA layers grows as t^(3^L) when the prompt is scaled by t', () => {
    const width = 3;
    const tokens = 5;
    const rng = random(11);
    const weight = () => Float64Array.from(rng.normals(width * width, 0.5));
    const layers: Layer[] = Array.from({ length: 3 }, () => ({
      kind: 'lsa',
      heads: [0, 1].map(() => ({ wv: weight(), wk: weight(), wq: weight() })),
      keys: tokens - 1,
    }));
    const h = Float64Array.from(rng.normals(width * tokens));
    for (let l = 1; l <= 3; l++) {
      const at = (t: number) =>
        transformer(
          h.map((v) => v * t),
          [1, width, tokens],
          layers.slice(0, l),
        );
      const ratio = at(200)[width * tokens - 1]! / at(100)[width * tokens - 1]!;
      expect(Math.log2(ratio)).toBeCloseTo(lsaTokenDegree(l), 3);
    }
  });

  it('the table: LSA forms A^((3^L − 3)/2); Newton after L steps forms S^(2p^L − 1); matching order below 3', () => {
    const rows = powersTable(6, [2, 3]);
    expect(rows.map((r) => r.lsa)).toEqual([0, 3, 12, 39, 120, 363]);
    expect(rows.map((r) => r.newton['2'])).toEqual([3, 7, 15, 31, 63, 127]);
    expect(rows.map((r) => r.newton['3'])).toEqual([5, 17, 53, 161, 485, 1457]);
    for (const r of rows) expect(2 * powerMatchingOrder(r.layers) ** r.layers - 1).toBeCloseTo(lsaPower(r.layers), 9);
    expect(powerMatchingOrder(6)).toBeLessThan(3);
  });
});
