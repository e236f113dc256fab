// The training family, loaded on demand by runtime.prepare('training') (a separate chunk of
// dist/, so pages that only run forward ops never download the backward kernels).
export { gradients } from './gradients.js';
export { trainingOp } from './op.js';
export { createTrainer } from './trainer.js';
