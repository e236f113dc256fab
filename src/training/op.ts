import { gemmVariants, TRAINING_GEMMS } from '../gpu/gemm.js';
import type { Op } from '../gpu/op.js';
import { CLIP, MASK_BACKWARD } from '../ops/clip.js';
import { LAYER_NORM, layerNormBackwardVariant } from '../ops/layerNorm.js';
import { MSE_LOSS, OPTIMIZER_ADVANCE, optimizerUpdate } from '../ops/optimizer.js';
import { REDUCE_SUM } from '../ops/reduceSum.js';

/**
 * Gradients and training: forward from flat parameters with kept activations, the backward
 * kernels, MSE, the optimizer. Compiled by `runtime.prepare('training')`, not by createRuntime.
 */
export const trainingOp: Op = {
  name: 'training',
  family: 'training',
  variants: (g) => [
    ...gemmVariants(g, TRAINING_GEMMS),
    LAYER_NORM,
    layerNormBackwardVariant(false),
    layerNormBackwardVariant(true),
    CLIP,
    MASK_BACKWARD,
    REDUCE_SUM,
    MSE_LOSS,
    optimizerUpdate(true),
    optimizerUpdate(false),
    OPTIMIZER_ADVANCE,
  ],
};
