// Training a theory-form LSA stack on in-context linear regression, on the page's adapter:
// tokens [x; y] (width d + 1), n examples then the query [x_q; 0], the query not a key,
// `heads` heads per layer; MSE on the query's y row; fresh prompts every step.
import type * as Lib from '../../src/index.js';

export interface Prompt {
  x: Float64Array;
  y: Float64Array;
  xq: Float64Array;
  yq: number;
}

/** Columns [x_i; y_i] then [x_q; 0], for a batch of prompts: [B, d + 1, n + 1]. */
export function tokens(prompts: readonly Prompt[], d: number, n: number): Float32Array {
  const width = d + 1;
  const count = n + 1;
  const h = new Float32Array(prompts.length * width * count);
  prompts.forEach((p, b) => {
    for (let t = 0; t < n; t++) {
      for (let r = 0; r < d; r++) h[(b * width + r) * count + t] = p.x[t * d + r]!;
      h[(b * width + d) * count + t] = p.y[t]!;
    }
    for (let r = 0; r < d; r++) h[(b * width + r) * count + n] = p.xq[r]!;
  });
  return h;
}

export interface TrainOptions {
  d: number;
  n: number;
  layers: number;
  heads: number;
  batch: number;
  steps: number;
  learningRate: number;
  warmup: number;
  seed: number;
  /** Reads the training loss every this many steps (one readback each). */
  every: number;
}

export async function trainLsa(
  lib: typeof Lib,
  runtime: Lib.Runtime,
  sample: (rng: Lib.reference.Random) => Prompt,
  o: TrainOptions,
  progress: (step: number, loss: number) => void,
): Promise<{ layers: Lib.Layer[]; curve: { step: number; loss: number }[]; msPerStep: number }> {
  const { d, n, batch } = o;
  const width = d + 1;
  const init = lib.reference.random(o.seed);
  // N(0, 0.05²) entries keep a random 4-layer stack's outputs O(1) on these prompts (0.1 overflows
  // float32 at L = 4: each layer is a cubic of its input).
  const w = () => Float32Array.from(init.normals(width * width, 0.05));
  const start: Lib.Layer[] = Array.from({ length: o.layers }, () => ({
    kind: 'lsa',
    keys: n,
    heads: Array.from({ length: o.heads }, () => ({ wv: w(), wk: w(), wq: w() })),
  }));
  const trainer = await runtime.createTrainer({
    layers: start,
    shape: { batch, width, tokens: n + 1 },
    loss: { kind: 'mse', rows: [d], token: n },
    optimizer: {
      kind: 'adam',
      learningRate: o.learningRate,
      warmup: o.warmup,
      decaySteps: Math.max(0, o.steps - o.warmup),
      clipNorm: 10,
    },
  });
  const rng = lib.reference.random(o.seed + 1);
  const curve: { step: number; loss: number }[] = [];
  const t0 = performance.now();
  try {
    for (let s = 1; s <= o.steps; s++) {
      const prompts = Array.from({ length: batch }, () => sample(rng));
      const input = runtime.tensor(tokens(prompts, d, n), [batch, width, n + 1]);
      const target = runtime.tensor(
        Float32Array.from(prompts, (p) => p.yq),
        [batch, 1],
      );
      trainer.step(input, target);
      input.destroy();
      target.destroy();
      if (s % o.every === 0 || s === o.steps) {
        const loss = await trainer.loss().catch(() => Number.NaN);
        curve.push({ step: s, loss });
        progress(s, loss);
      }
    }
    return { layers: await trainer.layers(), curve, msPerStep: (performance.now() - t0) / o.steps };
  } finally {
    trainer.destroy();
  }
}
