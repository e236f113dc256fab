import { describe, expect, it } from 'vitest';
import { constructions, reference } from '../src/index.js';
import { random } from './harness/cases.js';
import { logisticData } from './harness/logistic.js';

const relErr = reference.relativeError;

function run(
  c: { width: number; tokens: number; layers: Parameters<typeof reference.transformer>[2] },
  h: Float64Array,
): Float64Array {
  return reference.transformer(h, [1, c.width, c.tokens], c.layers);
}

describe('constructions.newtonSchulz (Lemma 4.1) in float64', () => {
  const cases = [1, 2, 5, 8].flatMap((d) =>
    [1, 3, 12].flatMap((steps) => [false, true].map((symmetric) => ({ d, steps, symmetric }))),
  );
  it.each(cases)('d $d, $steps steps, symmetric $symmetric', ({ d, steps, symmetric }) => {
    const rng = random(d * 100 + steps);
    const base = reference.conditioned(rng, d, 5).a;
    const a = symmetric ? reference.gram(base, d, d, 0) : base; // symmetric: AᵀA, κ = 25
    const x0 = reference.initialInverse(a, d);
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
    const x0 = reference.initialInverse(a, d, 0.1);
    const three = constructions.newtonSchulz({ d, steps: 3 });
    const six = constructions.newtonSchulz({ d, steps: 6 });
    const twice = run(three, run(three, three.embed(a, x0)));
    expect(relErr(twice, run(six, six.embed(a, x0)))).toBeLessThanOrEqual(1e-14);
  });
});

/** Seeded regression data: rows of A ~ N(0, I/d), y = A w* + 0.1 ε (see reference.ridgeData). */
const regressionData = (seed: number, d: number, n: number) =>
  reference.ridgeData(random(seed), d, n, { scale: 1 / Math.sqrt(d) });

describe('constructions.ridgeNewton (Theorem 4.2, all tokens as keys) in float64', () => {
  const cases = [1, 2, 5, 8].flatMap((d) =>
    [0, 1, 4, 12].flatMap((steps) => [0, 0.1, 0.5].map((mu) => ({ d, steps, mu }))),
  );
  it.each(cases)('d $d, T $steps, μ $mu', ({ d, steps, mu }) => {
    const n = 2 * d + 3;
    const { a, y, aTest } = regressionData(d * 1000 + steps * 10 + mu * 7, d, n);
    const r = reference.gram(a, n, d, mu);
    // α < 2/λ_max(R)² keeps the iteration convergent; ‖R‖₁ ≥ λ_max, so 1/‖R‖₁² is safe.
    const options = { d, n, steps, mu, alpha: 1 / reference.norm1(r, d) ** 2 };
    const c = constructions.ridgeNewton(options);
    expect(c.layers.length).toBeLessThanOrEqual(3 + steps);
    expect(c.counts.maxHeads).toBeLessThanOrEqual(2);
    expect(c.width).toBeLessThanOrEqual(4 * d + 3);
    // every token is a key, as in the paper: no layer restricts the key range
    expect(c.layers.every((l) => l.kind === 'lsa' && l.keys === undefined)).toBe(true);
    const got = c.readout(run(c, c.embed(a, y, aTest)));
    const want = reference.ridgeNewton(a, y, aTest, options);
    expect(Math.abs(got - want) / Math.max(Math.abs(want), 1e-300)).toBeLessThanOrEqual(1e-12);
  });

  it('with enough steps the prediction is the ridge solution aTestᵀ (AᵀA + μI)⁻¹ Aᵀ y', () => {
    const [d, n, mu] = [5, 20, 0.1];
    const { a, y, aTest } = regressionData(55, d, n);
    const exact = reference.ridge(a, y, aTest, { d, n, mu });
    const c = constructions.ridgeNewton({ d, n, steps: 14, mu, alpha: 0.01 });
    expect(Math.abs(c.readout(run(c, c.embed(a, y, aTest))) - exact)).toBeLessThan(1e-10 * Math.abs(exact));
  });
});

describe('constructions.logisticNewton (Section 5) in float64', () => {
  const [d, n, mu] = [3, 12, 0.1];
  const { a, y } = logisticData(5, d, n);
  const w0 = new Float64Array(d);
  /** ‖w − w_Newton‖/‖w_Newton‖ for the transformer with ReLU accuracy ε, against exact-solve Newton. */
  const error = (epsilon: number, steps: number) => {
    const c = constructions.logisticNewton({ d, n, mu, steps, nsSteps: 10, epsilon });
    const got = c.readout(run(c, c.embed(a, y, w0)));
    return { c, error: relErr(got, reference.logisticNewton(a, y, w0, { d, n, mu, steps })) };
  };

  it.each([1, 2, 3])('ε 1e-6, %i steps, nsSteps 10: layer counts, and within 1e-3 of exact-solve Newton', (steps) => {
    const { c, error: err } = error(1e-6, steps);
    expect(c.layersPerStep).toBe(8 + 10);
    expect(c.layers.length).toBe(steps * c.layersPerStep);
    expect(c.counts.maxHeads).toBeLessThanOrEqual(2);
    expect(err).toBeLessThanOrEqual(1e-3);
  });

  it.each([1, 2, 3])('%i steps: the error shrinks as ε goes 1e-2 → 1e-4 → 1e-6', (steps) => {
    const [e2, e4, e6] = [1e-2, 1e-4, 1e-6].map((epsilon) => error(epsilon, steps).error);
    expect(e4).toBeLessThan(e2!);
    expect(e6).toBeLessThan(e4!);
  });

  it('Newton steps lower the loss toward the optimum', () => {
    const c = constructions.logisticNewton({ d, n, mu, steps: 1, nsSteps: 10, epsilon: 1e-6 });
    let h = c.embed(a, y, w0);
    const losses = [reference.logisticLoss(a, y, w0, d, n, mu)];
    for (let s = 0; s < 4; s++) {
      h = run(c, h); // one Newton step per pass: the output keeps the input format
      losses.push(reference.logisticLoss(a, y, c.readout(h), d, n, mu));
    }
    for (let s = 1; s < losses.length; s++) expect(losses[s]).toBeLessThan(losses[s - 1]!);
    const optimum = reference.logisticLoss(a, y, reference.logisticNewton(a, y, w0, { d, n, mu, steps: 30 }), d, n, mu);
    expect(losses[4]! - optimum).toBeLessThan(1e-6);
  });

  it('each ReLU interpolant is within ε of its function, as the MLP computes it', async () => {
    const { adaptiveKnots, MlpBuilder } = await import('../src/constructions/relu.js');
    const f = (x: number) => 1 / (1 + Math.exp(x));
    const knots = adaptiveKnots(f, -4, 4, 1e-5);
    const layer = new MlpBuilder(3).scalarFunction([[0, 1]], 1, knots, 2).build();
    const xs = Array.from({ length: 2001 }, (_, i) => -5 + (10 * i) / 2000); // past both ends: clamped
    const h = new Float64Array(3 * xs.length);
    xs.forEach((x, t) => {
      h[t] = x;
      h[xs.length + t] = 1; // mask on
    });
    const out = reference.reluMlp(h, [1, 3, xs.length], layer);
    const worst = xs.reduce(
      (m, x, t) => Math.max(m, Math.abs(out[2 * xs.length + t]! - f(Math.min(4, Math.max(-4, x))))),
      0,
    );
    expect(worst).toBeLessThanOrEqual(1e-5);
    // Masked off: nothing is written.
    const off = reference.reluMlp(Float64Array.from([0.5, 0, 0]), [1, 3, 1], layer);
    expect(off[2]).toBe(0);
  });

  it('refuses data outside its domain', () => {
    const c = constructions.logisticNewton({ d: 2, n: 1, mu, steps: 1, nsSteps: 2, epsilon: 1e-2 });
    expect(() => c.embed([1, 1], [1], [0, 0])).toThrow(/‖a_i‖ ≤ 1/);
    expect(() => c.embed([0.5, 0.5], [0], [0, 0])).toThrow(/labels ±1/);
    expect(() => constructions.logisticNewton({ d: 2, n: 1, mu: 0, steps: 1, nsSteps: 2, epsilon: 1e-2 })).toThrow(
      /mu/,
    );
  });
});

describe('constructions.gradientDescent (von Oswald et al. 2023) in float64', () => {
  it.each([1, 2, 5, 8].flatMap((d) => [1, 5, 20].flatMap((steps) => [0, 0.1].map((mu) => ({ d, steps, mu })))))(
    'd $d, $steps steps, μ $mu',
    ({ d, steps, mu }) => {
      const n = 2 * d + 3;
      const { a, y, aTest } = regressionData(d * 31 + steps + mu * 100, d, n);
      const options = { d, n, steps, eta: 0.5, mu };
      const c = constructions.gradientDescent(options);
      expect(c.layers.length).toBe(steps);
      expect(c.counts.maxHeads).toBeLessThanOrEqual(1);
      expect(c.width).toBe(d + 1);
      const got = c.readout(run(c, c.embed(a, y, aTest)));
      const want = reference.gradientDescent(a, y, aTest, options);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
    },
  );

  it('converges to the same ridge prediction as the Newton transformer, but needs far more layers', () => {
    const [d, n, mu] = [5, 20, 0.1];
    const { a, y, aTest } = regressionData(77, d, n);
    const newton = constructions.ridgeNewton({ d, n, steps: 14, mu, alpha: 0.01 });
    const exact = newton.readout(run(newton, newton.embed(a, y, aTest)));
    // Gradient descent minimises (1/2n)‖y − Aw‖² + (μ′/2)‖w‖²: with μ′ = μ/n its minimiser is the
    // same (AᵀA + μI)⁻¹Aᵀy; a safe step is n/‖AᵀA + μI‖₁.
    const eta = n / reference.norm1(reference.gram(a, n, d, mu), d);
    const gd = constructions.gradientDescent({ d, n, steps: 400, eta, mu: mu / n });
    expect(Math.abs(gd.readout(run(gd, gd.embed(a, y, aTest))) - exact)).toBeLessThan(1e-6 * Math.abs(exact));
    const short = constructions.gradientDescent({ d, n, steps: newton.layers.length, eta, mu: mu / n });
    expect(Math.abs(short.readout(run(short, short.embed(a, y, aTest))) - exact)).toBeGreaterThan(
      1e-3 * Math.abs(exact),
    );
  });
});
