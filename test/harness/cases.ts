import { random, type Random } from '../../src/reference/index.js';
import type { Layer, LsaHead, MlpLayer } from '../../src/layers.js';

/** Token matrices [B, D, N] with N(0, 1) entries. */
export function tokens(rng: Random, batch: number, width: number, count: number): Float32Array {
  return rng.normals(batch * width * count);
}

/**
 * Heads scaled so that ‖Σ W_V G W_Kᵀ W_Q‖ stays O(1) for N(0,1) tokens (G ≈ K·I):
 * each factor ~ (1/√D)·K^(-1/3)/2, so stacks neither blow up nor vanish.
 */
export function heads(rng: Random, count: number, width: number, keys: number): LsaHead[] {
  const scale = 0.5 / Math.sqrt(width) / Math.cbrt(keys);
  return Array.from({ length: count }, () => ({
    wv: rng.normals(width * width, scale),
    wk: rng.normals(width * width, scale),
    wq: rng.normals(width * width, scale),
  }));
}

export function mlp(rng: Random, width: number, hidden: number, biases: boolean): MlpLayer {
  const layer: MlpLayer = {
    hidden,
    w1: rng.normals(hidden * width, 1 / Math.sqrt(width)),
    w2: rng.normals(width * hidden, 0.5 / Math.sqrt(hidden)),
  };
  if (biases) {
    layer.b1 = rng.normals(hidden, 0.5);
    layer.b2 = rng.normals(width, 0.5);
  }
  return layer;
}

export { random };

/** Every weight array of a layer in a fixed order (heads wv, wk, wq; norm; w1, w2, b1, b2; gain, bias). */
export function layerWeights(layer: Layer): ArrayLike<number>[] {
  switch (layer.kind) {
    case 'lsa':
      return [...layer.heads.flatMap((h) => [h.wv, h.wk, h.wq]), ...(layer.norm ? [layer.norm.gain, layer.norm.bias] : [])];
    case 'mlp':
      return [layer.w1, layer.w2, ...(layer.b1 ? [layer.b1] : []), ...(layer.b2 ? [layer.b2] : [])];
    case 'layerNorm':
      return [layer.gain, layer.bias];
    case 'clip':
      return [];
  }
}

/**
 * A stack from a pattern: a = LSA, n = LSA with pre-LN, m = ReLU MLP (biases on even layers),
 * l = LayerNorm, c = clip at ±limit; LSA layers get `heads` heads and key range `keys`.
 */
export function trainingStack(rng: Random, d: number, n: number, pattern: string, options: { heads?: number; keys?: number; limit?: number } = {}): Layer[] {
  const norm = () => ({ gain: rng.normals(d, 0.3).map((v) => 1 + v), bias: rng.normals(d, 0.3) });
  const keys = options.keys !== undefined ? { keys: options.keys } : {};
  return [...pattern].map((c, i): Layer => {
    const hs = () => heads(rng, options.heads ?? 1 + (i % 3), d, options.keys ?? n);
    if (c === 'a') return { kind: 'lsa', heads: hs(), ...keys };
    if (c === 'n') return { kind: 'lsa', heads: hs(), norm: norm(), ...keys };
    if (c === 'l') return { kind: 'layerNorm', ...norm() };
    if (c === 'c') return { kind: 'clip', limit: options.limit ?? 2.5 };
    return { kind: 'mlp', ...mlp(rng, d, 2 * d + 1, i % 2 === 0) };
  });
}
