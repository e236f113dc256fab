import mseShader from '../../shaders/mse_loss.wgsl';
import optimizerShader from '../../shaders/optimizer.wgsl';
import { type Step, step, variant } from '../gpu/op.js';
import type { TokenShape } from '../layers.js';
import { reduceSumStep } from './reduceSum.js';

const E = optimizerShader.entryPoints;
export const MSE_LOSS = variant(mseShader, mseShader.entryPoints.mse_loss);
export const SQUARE_SUM = variant(optimizerShader, E.square_sum);
export const optimizerUpdate = (adam: boolean) => variant(optimizerShader, E.optimizer_update, { ADAM: adam });
export const OPTIMIZER_ADVANCE = variant(optimizerShader, E.optimizer_advance);
const CHUNK = optimizerShader.constants.CHUNK;

/** Resolved optimizer settings (defaults filled in). */
export interface OptimizerSettings {
  adam: boolean;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  clipNorm: number;
  warmup: number;
  decaySteps: number;
}

export function chunks(parameters: number): number {
  return Math.ceil(parameters / CHUNK);
}

/** MSE terms and dL/d output at the chosen entries, then the loss (their sum) into stats[0]. */
export function mseLossSteps(shape: TokenShape, rows: number, token: number): Step[] {
  const count = shape.batch * rows;
  return [
    step({
      label: 'loss',
      variant: MSE_LOSS,
      uniform: { count, rows, width: shape.width, tokens: shape.tokens, token, scale: 1 / count },
      invocations: count,
      buffers: { output: 'output', targets: 'target', row_index: 'rows', grad_out: 'gradOutput', terms: 'terms' },
    }),
    reduceSumStep({ label: 'lossSum', count: 1, outer: 1, inner: count, outerStride: 0, rowStride: 0, input: ['terms', 0], output: ['stats', 0] }),
  ];
}

/** ‖g‖² into stats[1] (chunked, fixed order), the update, then the step counter. */
export function optimizerSteps(parameters: number, o: OptimizerSettings): Step[] {
  const n = chunks(parameters);
  const uniform = {
    count: parameters,
    chunks: n,
    learning_rate: o.learningRate,
    beta1: o.beta1,
    beta2: o.beta2,
    epsilon: o.epsilon,
    weight_decay: o.weightDecay,
    clip_norm: o.clipNorm,
    warmup: o.warmup,
    decay_steps: o.decaySteps,
  };
  return [
    step({ label: 'gradNorm', variant: SQUARE_SUM, uniform, invocations: n, buffers: { grads: 'grads', partial: 'partial' } }),
    reduceSumStep({ label: 'gradNormSum', count: 1, outer: 1, inner: n, outerStride: 0, rowStride: 0, input: ['partial', 0], output: ['stats', 1] }),
    step({
      label: 'update',
      variant: optimizerUpdate(o.adam),
      uniform,
      invocations: parameters,
      buffers: { params: 'params', grads: 'grads', m: 'm', v: 'v', decay: 'decay', stats: 'stats', state: 'state' },
    }),
    step({ label: 'advance', variant: OPTIMIZER_ADVANCE, uniform: {}, invocations: 1, buffers: { stats: 'stats', state: 'state' } }),
  ];
}
