// Training on the page's adapter: a theory-form LSA stack (optionally with LayerNorms) on in-context
// linear regression — tokens [0; x; y] (width dZeros + d + 1), n examples then the query [0; x_q; 0],
// the query not a key, `heads` heads per layer, MSE on the query's y row, fresh prompts every step —
// and any stack on caller-made batches (`trainModel`, fig7's LSA + ReLU model).
import type * as Lib from '../../src/index.js';

export interface Prompt {
  x: Float64Array;
  y: Float64Array;
  xq: Float64Array;
  yq: number;
}

/**
 * Columns [0; x_i; y_i] then [0; x_q; 0], for a batch of prompts: [B, dZeros + d + 1, n + 1] (the
 * paper's `dZeros` zero rows on top; none by default). Prompts may be shorter than d and n
 * (curriculum): missing coordinates and examples stay zero, the query stays the last column.
 */
export function tokens(prompts: readonly Prompt[], d: number, n: number, dZeros = 0): Float32Array {
  const width = dZeros + d + 1;
  const count = n + 1;
  const h = new Float32Array(prompts.length * width * count);
  prompts.forEach((p, b) => {
    const examples = p.y.length;
    const dp = p.xq.length;
    for (let t = 0; t < examples; t++) {
      for (let r = 0; r < dp; r++) h[(b * width + dZeros + r) * count + t] = p.x[t * dp + r]!;
      h[(b * width + dZeros + d) * count + t] = p.y[t]!;
    }
    for (let r = 0; r < dp; r++) h[(b * width + dZeros + r) * count + n] = p.xq[r]!;
  });
  return h;
}

/** Prompts at d', n' ≤ d, n during training, zero-padded by `tokens`. */
export interface Curriculum {
  /** Effective (d, n) at a step of a run of `steps` steps. */
  at(step: number, steps: number): { d: number; n: number };
  text: string;
}

/**
 * Garg et al.'s curriculum, in the form the fixed trainer shape allows: d and n grow linearly from
 * (dStart, nStart) to (d, n) over the first half of training; smaller prompts are zero-padded
 * (coordinates d'…d − 1 and example columns n'…n − 1 zero, the query still the last column). A zero
 * token adds nothing to a plain LSA layer's key sums and stays zero, so the padding is exact for the
 * LSA model; under a LayerNorm a zero column becomes the norm's bias, so the LayerNorm model is not
 * given the curriculum.
 */
export function curriculum(d: number, n: number, dStart: number, nStart: number): Curriculum {
  return {
    at(step, steps) {
      const f = Math.min(1, step / Math.max(1, steps / 2));
      return { d: Math.round(dStart + f * (d - dStart)), n: Math.round(nStart + f * (n - nStart)) };
    },
    text: `d ${dStart} → ${d}, n ${nStart} → ${n} linearly over the first half of each run (zero padding), LSA model only`,
  };
}

/**
 * fig7's tokens, width 2d + 2: rows [w (d, zero); a (d); y; 1], columns the n examples then a
 * read-out column [0; 0; 0; 1] where the model writes w (rows 0…d − 1). The constant row lets the
 * first layer write into the read-out column; the read-out column is not a key.
 */
export function logisticTokens(batch: readonly { a: Float64Array; y: Float64Array }[], d: number, n: number) {
  const width = 2 * d + 2;
  const count = n + 1;
  const h = new Float32Array(batch.length * width * count);
  batch.forEach((p, b) => {
    const at = (r: number, t: number) => (b * width + r) * count + t;
    for (let t = 0; t < n; t++) {
      for (let k = 0; k < d; k++) h[at(d + k, t)] = p.a[t * d + k]!;
      h[at(2 * d, t)] = p.y[t]!;
      h[at(2 * d + 1, t)] = 1;
    }
    h[at(2 * d + 1, n)] = 1;
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
  /** Pre-LayerNorm in every LSA layer and a final LayerNorm (the paper's "LSA with LayerNorm"). */
  norm?: boolean;
  /** Zero rows above [x; y] in every token (the paper's dZeros). */
  dZeros?: number;
  /** Global gradient-norm clip (default 10). */
  clipNorm?: number;
}

export interface Trained {
  layers: Lib.Layer[];
  curve: { step: number; loss: number }[];
  msPerStep: number;
}

/**
 * Adam (warm-up, cosine decay, clipping) on the MSE of `rows` at token `token`, one fresh batch per
 * step from `batch(step)`; the loss is read every `every` steps.
 */
export async function trainModel(
  runtime: Lib.Runtime,
  o: {
    layers: Lib.Layer[];
    shape: { batch: number; width: number; tokens: number };
    rows: number[];
    token: number;
    steps: number;
    learningRate: number;
    warmup: number;
    clipNorm: number;
    every: number;
    batch: (step: number) => { input: Float32Array; target: Float32Array };
  },
  progress: (step: number, loss: number) => void,
): Promise<Trained> {
  const { shape } = o;
  const trainer = await runtime.createTrainer({
    layers: o.layers,
    shape,
    loss: { kind: 'mse', rows: o.rows, token: o.token },
    optimizer: {
      kind: 'adam',
      learningRate: o.learningRate,
      warmup: o.warmup,
      decaySteps: Math.max(0, o.steps - o.warmup),
      clipNorm: o.clipNorm,
    },
  });
  const curve: { step: number; loss: number }[] = [];
  const t0 = performance.now();
  try {
    for (let s = 1; s <= o.steps; s++) {
      const b = o.batch(s);
      const input = runtime.tensor(b.input, [shape.batch, shape.width, shape.tokens]);
      const target = runtime.tensor(b.target, [shape.batch, o.rows.length]);
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

/** The LSA stack a run starts from: N(0, 0.05²) weights; with `norm`, unit-gain zero-bias LayerNorms. */
export function initialLsa(lib: typeof Lib, o: TrainOptions): Lib.Layer[] {
  const width = (o.dZeros ?? 0) + o.d + 1;
  const init = lib.reference.random(o.seed);
  // N(0, 0.05²) entries keep a random 4-layer stack's outputs O(1) on these prompts (0.1 overflows
  // float32 at L = 4: each layer is a cubic of its input).
  const w = () => Float32Array.from(init.normals(width * width, 0.05));
  const norm = () => ({ gain: new Float32Array(width).fill(1), bias: new Float32Array(width) });
  const layers: Lib.Layer[] = Array.from({ length: o.layers }, () => ({
    kind: 'lsa',
    keys: o.n,
    heads: Array.from({ length: o.heads }, () => ({ wv: w(), wk: w(), wq: w() })),
    ...(o.norm ? { norm: norm() } : {}),
  }));
  if (o.norm) layers.push({ kind: 'layerNorm', ...norm() });
  return layers;
}

/**
 * Trains a theory-form LSA stack (with `norm`, the LayerNorm variant) on prompts from `sample`,
 * called with the step number (1-based) so a curriculum can grow the prompts; MSE on the query's y.
 */
export async function trainLsa(
  lib: typeof Lib,
  runtime: Lib.Runtime,
  sample: (rng: Lib.reference.Random, step: number) => Prompt,
  o: TrainOptions,
  progress: (step: number, loss: number) => void,
): Promise<Trained> {
  const { d, n, batch } = o;
  const dZeros = o.dZeros ?? 0;
  const rng = lib.reference.random(o.seed + 1);
  return trainModel(
    runtime,
    {
      layers: initialLsa(lib, o),
      shape: { batch, width: dZeros + d + 1, tokens: n + 1 },
      rows: [dZeros + d],
      token: n,
      steps: o.steps,
      learningRate: o.learningRate,
      warmup: o.warmup,
      clipNorm: o.clipNorm ?? 10,
      every: o.every,
      batch: (step) => {
        const prompts = Array.from({ length: batch }, () => sample(rng, step));
        return { input: tokens(prompts, d, n, dZeros), target: Float32Array.from(prompts, (p) => p.yq) };
      },
    },
    progress,
  );
}
