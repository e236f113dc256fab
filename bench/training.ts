// Training cases of `npm run bench`: `steps` Adam steps on one batch of in-context linear
// regression prompts, then one readback of the loss, for ours (`createTrainer`: one submit per
// step), jax-js (valueAndGrad + Adam in one jitted function) and TensorFlow.js (variableGrads +
// train.adam), from the same initial weights. Each side's gradients at those weights are checked
// against `reference.transformerBackward` (float64) on a separate small batch.
import type * as Lib from '../src/index.js';
import type { Accuracy, CaseSpec, Prepared } from './bench-page.js';
import type { PeerOp, PeerTrainer, PeerTrainLayer, PeerTrainSpec } from './peers/peer.js';

export interface TrainingBench {
  lib: typeof Lib;
  runtime: Lib.Runtime;
  accuracy(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): Accuracy;
  /** Peer trainers by peer name. */
  trainers: Record<string, PeerTrainer | undefined>;
}

export interface TrainingModel {
  /** In-context examples n (the keys), dimension d, zero padding rows. */
  d: number;
  n: number;
  dZeros: number;
  heads: number;
  layers: number;
  /** Pre-LayerNorm in every LSA layer and a final LayerNorm (the paper's "LSA with LN"). */
  layerNorm: boolean;
  batch: number;
  steps: number;
}

const ADAM = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
/** Prompts in the float64 gradient check. */
const CHECK_BATCH = 8;
/**
 * One measured run of `steps` steps per side (a step time is already a mean over the run), after
 * an untimed warm-up of a few steps that compiles everything: a B 512, 6-layer run takes minutes
 * per side on a software adapter.
 */
const SAMPLES = 1;
/**
 * TensorFlow.js trains only the 1-layer models here: at B 512 one layer took 13.7 s per step on
 * the software adapter (idle machine; about 50 s under load, 53× our time), so 50 steps at 6
 * layers would take over an hour per run.
 */
const TF_MAX_LAYERS = 1;
const WARM_STEPS = 2;
/** Gradient agreement required of every side (the bound for our gradients). */
const GRADIENT_TOLERANCE = 1e-4;

/** Prompts `[x_i; y_i; 0]` for i < n and the query `[x_q; 0; 0]`, x, w ~ N(0, I); targets y_q. */
function prompts(R: typeof Lib.reference, m: TrainingModel, batch: number, seed: number) {
  const rng = R.random(seed);
  const width = m.d + 1 + m.dZeros;
  const tokens = m.n + 1;
  const h = new Float32Array(batch * width * tokens);
  const target = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    const w = rng.normals(m.d);
    const x = rng.normals(m.d * tokens);
    for (let i = 0; i < tokens; i++) {
      let y = 0;
      for (let r = 0; r < m.d; r++) {
        h[(b * width + r) * tokens + i] = x[r * tokens + i]!;
        y += w[r]! * x[r * tokens + i]!;
      }
      if (i < m.n) h[(b * width + m.d) * tokens + i] = y;
      else target[b] = y;
    }
  }
  return { h, target };
}

function model(R: typeof Lib.reference, m: TrainingModel): { layers: Lib.Layer[]; spec: PeerTrainSpec } {
  const width = m.d + 1 + m.dZeros;
  const tokens = m.n + 1;
  const rng = R.random(97 * m.layers + 13 * m.heads + (m.layerNorm ? 1 : 0));
  // 0.5 would make the 6-layer stack's output ~1e99 at the start (each LSA layer is cubic in its
  // input); 0.25 keeps |out| ≈ 8–14 at 1, 3 and 6 layers (float64, these prompts).
  const scale = 0.25 / Math.sqrt(width) / Math.cbrt(m.n);
  const norm = () => ({ gain: new Float32Array(width).fill(1), bias: new Float32Array(width) });
  const peerLayers: PeerTrainLayer[] = Array.from({ length: m.layers }, () => ({
    heads: Array.from({ length: m.heads }, () => ({
      wv: rng.normals(width * width, scale),
      wk: rng.normals(width * width, scale),
      wq: rng.normals(width * width, scale),
    })),
    ...(m.layerNorm && { norm: norm() }),
  }));
  const finalNorm = m.layerNorm ? norm() : undefined;
  const layers: Lib.Layer[] = peerLayers.map((l) => ({
    kind: 'lsa',
    heads: l.heads as Lib.LsaHead[],
    keys: m.n,
    ...(l.norm && { norm: l.norm as Lib.NormParams }),
  }));
  if (finalNorm) layers.push({ kind: 'layerNorm', ...finalNorm });
  const spec: PeerTrainSpec = {
    shape: [m.batch, width, tokens],
    keys: m.n,
    layers: peerLayers,
    finalNorm,
    row: m.d,
    token: m.n,
    adam: ADAM,
  };
  return { layers, spec };
}

/** Every weight of a stack (or its gradients) in the order of `PeerTrainOp.gradients`. */
function flatten(layers: Lib.Layer[]): Float64Array {
  const parts: ArrayLike<number>[] = [];
  for (const l of layers) {
    if (l.kind === 'lsa') {
      for (const h of l.heads) parts.push(h.wv, h.wk, h.wq);
      if (l.norm) parts.push(l.norm.gain, l.norm.bias);
    } else if (l.kind === 'layerNorm') parts.push(l.gain, l.bias);
  }
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Bytes our trainer keeps from the forward pass for one layer (see docs/training.md). */
function keptBytes(m: TrainingModel): { lsa: number; finalNorm: number } {
  const [b, d, n, h] = [m.batch, m.d + 1 + m.dZeros, m.n + 1, m.heads];
  // The layer's input, G and M [D, D], A and Bm [D, hD], and LN(H) with a norm.
  const lsa = b * (d * n + (2 + 2 * h) * d * d + (m.layerNorm ? d * n : 0));
  return { lsa: 4 * lsa, finalNorm: 4 * b * d * n };
}

/** FLOPs of one step's LSA forward and backward GEMMs in the D × D form (docs/training.md), 2 per multiply-add. */
function stepFlops(m: TrainingModel): number {
  const [d, n, h, k] = [m.d + 1 + m.dZeros, m.n + 1, m.heads, m.n];
  return 2 * m.layers * m.batch * (3 * d * d * n + 2 * d * d * k + 10 * h * d * d * d);
}

function trainingCase(x: TrainingBench, m: TrainingModel, quick: boolean, full: boolean): CaseSpec {
  const name = m.layerNorm ? 'LSA with LN' : 'LSA';
  const width = m.d + 1 + m.dZeros;
  const tokens = m.n + 1;
  return {
    id: `train-${m.layerNorm ? 'lsaln' : 'lsa'}-L${m.layers}-B${m.batch}-d${m.d}-n${m.n}`,
    op: `training: ${m.steps} Adam steps + 1 loss readback`,
    config:
      `${name}, ${m.layers} layer${m.layers > 1 ? 's' : ''}, ` +
      `B ${m.batch}, d ${m.d}, n ${m.n}, D ${width}, ${m.heads} heads`,
    size: m.layers,
    quick,
    full,
    async prepare(): Promise<Prepared> {
      const { lib, runtime } = x;
      const R = lib.reference;
      const { layers, spec } = model(R, m);
      const data = prompts(R, m, m.batch, 1 + m.layers);
      const held = prompts(R, m, CHECK_BATCH, 1000 + m.layers);
      const checkShape: [number, number, number] = [CHECK_BATCH, width, tokens];
      // Float64: dL/d out of the MSE at the query's y entry, then the stack's VJP.
      const out64 = R.transformer(held.h, checkShape, layers);
      const gradOut = new Float32Array(out64.length);
      for (let b = 0; b < CHECK_BATCH; b++) {
        const at = (b * width + m.d) * tokens + m.n;
        gradOut[at] = (2 * (out64[at]! - held.target[b]!)) / CHECK_BATCH;
      }
      const expected = flatten(R.transformerBackward(held.h, checkShape, layers, gradOut).layers);

      const hCheck = runtime.tensor(held.h, checkShape);
      const gCheck = runtime.tensor(gradOut, checkShape);
      const ourGrads = await runtime.gradients(hCheck, layers, gCheck);
      ourGrads.input.destroy();
      const ourAccuracy = x.accuracy(flatten(ourGrads.layers), expected, GRADIENT_TOLERANCE);
      hCheck.destroy();
      gCheck.destroy();

      const input = runtime.tensor(data.h, [m.batch, width, tokens]);
      const target = runtime.tensor(data.target, [m.batch, 1]);
      const trainer = await runtime.createTrainer({
        layers,
        shape: { batch: m.batch, width, tokens },
        loss: { kind: 'mse', rows: [m.d], token: m.n },
        optimizer: { kind: 'adam', ...ADAM },
      });
      const kept = keptBytes(m);
      const mb = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)} MB` : `${(v / 1e3).toFixed(1)} kB`);
      const finite = (acc: Accuracy, loss: number) => ({ ...acc, ok: acc.ok && Number.isFinite(loss) });
      return {
        flops: m.steps * stepFlops(m),
        notes: [
          `time per step = time / ${m.steps} (one measured run per side after a ${WARM_STEPS}-step warm-up); ` +
            `the same batch every step, learning rate ${ADAM.learningRate}`,
          `activation memory our trainer keeps per LSA layer: ${mb(kept.lsa)}` +
            (m.layerNorm ? `, final LayerNorm ${mb(kept.finalNorm)}` : '') +
            ` (${mb(kept.lsa * m.layers + (m.layerNorm ? kept.finalNorm : 0))} in all)`,
          ...(m.layers > TF_MAX_LAYERS
            ? [`TensorFlow.js is not run beyond ${TF_MAX_LAYERS} layer (minutes per step on a software adapter)`]
            : []),
          `gradients at the initial weights vs float64 on ${CHECK_BATCH} other prompts: ours rms-rel ` +
            `${ourAccuracy.rmsRelative.toExponential(1)}; a peer's result is its gradient check`,
        ],
        samples: SAMPLES,
        async warm() {
          for (let s = 0; s < WARM_STEPS; s++) trainer.step(input, target);
          await trainer.loss();
        },
        async ours() {
          for (let s = 0; s < m.steps; s++) trainer.step(input, target);
          return { out: Float32Array.of(await trainer.loss()), gpuMs: null };
        },
        peer(p): PeerOp | null {
          const trainer = x.trainers[p.name];
          if (!trainer || (p.name === 'TensorFlow.js' && m.layers > TF_MAX_LAYERS)) return null;
          const op = trainer.train(spec, data.h, data.target);
          let gradients: Float32Array | null = null;
          let loss = Number.NaN;
          return {
            async warm() {
              gradients = await op.gradients(held.h, held.target, CHECK_BATCH);
              await op.train(WARM_STEPS);
            },
            async once() {
              gradients ??= await op.gradients(held.h, held.target, CHECK_BATCH);
              loss = await op.train(m.steps);
              return Float32Array.of(loss);
            },
            verify: async () => finite(x.accuracy(gradients ?? [], expected, GRADIENT_TOLERANCE), loss),
            dispose: () => op.dispose(),
          };
        },
        check: (out) => finite(ourAccuracy, out[0]!),
        dispose() {
          trainer.destroy();
          input.destroy();
          target.destroy();
        },
      };
    },
  };
}

/**
 * The models (d 10, n 50, dZeros 10, 4 heads, B 512; 1, 3, 6 layers; with and without LN), `steps` Adam steps
 * per run (50; `npm run bench -- --train-steps=N` changes it); quick: a tiny one.
 */
export function trainingCases(x: TrainingBench, steps = 50): CaseSpec[] {
  const paper = { d: 10, n: 50, dZeros: 10, heads: 4, batch: 512, steps };
  return [
    ...[false, true].flatMap((layerNorm) =>
      [1, 3, 6].map((layers) => trainingCase(x, { ...paper, layers, layerNorm }, false, true)),
    ),
    trainingCase(x, { d: 3, n: 8, dZeros: 2, heads: 2, batch: 16, steps: 10, layers: 1, layerNorm: true }, true, false),
  ];
}
