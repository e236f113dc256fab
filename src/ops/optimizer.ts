import optimizerCode from '../../shaders/optimizer.wgsl?raw';
import mseCode from '../../shaders/mse_loss.wgsl?raw';
import { wgslConstant } from '../gpu/context.js';
import type { ShaderSpec } from '../gpu/kernel.js';
import type { DispatchStep } from '../gpu/program.js';
import type { TokenShape } from '../layers.js';
import { reduceSumStep } from './reduceSum.js';

export const MSE_LOSS: ShaderSpec = { label: 'MseLoss', code: mseCode, entryPoint: 'mse_loss' };
export const SQUARE_SUM: ShaderSpec = { label: 'SquareSum', code: optimizerCode, entryPoint: 'square_sum' };
export const OPTIMIZER_UPDATE: ShaderSpec = { label: 'OptimizerUpdate', code: optimizerCode, entryPoint: 'optimizer_update' };
export const OPTIMIZER_ADVANCE: ShaderSpec = { label: 'OptimizerAdvance', code: optimizerCode, entryPoint: 'optimizer_advance' };
const WG = wgslConstant(optimizerCode, 'WG');
const CHUNK = wgslConstant(optimizerCode, 'CHUNK');
const MSE_WG = wgslConstant(mseCode, 'WG');

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
export function mseLossSteps(shape: TokenShape, rows: number, token: number): DispatchStep[] {
  const count = shape.batch * rows;
  return [
    {
      label: 'loss',
      spec: MSE_LOSS,
      constants: {},
      uniform: { count, rows, width: shape.width, tokens: shape.tokens, token, scale: 1 / count },
      workgroups: Math.ceil(count / MSE_WG),
      buffers: { output: 'output', targets: 'target', row_index: 'rows', grad_out: 'gradOutput', terms: 'terms' },
    },
    reduceSumStep({ label: 'lossSum', count: 1, outer: 1, inner: count, outerStride: 0, rowStride: 0, input: ['terms', 0], output: ['stats', 0] }),
  ];
}

/** ‖g‖² into stats[1] (chunked, fixed order), the update, then the step counter. */
export function optimizerSteps(parameters: number, o: OptimizerSettings): DispatchStep[] {
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
    { label: 'gradNorm', spec: SQUARE_SUM, constants: {}, uniform, workgroups: Math.ceil(n / WG), buffers: { grads: 'grads', partial: 'partial' } },
    reduceSumStep({ label: 'gradNormSum', count: 1, outer: 1, inner: n, outerStride: 0, rowStride: 0, input: ['partial', 0], output: ['stats', 1] }),
    {
      label: 'update',
      spec: OPTIMIZER_UPDATE,
      constants: { ADAM: o.adam },
      uniform,
      workgroups: Math.ceil(parameters / WG),
      buffers: { params: 'params', grads: 'grads', m: 'm', v: 'v', decay: 'decay', stats: 'stats', state: 'state' },
    },
    { label: 'advance', spec: OPTIMIZER_ADVANCE, constants: {}, uniform: {}, workgroups: 1, buffers: { stats: 'stats', state: 'state' } },
  ];
}
