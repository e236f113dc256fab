import { random, type Random } from '../../src/reference/index.js';
import type { LsaHead, MlpLayer } from '../../src/layers.js';

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
