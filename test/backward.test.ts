import { describe, expect, it } from 'vitest';
import { reference, type Layer } from '../src/index.js';
import { heads, mlp, random, tokens } from './harness/cases.js';

type Shape = [number, number, number];

/** L = Σ g ⊙ f(h) in float64. */
function loss(out: ArrayLike<number>, g: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i]! * g[i]!;
  return s;
}

/**
 * Central differences of L with respect to every entry of `x` (perturbed in place and restored),
 * compared with `analytic`; returns the largest error relative to the largest gradient entry.
 */
function fdError(x: Float64Array, analytic: ArrayLike<number>, evaluate: () => number, eps = 1e-5): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    const keep = x[i]!;
    x[i] = keep + eps;
    const up = evaluate();
    x[i] = keep - eps;
    const down = evaluate();
    x[i] = keep;
    worst = Math.max(worst, Math.abs((up - down) / (2 * eps) - analytic[i]!));
    scale = Math.max(scale, Math.abs(analytic[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  return worst / scale;
}

const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
const norm = (rng: ReturnType<typeof random>, d: number) => ({ gain: f64(rng.normals(d, 0.5)).map((v) => 1 + v), bias: f64(rng.normals(d, 0.3)) });

/** Every weight array of a layer, in a fixed order, with its gradient twin. */
function pairs(layer: Layer, grad: Layer): [Float64Array, ArrayLike<number>][] {
  const out: [Float64Array, ArrayLike<number>][] = [];
  const add = (w: unknown, g: unknown) => out.push([w as Float64Array, g as ArrayLike<number>]);
  if (layer.kind === 'lsa' && grad.kind === 'lsa') {
    layer.heads.forEach((h, i) => {
      add(h.wv, grad.heads[i]!.wv);
      add(h.wk, grad.heads[i]!.wk);
      add(h.wq, grad.heads[i]!.wq);
    });
    if (layer.norm) {
      add(layer.norm.gain, grad.norm!.gain);
      add(layer.norm.bias, grad.norm!.bias);
    }
  } else if (layer.kind === 'mlp' && grad.kind === 'mlp') {
    add(layer.w1, grad.w1);
    add(layer.w2, grad.w2);
    if (layer.b1) add(layer.b1, grad.b1);
    if (layer.b2) add(layer.b2, grad.b2);
  } else if (layer.kind === 'layerNorm' && grad.kind === 'layerNorm') {
    add(layer.gain, grad.gain);
    add(layer.bias, grad.bias);
  }
  return out;
}

/** A float64 stack of the given pattern: a = LSA, n = LSA with pre-LN, m = ReLU MLP, l = LayerNorm, c = clip. */
function stack(seed: number, d: number, n: number, pattern: string, keys?: number): Layer[] {
  const rng = random(seed);
  return [...pattern].map((c, i): Layer => {
    const hs = heads(rng, 1 + (i % 3), d, n).map((h) => ({ wv: f64(h.wv), wk: f64(h.wk), wq: f64(h.wq) }));
    if (c === 'a') return { kind: 'lsa', heads: hs, ...(keys !== undefined && { keys }) };
    if (c === 'n') return { kind: 'lsa', heads: hs, norm: norm(rng, d), ...(keys !== undefined && { keys }) };
    if (c === 'l') return { kind: 'layerNorm', ...norm(rng, d) };
    if (c === 'c') return { kind: 'clip', limit: 0.8 };
    const m = mlp(rng, d, d + 2, i % 2 === 0);
    return { kind: 'mlp', hidden: m.hidden, w1: f64(m.w1), w2: f64(m.w2), ...(m.b1 && { b1: f64(m.b1), b2: f64(m.b2!) }) };
  });
}

describe('float64 backward vs central finite differences', () => {
  // [B, D, N, keys, pattern]
  const cases: [number, number, number, number | undefined, string][] = [
    [1, 1, 1, undefined, 'a'],
    [2, 5, 7, 6, 'a'],
    [2, 5, 7, undefined, 'n'],
    [3, 4, 5, 3, 'n'],
    [2, 5, 3, undefined, 'm'],
    [2, 6, 4, undefined, 'l'],
    [2, 3, 5, undefined, 'c'],
    [2, 5, 7, 6, 'ncmal'],
  ];
  it.each(cases)('B%i D%i N%i keys %s pattern %s: dL/dh and every dL/dW', (b, d, n, keys, pattern) => {
    const shape: Shape = [b, d, n];
    const rng = random(b * 31 + d * 7 + n);
    const h = f64(tokens(rng, b, d, n));
    const g = f64(tokens(rng, b, d, n));
    const layers = stack(d * 13 + n, d, n, pattern, keys);
    const r = reference.transformerBackward(h, shape, layers, g);
    const evaluate = () => loss(reference.transformer(h, shape, layers), g);
    const errors = [fdError(h, r.input, evaluate)];
    layers.forEach((layer, i) => {
      for (const [w, dw] of pairs(layer, r.layers[i]!)) errors.push(fdError(w, dw, evaluate));
    });
    expect(Math.max(...errors)).toBeLessThan(1e-6);
  });

  it('the single-layer twins agree with transformerBackward on one layer', () => {
    const shape: Shape = [2, 5, 6];
    const rng = random(5);
    const h = f64(tokens(rng, 2, 5, 6));
    const g = f64(tokens(rng, 2, 5, 6));
    const [lsaLayer, mlpLayer, lnLayer] = stack(6, 5, 6, 'nml') as [Extract<Layer, { kind: 'lsa' }>, Extract<Layer, { kind: 'mlp' }>, Extract<Layer, { kind: 'layerNorm' }>];
    const a = reference.lsaBackward(h, shape, lsaLayer.heads, g, { norm: lsaLayer.norm });
    expect(Array.from(a.input)).toEqual(Array.from(reference.transformerBackward(h, shape, [lsaLayer], g).input));
    const m = reference.reluMlpBackward(h, shape, mlpLayer, g);
    expect(Array.from(m.layer.w1)).toEqual(Array.from((reference.transformerBackward(h, shape, [mlpLayer], g).layers[0] as typeof mlpLayer).w1));
    const l = reference.layerNormBackward(h, shape, lnLayer, g);
    expect(Array.from(l.gain)).toEqual(Array.from((reference.transformerBackward(h, shape, [lnLayer], g).layers[0] as typeof lnLayer).gain));
  });

  it('MLP gradients omit absent biases; clip and LayerNorm forward by hand', () => {
    const rng = random(8);
    const layer = stack(9, 3, 2, 'am')[1] as Extract<Layer, { kind: 'mlp' }>;
    const r = reference.reluMlpBackward(f64(tokens(rng, 1, 3, 2)), [1, 3, 2], layer, f64(tokens(rng, 1, 3, 2)));
    expect(r.layer.b1).toBeUndefined();
    expect(r.layer.b2).toBeUndefined();
    expect(Array.from(reference.clip([-3, 0.5, 2], 1))).toEqual([-1, 0.5, 1]);
    // one column [1, 3]: mean 2, variance 1 → x̂ = [−1, 1] / sqrt(1 + 1e-5)
    const ln = reference.layerNorm([1, 3], [1, 2, 1], { gain: [2, 1] as never, bias: [0, 5] as never });
    const s = 1 / Math.sqrt(1 + 1e-5);
    expect(ln[0]).toBeCloseTo(-2 * s, 12);
    expect(ln[1]).toBeCloseTo(5 + s, 12);
  });

  it('LSA with norm keeps H as the residual and reads LN(H) for keys, values and queries', () => {
    const rng = random(12);
    const h = f64(tokens(rng, 1, 4, 5));
    const layer = stack(13, 4, 5, 'n')[0] as Extract<Layer, { kind: 'lsa' }>;
    const n = reference.layerNorm(h, [1, 4, 5], layer.norm!);
    const viaNorm = reference.lsa(n, [1, 4, 5], layer.heads);
    const withNorm = reference.lsa(h, [1, 4, 5], layer.heads, { norm: layer.norm });
    for (let i = 0; i < h.length; i++) expect(withNorm[i]).toBeCloseTo(viaNorm[i]! - n[i]! + h[i]!, 12);
  });
});
