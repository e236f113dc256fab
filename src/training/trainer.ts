import { DestroyedError, ShapeError, ValueError } from '../errors.js';
import { Plan } from '../gpu/plan.js';
import { checkLayers, type Layer, type TokenShape } from '../layers.js';
import { tokenCount } from '../ops/fragment.js';
import { chunks, mseLossSteps, optimizerSteps, type OptimizerSettings } from '../ops/optimizer.js';
import { checkShape, describe } from '../shape.js';
import { GpuTensor, type Tensor } from '../tensor.js';
import { backpropSteps } from './backprop.js';
import type { TrainingHost } from './gradients.js';
import { trainingOp } from './op.js';
import { packParameters, parameterLayout, unpackParameters } from './parameters.js';

export interface TrainerOptions {
  /** Initial weights, all trainable (clip has none). */
  layers: Layer[];
  shape: TokenShape;
  /** Mean over batch × rows of (output[b, rows[r], token] − target[b, r])². */
  loss: { kind: 'mse'; rows: number[]; token: number };
  optimizer:
    | {
        kind: 'adam';
        learningRate: number;
        beta1?: number;
        beta2?: number;
        epsilon?: number;
        /** Decoupled (AdamW), on weight matrices only. */
        weightDecay?: number;
        /** Global-norm gradient clipping. */
        clipNorm?: number;
        /** Linear warm-up steps, then cosine decay over `decaySteps` (to zero). */
        warmup?: number;
        decaySteps?: number;
      }
    | { kind: 'sgd'; learningRate: number };
}

export interface Trainer {
  /** Forward, loss, backward and update: one submit, no readback. */
  step(input: Tensor, target: Tensor): void;
  /** The MSE of the latest step's forward pass; rejects (ValueError) before any step or when it or the gradient is not finite. */
  loss(): Promise<number>;
  /** Current weights, same structure as given. */
  layers(): Promise<Layer[]>;
  /** Records a step into the caller's encoder (no submit). */
  encode(encoder: GPUCommandEncoder, input: Tensor, target: Tensor): void;
  destroy(): void;
}

function settings(o: TrainerOptions['optimizer']): OptimizerSettings {
  if (o === null || typeof o !== 'object' || (o.kind !== 'adam' && o.kind !== 'sgd')) {
    throw new ValueError(`createTrainer: expected optimizer kind 'adam' or 'sgd', got ${JSON.stringify((o as { kind?: unknown } | null)?.kind)}`);
  }
  const positive = (name: string, v: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ValueError(`createTrainer: expected ${name} > 0 (finite), got ${String(v)}`);
    return v;
  };
  const fraction = (name: string, v: number) => {
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new ValueError(`createTrainer: expected ${name} in [0, 1), got ${String(v)}`);
    return v;
  };
  const count = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 0) throw new ValueError(`createTrainer: expected ${name} to be a non-negative integer, got ${String(v)}`);
    return v;
  };
  const learningRate = positive('learningRate', o.learningRate);
  if (o.kind === 'sgd') return { adam: false, learningRate, beta1: 0, beta2: 0, epsilon: 1, weightDecay: 0, clipNorm: 0, warmup: 0, decaySteps: 0 };
  const weightDecay = o.weightDecay ?? 0;
  if (typeof weightDecay !== 'number' || !Number.isFinite(weightDecay) || weightDecay < 0) {
    throw new ValueError(`createTrainer: expected weightDecay ≥ 0 (finite), got ${String(weightDecay)}`);
  }
  return {
    adam: true,
    learningRate,
    beta1: fraction('beta1', o.beta1 ?? 0.9),
    beta2: fraction('beta2', o.beta2 ?? 0.999),
    epsilon: positive('epsilon', o.epsilon ?? 1e-8),
    weightDecay,
    clipNorm: o.clipNorm === undefined ? 0 : positive('clipNorm', o.clipNorm),
    warmup: count('warmup', o.warmup ?? 0),
    decaySteps: count('decaySteps', o.decaySteps ?? 0),
  };
}

/**
 * A trainer for one stack and token shape: parameters, gradients and Adam moments each live in
 * one flat buffer; a step is one compute pass (forward with kept activations, MSE, backward,
 * gradient norm, update) in one command buffer.
 */
export function createTrainer(host: TrainingHost, options: TrainerOptions): Trainer {
  const { ctx } = host;
  if (options === null || typeof options !== 'object') throw new ValueError(`createTrainer: expected options, got ${String(options)}`);
  const shape = options.shape;
  checkShape('createTrainer shape', [shape?.batch, shape?.width, shape?.tokens] as number[], 3);
  checkLayers(options.layers, shape);
  const loss = options.loss;
  if (loss?.kind !== 'mse') throw new ValueError(`createTrainer: expected loss kind 'mse', got ${JSON.stringify(loss?.kind)}`);
  if (!Array.isArray(loss.rows) || loss.rows.length === 0) throw new ShapeError(`createTrainer: expected loss rows to be a non-empty array, got ${String(loss.rows)}`);
  loss.rows.forEach((r) => {
    if (!Number.isInteger(r) || r < 0 || r >= shape.width) throw new ShapeError(`createTrainer: expected loss rows in 0..${shape.width - 1}, got ${r}`);
  });
  if (new Set(loss.rows).size !== loss.rows.length) throw new ValueError(`createTrainer: expected distinct loss rows, got [${loss.rows.join(', ')}]`);
  if (!Number.isInteger(loss.token) || loss.token < 0 || loss.token >= shape.tokens) {
    throw new ShapeError(`createTrainer: expected loss token in 0..${shape.tokens - 1}, got ${String(loss.token)}`);
  }
  const optimizer = settings(options.optimizer);

  const layout = parameterLayout(options.layers, shape.width);
  const bp = backpropSteps(layout, shape, ctx.gemm);
  const rows = loss.rows.length;
  const p = layout.size;
  const size = tokenCount(shape);
  const decay = new Float32Array(Math.max(p, 1));
  for (const [at, length] of layout.matrices) decay.fill(1, at, at + length);
  const plan = new Plan(ctx, trainingOp, {
    label: 'Trainer',
    slots: { input: size * 4, target: shape.batch * rows * 4 },
    outputs: [],
    // params is scratch, not data: layers() copies it out. m, v, the step count start at zero.
    scratch: {
      ...bp.scratch,
      params: p, grads: p, m: p, v: p, output: size, gradOutput: size, gradInput: size,
      terms: shape.batch * rows, partial: chunks(p), stats: 2, state: 1,
    },
    data: { decay, rows: loss.rows },
    steps: [...bp.forward, ...mseLossSteps(shape, rows, loss.token), ...bp.backward, ...optimizerSteps(p, optimizer)],
  });
  ctx.device.queue.writeBuffer(plan.buffer('params'), 0, packParameters(options.layers, layout) as Float32Array<ArrayBuffer>);

  let steps = 0;
  let live = true;
  const usable = (what: string) => {
    if (!live) throw new DestroyedError(`trainer.${what}: the trainer was destroyed`);
  };
  const checkData = (input: Tensor, target: Tensor) => {
    for (const [name, t, want] of [
      ['input', input, [shape.batch, shape.width, shape.tokens]],
      ['target', target, [shape.batch, rows]],
    ] as const) {
      if (!(t instanceof GpuTensor)) throw new ValueError(`trainer.step: expected ${name} to be a Tensor, got ${String(t)}`);
      if (t.destroyed) throw new DestroyedError(`trainer.step: ${name} tensor ${describe(t.shape)} was destroyed`);
      if (t.shape.length !== want.length || t.shape.some((s, i) => s !== want[i])) {
        throw new ShapeError(`trainer.step: expected ${name} of shape ${describe(want)}, got ${describe(t.shape)}`);
      }
    }
  };
  const encode = (encoder: GPUCommandEncoder, input: Tensor, target: Tensor) => {
    usable('encode');
    checkData(input, target);
    plan.encode(encoder, { input: input.buffer, target: target.buffer });
    steps++;
  };
  return {
    step(input, target) {
      usable('step');
      checkData(input, target);
      const encoder = ctx.device.createCommandEncoder({ label: 'Trainer.encoder' });
      encode(encoder, input, target);
      ctx.device.queue.submit([encoder.finish()]);
    },
    encode,
    async loss() {
      usable('loss');
      if (steps === 0) throw new ValueError('trainer.loss: expected a step first, got none');
      const [value, gradSq] = new Float32Array(await host.read(plan.buffer('stats'), 8));
      if (!Number.isFinite(value!) || !Number.isFinite(gradSq!)) {
        throw new ValueError(`trainer.loss: expected a finite loss and gradient, got loss ${value} and ‖g‖² ${gradSq} (the step left the weights unchanged)`);
      }
      return value!;
    },
    async layers() {
      usable('layers');
      return unpackParameters(new Float32Array(await host.read(plan.buffer('params'), Math.max(p, 1) * 4)), layout);
    },
    destroy() {
      if (!live) return;
      live = false;
      plan.destroy();
    },
  };
}
