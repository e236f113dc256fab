// The training family, loaded on demand by runtime.prepare('training') (a separate chunk of
// dist/, so pages that only run forward ops never download the backward kernels).
export { promptSamplerOp } from '../ops/promptSampler.js';
export { gradients } from './gradients.js';
export { trainingOp } from './op.js';
export { createPromptSampler } from './promptSampler.js';
export { createTrainer } from './trainer.js';
