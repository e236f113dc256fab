import type { Constants, ShaderSpec } from '../gpu/kernel.js';
import { CLIP_BACKWARD, RELU_BACKWARD } from '../ops/clip.js';
import { LAYER_NORM_BACKWARD } from '../ops/layerNorm.js';
import { g } from '../ops/pipelines.js';
import { MSE_LOSS, OPTIMIZER_ADVANCE, OPTIMIZER_UPDATE, SQUARE_SUM } from '../ops/optimizer.js';
import { REDUCE_SUM } from '../ops/reduceSum.js';

/** The training family, compiled by `runtime.prepare('training')` (not by `createRuntime`). */
export const TRAINING_PIPELINES: readonly [ShaderSpec, Constants][] = [
  // LSA: projections, states, dQ, dS, dV, dKt, dW (plain); apply, dX (residual)
  g({}),
  g({ residual: 'r' }),
  // ReLU MLP from the flat parameters, with and without biases
  g({ relu: true }),
  g({ bias: ['b', 0], relu: true }),
  g({ bias: ['b', 0], residual: 'r' }),
  [LAYER_NORM_BACKWARD, { RESIDUAL: false }],
  [LAYER_NORM_BACKWARD, { RESIDUAL: true }],
  [CLIP_BACKWARD, {}],
  [RELU_BACKWARD, {}],
  [REDUCE_SUM, {}],
  [MSE_LOSS, {}],
  [SQUARE_SUM, {}],
  [OPTIMIZER_UPDATE, { ADAM: true }],
  [OPTIMIZER_UPDATE, { ADAM: false }],
  [OPTIMIZER_ADVANCE, {}],
];
