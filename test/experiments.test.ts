import { describe, expect, it } from 'vitest';
import { headline, renderMarkdown, type Saved } from '../bench/experiments/render.js';
import { effectiveOrder, summarise } from '../bench/experiments/stats.js';
import { curriculum, initialLsa, logisticTokens, tokens } from '../bench/experiments/train.js';
import * as lib from '../src/index.js';
import { type Layer, reference } from '../src/index.js';
import { random } from '../src/reference/random.js';

describe('experiment statistics', () => {
  it('effectiveOrder interpolates log error between integer orders and flags values outside them', () => {
    const newton = { '2': 1e-1, '3': 1e-3, '4': 1e-6, '5': 1e-10 };
    expect(effectiveOrder(1e-2, newton)).toEqual({ order: 2.5, outside: null });
    expect(effectiveOrder(1e-3, newton).order).toBeCloseTo(3, 12);
    expect(effectiveOrder(1e-8, newton).order).toBeCloseTo(4.5, 12);
    expect(effectiveOrder(1, newton)).toEqual({ order: 2, outside: 'below' });
    expect(effectiveOrder(1e-12, newton)).toEqual({ order: 5, outside: 'above' });
  });

  it('summarise: mean, median and a bootstrap band of the mean that contains the mean', () => {
    const rng = random(5);
    const errors = Array.from({ length: 1001 }, () => rng.normal() ** 2);
    const s = summarise(errors, random(6));
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    expect(s.mean).toBeCloseTo(mean, 12);
    expect(s.median).toBe([...errors].sort((a, b) => a - b)[500]);
    expect(s.p5).toBeLessThan(mean);
    expect(s.p95).toBeGreaterThan(mean);
    // The band of a mean of 1001 χ²₁ draws (sd √2) is about ±1.645 · √2 / √1001 wide.
    expect(s.p95 - s.p5).toBeGreaterThan(0.05);
    expect(s.p95 - s.p5).toBeLessThan(0.25);
  });
});

describe('experiment inputs', () => {
  const d = 3;
  const n = 6;
  const prompt = (rng: ReturnType<typeof random>, dp: number, np: number) => {
    const x = Float64Array.from({ length: np * dp }, () => rng.normal());
    const y = Float64Array.from({ length: np }, () => rng.normal());
    const xq = Float64Array.from({ length: dp }, () => rng.normal());
    return { x, y, xq, yq: 0 };
  };

  it('tokens: dZeros zero rows on top, short prompts zero-padded, the query always the last column', () => {
    const p = prompt(random(1), 2, 4);
    const h = tokens([p], d, n, 2);
    const width = 2 + d + 1;
    const at = (r: number, t: number) => h[r * (n + 1) + t]!;
    expect(h.length).toBe(width * (n + 1));
    for (let t = 0; t <= n; t++) expect([at(0, t), at(1, t)]).toEqual([0, 0]);
    expect(at(2, 1)).toBeCloseTo(p.x[2]!, 6);
    expect(at(3, 3)).toBeCloseTo(p.x[7]!, 6);
    expect(at(4, 1)).toBe(0); // coordinate d' = 2 … d − 1: padding
    expect(at(5, 3)).toBeCloseTo(p.y[3]!, 6);
    for (let t = 4; t < n; t++) for (let r = 0; r < width; r++) expect(at(r, t)).toBe(0);
    expect(at(2, n)).toBeCloseTo(p.xq[0]!, 6);
    expect(at(5, n)).toBe(0);
  });

  it('curriculum: grows from (dStart, nStart) to (d, n) over the first half, monotone', () => {
    const c = curriculum(10, 50, 5, 10);
    expect(c.at(0, 1000)).toEqual({ d: 5, n: 10 });
    expect(c.at(250, 1000)).toEqual({ d: 8, n: 30 });
    expect(c.at(500, 1000)).toEqual({ d: 10, n: 50 });
    expect(c.at(1000, 1000)).toEqual({ d: 10, n: 50 });
    let last = c.at(0, 1000);
    for (let s = 1; s <= 1000; s++) {
      const now = c.at(s, 1000);
      expect(now.d).toBeGreaterThanOrEqual(last.d);
      expect(now.n).toBeGreaterThanOrEqual(last.n);
      last = now;
    }
  });

  it('zero padding is exact for a plain LSA stack and not under LayerNorm (why the LN model gets no curriculum)', () => {
    const rng = random(3);
    const p = prompt(rng, d, 3);
    const short = 3;
    const config = { d, n, layers: 2, heads: 2, batch: 1, steps: 1, learningRate: 0, warmup: 0, seed: 4, every: 1 };
    const plain = initialLsa(lib, config);
    const normed = initialLsa(lib, { ...config, norm: true });
    // Larger weights so the layers matter at float64 precision; a trained norm's bias is not zero
    // (at initialisation it is, and LN(0) = 0 then).
    for (const l of [...plain, ...normed]) {
      if (l.kind !== 'lsa') continue;
      for (const h of l.heads) for (const w of [h.wv, h.wk, h.wq]) for (let i = 0; i < w.length; i++) w[i]! *= 20;
      l.norm?.bias.fill(0.3);
    }
    const query = (layers: Layer[], tokensN: number) => {
      const withKeys = layers.map((l) => (l.kind === 'lsa' ? { ...l, keys: tokensN } : l));
      const out = reference.transformer(tokens([p], d, tokensN), [1, d + 1, tokensN + 1], withKeys);
      return out[d * (tokensN + 1) + tokensN]!;
    };
    const unpadded = query(plain, short);
    expect(Math.abs(unpadded)).toBeGreaterThan(1e-6);
    expect(query(plain, n)).toBeCloseTo(unpadded, 12);
    expect(Math.abs(query(normed, n) - query(normed, short))).toBeGreaterThan(1e-6);
  });

  it('logisticTokens: rows [w (zero); a; y; 1], a read-out column [0; 0; 0; 1]', () => {
    const a = Float64Array.from({ length: 4 * 2 }, (_, i) => i + 1);
    const y = Float64Array.from([1, -1, 1, -1]);
    const h = logisticTokens([{ a, y }], 2, 4);
    const count = 5;
    const at = (r: number, t: number) => h[r * count + t]!;
    expect(h.length).toBe(6 * count);
    expect([at(0, 2), at(1, 2), at(2, 2), at(3, 2), at(4, 2), at(5, 2)]).toEqual([0, 0, 5, 6, 1, 1]);
    expect([0, 1, 2, 3, 4, 5].map((r) => at(r, 4))).toEqual([0, 0, 0, 0, 0, 1]);
  });
});

describe('experiment rendering', () => {
  const e = (mean: number) => ({ mean, median: mean, p5: mean * 0.9, p95: mean * 1.1 });
  const orders = [2, 3, 4, 5, 6, 7, 8, 9, 10];
  // Newton order p after L steps: 10^−(p·L) (made up, monotone in p and L).
  const newton = Object.fromEntries(orders.map((p) => [p, [1, 2].map((l) => e(10 ** -(p * l)))]));
  const model = (layers: number, mean: number, order: number) => ({
    layers,
    testError: e(mean),
    effectiveOrder: { order, outside: null },
    steps: 10,
    msPerStep: 123,
    curve: [{ step: 10, loss: 1 }],
  });
  const fig2: Saved = {
    name: 'fig2',
    generated: 'test',
    scale: { full: false },
    seconds: 60,
    d: 5,
    n: 20,
    prompts: 64,
    maxLayers: 2,
    heads: 2,
    batch: 8,
    stepsPerLayer: 5,
    learningRate: 0.01,
    orders,
    runs: [
      {
        kappa: 5,
        noise: 0,
        newton,
        newtonNormBoundAlpha: { '2': [e(0.5), e(0.4)], '3': [e(0.3), e(0.2)] },
        gd: [e(0.9), e(0.8)],
        lsa: [model(1, 10 ** -2.5, 2.5), model(2, 10 ** -6, 3)],
        lsaLn: [model(1, 10 ** -4, 4), model(2, 10 ** -14, 7)],
      },
    ],
  };

  it('headline: fig2.json carries lsa, lsaLn and Newton orders 2–10 at κ = 5', () => {
    const h = headline('fig2', fig2) as {
      lsa: unknown[];
      lsaLn: { layers: number; testError: number; effectiveOrder: number }[];
      newton: Record<string, number[]>;
    };
    expect(Object.keys(h.newton)).toEqual(orders.map(String));
    expect(h.newton['10']).toEqual([10 ** -10, 10 ** -20]);
    expect(h.lsa).toHaveLength(2);
    expect(h.lsaLn[1]).toEqual({ layers: 2, testError: 1e-14, effectiveOrder: 7, outside: null });
  });

  it('markdown: the LayerNorm model gets its rows and its effective order among orders 2–10', () => {
    const md = renderMarkdown([fig2]);
    expect(md).toContain('| trained LSA + LayerNorm | 1.00e-4');
    expect(md).toContain('| 5 | 0 | LSA + LayerNorm | 2 | 1.00e-14');
    expect(md).toContain('**LSA + LayerNorm, κ = 5, noise 0.** Against the paper');
    expect(md).toContain('L = 2: effective order 7.00');
    expect(md).toContain('integer orders 2–10');
    expect(md).toContain('| Newton order 10 |');
  });

  it('markdown: fig7 places the trained model among damped Newton steps; cost rows and the --full estimate', () => {
    const fig7: Saved = {
      name: 'fig7',
      generated: 'test',
      scale: { full: false },
      seconds: 10,
      d: 5,
      n: 26,
      mu: 0.1,
      prompts: 16,
      nsSteps: 6,
      maxLayers: 1,
      heads: 2,
      hidden: 24,
      batch: 8,
      stepsPerLayer: 5,
      learningRate: 0.005,
      targetSteps: 12,
      optimum: e(0.6),
      newton: [0, 1, 2].map((k) => ({
        step: k,
        layersHere: 14 * k,
        layersPaper: 23 * k,
        loss: e(0.6 + 10 ** -(k + 1)),
        excess: e(10 ** -(k + 1)),
      })),
      lsa: [{ layers: 1, loss: e(0.65), excess: e(0.05), wError: e(0.1), steps: 5, msPerStep: 300, curve: [] }],
    };
    const cost: Saved = {
      name: 'cost',
      generated: 'test',
      scale: { full: false },
      seconds: 5,
      rows: [
        { scale: 'full', kind: 'lsa', layers: 1, batch: 2000, width: 21, tokens: 51, msPerStep: 10_000 },
        { scale: 'full', kind: 'lsaLn', layers: 1, batch: 2000, width: 21, tokens: 51, timed: 2, msPerStep: 12_000 },
        { scale: 'full', kind: 'lsaRelu', layers: 1, batch: 2000, width: 12, tokens: 27, msPerStep: 2_000 },
      ],
    };
    const md = renderMarkdown([fig7, cost]);
    expect(md).toContain('| 1 | 6.50e-1');
    expect(md).toContain('between steps 0 and 1');
    expect(md).toContain('| full | LSA + LayerNorm | 1 | 2000 × 21 × 51 | 2 | 12000 |');
    // 3000 · Σ L² (L ≤ 6, = 91) · (6 · (10 + 12) + 2) s = 36 582 000 s ≈ 423 days.
    expect(md).toContain('about 423 days');
  });
});
