// The page's training view as plain functions of (seed, options): the page trains on the GPU and
// evaluates in float64; the headless test recomputes the evaluation from the same definitions.

import type { Prompt } from '../bench/experiments/train.js';
import { tokens } from '../bench/experiments/train.js';
import { type Layer, reference } from '../src/index.js';

export interface TrainParams {
  seed: number;
  layers: number;
  steps: number;
  kappa: number;
  d: number;
  n: number;
  batch: number;
}

export const TRAIN_DEFAULTS: TrainParams = { seed: 1, layers: 2, steps: 300, kappa: 1, d: 5, n: 20, batch: 128 };
/** Held-out prompts for the per-layer errors. */
export const HELD_OUT = 512;

/** One in-context regression prompt (no noise): rows with covariance of condition number κ. */
export function regressionPrompt(rng: reference.Random, d: number, n: number, kappa: number): Prompt {
  const { a, y } = reference.ridgeData(rng, d, n + 1, { kappa, noise: 0 });
  return { x: a.subarray(0, n * d), y: y.subarray(0, n), xq: a.subarray(n * d), yq: y[n]! };
}

export function heldOut(p: TrainParams): Prompt[] {
  const rng = reference.random(1_000_000 + p.seed);
  return Array.from({ length: HELD_OUT }, () => regressionPrompt(rng, p.d, p.n, p.kappa));
}

/**
 * Mean (ŷ − y_q)²/d over the held-out prompts after each layer of the trained stack (its query's y
 * row read out after layer ℓ), and after ℓ steps of Newton of order 2 and 3 (`reference.newtonRegression`).
 */
export function perLayerErrors(
  p: TrainParams,
  layers: Layer[],
): { lsa: number[]; newton2: number[]; newton3: number[] } {
  const held = heldOut(p);
  const { d, n } = p;
  const shape = [held.length, d + 1, n + 1];
  let h: Float64Array = Float64Array.from(tokens(held, d, n));
  const lsa: number[] = [];
  for (const layer of layers) {
    h = reference.transformer(h, shape, [layer]);
    let s = 0;
    held.forEach((q, b) => {
      s += (h[(b * (d + 1) + d) * (n + 1) + n]! - q.yq) ** 2 / d;
    });
    lsa.push(s / held.length);
  }
  const newton = (order: number) =>
    Array.from({ length: layers.length }, (_, l) => {
      let s = 0;
      for (const q of held)
        s += (reference.newtonRegression(q.x, q.y, q.xq, { d, n, order, steps: l + 1 })[l + 1]! - q.yq) ** 2 / d;
      return s / held.length;
    });
  return { lsa, newton2: newton(2), newton3: newton(3) };
}
