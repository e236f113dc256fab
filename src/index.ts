export {
  createRuntime,
  isSoftwareAdapter,
  type Inverse,
  type Kernel,
  type MatmulKernel,
  type MatrixKernel,
  type Runtime,
  type RuntimeOptions,
} from './runtime.js';
export type { Family, GemmKernel } from './gpu/op.js';
export type { InvertOptions } from './ops/invert.js';
export type { MatmulOptions } from './ops/matmul.js';
export type { NewtonSchulzOptions } from './ops/newtonSchulz.js';
export type { Tensor } from './tensor.js';
export type { Layer, LsaHead, LsaOptions, MlpLayer, NormParams, TokenShape, Weights } from './layers.js';
export type { Gradients } from './training/gradients.js';
export type { Trainer, TrainerOptions } from './training/trainer.js';
export { parseLayers, serializeLayers } from './serialize.js';
export { DestroyedError, DeviceLostError, LimitError, LsaNewtonError, ShapeError, ValueError } from './errors.js';
export * as reference from './reference/index.js';
export * as constructions from './constructions/index.js';
