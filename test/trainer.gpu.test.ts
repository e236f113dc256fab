import { describe, expect, it } from 'vitest';
import { reference, type Layer } from '../src/index.js';
import { random, tokens, trainingStack } from './harness/cases.js';
import { useGpuPage } from './harness/gpu.js';

type Random = ReturnType<typeof random>;

/**
 * In-context linear regression prompts: columns [x_i; y_i] for i < n, the query [x_q; 0] last;
 * x, w ~ N(0, I), y = wᵀx. Returns tokens [B, d + 1, n + 1] and the query targets y_q [B].
 */
function regression(rng: Random, batch: number, d: number, n: number) {
  const width = d + 1;
  const count = n + 1;
  const h = new Float32Array(batch * width * count);
  const y = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    const w = rng.normals(d);
    for (let t = 0; t < count; t++) {
      let dot = 0;
      for (let r = 0; r < d; r++) {
        const x = rng.normal();
        h[(b * width + r) * count + t] = x;
        dot += w[r]! * x;
      }
      if (t < n) h[(b * width + d) * count + t] = dot;
      else y[b] = dot;
    }
  }
  return { h, y };
}

/** Held-out MSE of the best one-step GD predictor η x_qᵀ Σ y_i x_i (η fitted on these prompts). */
function gradientStepLoss(h: Float32Array, y: Float32Array, d: number, n: number): number {
  const width = d + 1;
  const count = n + 1;
  const pred = Array.from(y, (_, b) => {
    let s = 0;
    for (let r = 0; r < d; r++) {
      let xy = 0;
      for (let t = 0; t < n; t++) xy += h[(b * width + r) * count + t]! * h[(b * width + d) * count + t]!;
      s += h[(b * width + r) * count + n]! * xy;
    }
    return s;
  });
  const eta = pred.reduce((s, p, b) => s + p * y[b]!, 0) / pred.reduce((s, p) => s + p * p, 0);
  return pred.reduce((s, p, b) => s + (eta * p - y[b]!) ** 2, 0) / y.length;
}

/** Held-out MSE of a stack run by the float64 reference (prediction: the query's y-row). */
function modelLoss(layers: Layer[], h: Float32Array, y: Float32Array, d: number, n: number): number {
  const out = reference.transformer(h, [y.length, d + 1, n + 1], layers);
  let s = 0;
  for (let b = 0; b < y.length; b++) s += (out[(b * (d + 1) + d) * (n + 1) + n]! - y[b]!) ** 2;
  return s / y.length;
}

/** Small random LSA stack: one head per layer, entries N(0, scale²). */
function smallLsa(rng: Random, layers: number, d: number, n: number, scale: number): Layer[] {
  const w = d + 1;
  return Array.from({ length: layers }, (): Layer => ({
    kind: 'lsa',
    keys: n,
    heads: [{ wv: rng.normals(w * w, scale), wk: rng.normals(w * w, scale), wq: rng.normals(w * w, scale) }],
  }));
}

describe('runtime.createTrainer', () => {
  const gpu = useGpuPage();
  const [d, n, batch] = [4, 20, 256];

  function trainingData(seed: number, pool: number) {
    const rng = random(seed);
    const batches = Array.from({ length: pool }, () => regression(rng, batch, d, n));
    return { inputs: batches.map((x) => x.h), targets: batches.map((x) => x.y) };
  }
  const held = regression(random(4242), 2048, d, n);
  const gdLoss = gradientStepLoss(held.h, held.y, d, n);

  // [layers, steps, bound as a multiple of the GD predictor's held-out loss]
  it.each([
    [1, 1000, 1.2],
    [3, 500, 1],
  ])('%i-layer LSA, %i Adam steps on in-context linear regression (d 4, n 20): held-out loss below %f × the best one-step GD predictor', async (layers, steps, factor) => {
    const data = trainingData(layers * 17, 32);
    const start = smallLsa(random(layers), layers, d, n, 0.1);
    const r = await gpu().train({
      ...data,
      layers: start,
      shape: { batch, width: d + 1, tokens: n + 1 },
      loss: { kind: 'mse', rows: [d], token: n },
      optimizer: { kind: 'adam', learningRate: 0.01, warmup: 50, decaySteps: steps - 50, clipNorm: 10 },
      steps,
      checkpoints: [0, 100, 300],
    });
    expect(r.validation).toBeNull();
    const trained = r.layers as Layer[];
    const loss = modelLoss(trained, held.h, held.y, d, n);
    console.info(`${layers} layer(s): held-out ${loss.toFixed(4)} vs GD ${gdLoss.toFixed(4)}; train losses ${r.checkpoints.map((c) => c.loss.value?.toFixed(3)).join(' ')} → ${r.finalLoss.value?.toFixed(3)}; ${(r.ms / 1000).toFixed(1)} s`);
    expect(loss).toBeLessThan(factor * gdLoss);
  });
});
