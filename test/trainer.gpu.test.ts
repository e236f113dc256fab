import { describe, expect, it } from 'vitest';
import { reference, type Layer } from '../src/index.js';
import { layerWeights, random, tokens, trainingStack } from './harness/cases.js';
import { expectClose, useGpuPage } from './harness/gpu.js';

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

describe('trainer steps: one submit, no readback, non-finite steps skipped', () => {
  const gpu = useGpuPage();
  const [d, n, batch] = [4, 6, 8];
  const shape = { batch, width: d + 1, tokens: n + 1 };
  const loss = { kind: 'mse', rows: [d], token: n } as const;

  it('a NaN in the input leaves the weights unchanged and makes loss() reject; loss() rejects before any step', async () => {
    const rng = random(31);
    const data = regression(rng, batch, d, n);
    const nanInput = Float32Array.from(data.h);
    nanInput[3] = Number.NaN;
    const r = await gpu().train({
      inputs: [data.h], targets: [data.y], nanInput, nanAt: [2],
      layers: smallLsa(random(32), 2, d, n, 0.3), shape, loss,
      optimizer: { kind: 'adam', learningRate: 0.01 },
      steps: 4, checkpoints: [1, 2, 3], snapshots: true,
    });
    expect(r.validation).toBeNull();
    expect(r.before.error?.name).toBe('ValueError');
    expect(r.submits).toBe(4);
    expect(r.maps).toBe(0);
    const [afterGood, afterNaN, afterNext] = r.checkpoints;
    expect(Number.isFinite(afterGood!.loss.value)).toBe(true);
    expect(afterNaN!.loss.error?.name).toBe('ValueError');
    expect(afterNaN!.loss.error?.message).toMatch(/finite/);
    expect(Number.isFinite(afterNext!.loss.value)).toBe(true);
    const flat = (layers: unknown[]) => (layers as Layer[]).flatMap((l) => (l.kind === 'lsa' ? l.heads.flatMap((h) => [...h.wv, ...h.wk, ...h.wq]) : []));
    const [w1, w2, w3] = r.snapshots.map(flat);
    expect(w2).toEqual(w1);
    expect(w3).not.toEqual(w2);
  });

  it('one SGD step moves every weight by −lr · dL/dW of the float64 backward, and loss() is the float64 MSE', async () => {
    const rng = random(41);
    const data = regression(rng, batch, d, n);
    const layers = trainingStack(rng, d + 1, n + 1, 'ncml', { heads: 2, keys: n });
    const lr = 1;
    const r = await gpu().train({
      inputs: [data.h], targets: [data.y], layers, shape, loss, optimizer: { kind: 'sgd', learningRate: lr }, steps: 1,
    });
    expect(r.validation).toBeNull();
    const dims = [batch, d + 1, n + 1];
    const out = reference.transformer(data.h, dims, layers);
    const g = new Float64Array(out.length);
    let mse = 0;
    for (let b = 0; b < batch; b++) {
      const i = (b * (d + 1) + d) * (n + 1) + n;
      const e = out[i]! - data.y[b]!;
      mse += (e * e) / batch;
      g[i] = (2 * e) / batch;
    }
    expect(Math.abs(r.finalLoss.value! - mse) / mse).toBeLessThan(1e-5);
    const expected = reference.transformerBackward(data.h, dims, layers, g).layers;
    (r.layers as Layer[]).forEach((layer, i) => {
      const before = layerWeights(layers[i]!);
      const grads = layerWeights(expected[i]!);
      layerWeights(layer).forEach((w, k) => {
        const step = Float32Array.from(w, (v, j) => (before[k]![j]! - v) / lr);
        expectClose(`layer ${i} weight ${k}`, step, Float64Array.from(grads[k]!), 1e-4);
      });
    });
  });

  // [case, job, error name, words the message must contain]
  const h = tokens(random(5), batch, d + 1, n + 1);
  const y = new Float32Array(batch);
  const layers = smallLsa(random(6), 1, d, n, 0.3);
  const options = { layers, shape, loss, optimizer: { kind: 'adam', learningRate: 0.01 } };
  const BAD: [string, object, string, string[]][] = [
    ['gradients: gradOutput shape ≠ h', { op: 'gradients', h, shape: [batch, d + 1, n + 1], g: new Float32Array(batch * (d + 1) * n), gShape: [batch, d + 1, n], layers }, 'ShapeError', ['gradOutput', `[${batch}, ${d + 1}, ${n + 1}]`]],
    ['learning rate 0', { op: 'createTrainer', options: { ...options, optimizer: { kind: 'sgd', learningRate: 0 } } }, 'ValueError', ['learningRate > 0', 'got 0']],
    ['negative learning rate', { op: 'createTrainer', options: { ...options, optimizer: { kind: 'adam', learningRate: -1 } } }, 'ValueError', ['learningRate', 'got -1']],
    ['loss row outside the output', { op: 'createTrainer', options: { ...options, loss: { kind: 'mse', rows: [d + 1], token: n } } }, 'ShapeError', [`rows in 0..${d}`, `got ${d + 1}`]],
    ['loss token outside the output', { op: 'createTrainer', options: { ...options, loss: { kind: 'mse', rows: [d], token: n + 1 } } }, 'ShapeError', [`token in 0..${n}`, `got ${n + 1}`]],
    ['layers of another width', { op: 'createTrainer', options: { ...options, shape: { ...shape, width: d } } }, 'ShapeError', ['wv', 'expected 16 values', 'got 25']],
    ['step: input of another batch', { op: 'trainerStep', options, h: h.subarray(0, (batch - 1) * (d + 1) * (n + 1)), shape: [batch - 1, d + 1, n + 1], y, yShape: [batch, 1] }, 'ShapeError', ['input', `got [${batch - 1}, ${d + 1}, ${n + 1}]`]],
    ['step: target of another shape', { op: 'trainerStep', options, h, shape: [batch, d + 1, n + 1], y, yShape: [1, batch] }, 'ShapeError', ['target', `shape [${batch}, 1]`, `got [1, ${batch}]`]],
    ['step on a destroyed trainer', { op: 'trainerDestroyed', options, h, shape: [batch, d + 1, n + 1], y, yShape: [batch, 1] }, 'DestroyedError', ['destroyed']],
  ];
  it.each(BAD)('%s: typed error, no submit, no validation error', async (_name, job, errorName, words) => {
    const r = await gpu().expectError(job);
    expect(r.thrown?.name).toBe(errorName);
    expect(r.thrown?.typed).toBe(true);
    for (const w of words) expect(r.thrown?.message).toContain(w);
    expect(r.submits).toBe(0);
    expect(r.validation).toBeNull();
  });
});
