import { gemmVariants } from '../gpu/gemm.js';
import type { Op } from '../gpu/op.js';
import { CLIP, CLIP_BACKWARD, RELU_BACKWARD } from '../ops/clip.js';
import { LAYER_NORM, layerNormBackwardVariant } from '../ops/layerNorm.js';
import { MSE_LOSS, OPTIMIZER_ADVANCE, optimizerUpdate, SQUARE_SUM } from '../ops/optimizer.js';
import { REDUCE_SUM } from '../ops/reduceSum.js';

/**
 * Gradients and training: forward from flat parameters with kept activations, the backward
 * kernels, MSE, the optimizer. Compiled by `runtime.prepare('training')`, not by createRuntime.
 */
export const trainingOp: Op = {
  name: 'training',
  family: 'training',
  variants: (g) => [
    ...gemmVariants(g),
    LAYER_NORM,
    layerNormBackwardVariant(false),
    layerNormBackwardVariant(true),
    CLIP,
    CLIP_BACKWARD,
    RELU_BACKWARD,
    REDUCE_SUM,
    MSE_LOSS,
    SQUARE_SUM,
    optimizerUpdate(true),
    optimizerUpdate(false),
    OPTIMIZER_ADVANCE,
  ],
};
