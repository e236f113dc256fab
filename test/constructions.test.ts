import { describe, expect, it } from 'vitest';
import { constructions, reference } from '../src/index.js';
import { random } from './harness/cases.js';

const relErr = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num += (x[i]! - y[i]!) ** 2;
    den += y[i]! ** 2;
  }
  return Math.sqrt(num / den);
};

function run(c: { width: number; tokens: number; layers: Parameters<typeof reference.transformer>[2] }, h: Float64Array): Float64Array {
  return reference.transformer(h, [1, c.width, c.tokens], c.layers);
}

describe('constructions.newtonSchulz (Lemma 4.1) in float64', () => {
  const cases = [1, 2, 5, 8].flatMap((d) => [1, 3, 12].flatMap((steps) => [false, true].map((symmetric) => ({ d, steps, symmetric }))));
  it.each(cases)('d $d, $steps steps, symmetric $symmetric', ({ d, steps, symmetric }) => {
    const rng = random(d * 100 + steps);
    const base = reference.conditioned(rng, d, 5).a;
    const a = symmetric ? reference.gram(base, d, d, 0) : base; // symmetric: AᵀA, κ = 25
    const x0 = Float64Array.from({ length: d * d }, (_, k) => reference.safeAlpha(a, d) * a[(k % d) * d + Math.floor(k / d)]!);
    const c = constructions.newtonSchulz({ d, steps, symmetric });
    expect(c.width).toBeLessThanOrEqual(symmetric ? 3 * d : 4 * d);
    expect(c.layers.length).toBe((symmetric ? 1 : 2) * steps);
    expect(c.counts.maxHeads).toBeLessThanOrEqual(2);
    const got = c.readout(run(c, c.embed(a, x0)));
    const want = reference.newtonSchulz(a, x0, { d, steps });
    expect(relErr(got, want)).toBeLessThanOrEqual(1e-12);
  });

  it('stacks: two 3-step transformers equal one 6-step transformer', () => {
    const d = 4;
    const { a } = reference.conditioned(random(4), d, 10);
    const x0 = Float64Array.from({ length: d * d }, (_, k) => 0.1 * a[(k % d) * d + Math.floor(k / d)]!);
    const three = constructions.newtonSchulz({ d, steps: 3 });
    const six = constructions.newtonSchulz({ d, steps: 6 });
    const twice = run(three, run(three, three.embed(a, x0)));
    expect(relErr(twice, run(six, six.embed(a, x0)))).toBeLessThanOrEqual(1e-14);
  });
});

describe('constructions.ridgeNewton (Theorem 4.2) in float64', () => {
  const cases = [1, 2, 5, 8].flatMap((d) => [0, 1, 4, 12].flatMap((steps) => [0, 0.1, 0.5].map((mu) => ({ d, steps, mu }))));
  it.each(cases)('d $d, T $steps, μ $mu', ({ d, steps, mu }) => {
    const n = 2 * d + 3;
    const rng = random(d * 1000 + steps * 10 + mu * 7);
    const a = Float64Array.from({ length: n * d }, () => rng.normal() / Math.sqrt(d));
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const aTest = Float64Array.from({ length: d }, () => rng.normal());
    const r = reference.gram(a, n, d, mu);
    // α < 2/λ_max(R)² keeps the iteration convergent; ‖R‖₁ ≥ λ_max, so 1/‖R‖₁² is safe.
    const norm1 = Math.max(...Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, i) => Math.abs(r[i * d + j]!)).reduce((s, v) => s + v, 0)));
    const options = { d, n, steps, mu, alpha: 1 / norm1 ** 2 };
    const c = constructions.ridgeNewton(options);
    expect(c.layers.length).toBeLessThanOrEqual(3 + steps);
    expect(c.counts.maxHeads).toBeLessThanOrEqual(2);
    expect(c.width).toBeLessThanOrEqual(4 * d + 3);
    const got = c.readout(run(c, c.embed(a, y, aTest)));
    const want = reference.ridgeNewton(a, y, aTest, options);
    expect(Math.abs(got - want) / Math.max(Math.abs(want), 1e-300)).toBeLessThanOrEqual(1e-12);
  });

  it('with enough steps the prediction is the ridge solution aTestᵀ (AᵀA + μI)⁻¹ Aᵀ y', () => {
    const [d, n, mu] = [5, 20, 0.1];
    const rng = random(55);
    const a = Float64Array.from({ length: n * d }, () => rng.normal() / Math.sqrt(d));
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const aTest = Float64Array.from({ length: d }, () => rng.normal());
    const inv = reference.inverseLU(reference.gram(a, n, d, mu), d);
    let exact = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let t = 0; t < n; t++) exact += aTest[i]! * inv[i * d + j]! * a[t * d + j]! * y[t]!;
    const c = constructions.ridgeNewton({ d, n, steps: 14, mu, alpha: 0.01 });
    expect(Math.abs(c.readout(run(c, c.embed(a, y, aTest))) - exact)).toBeLessThan(1e-10 * Math.abs(exact));
  });
});
