export { createRuntime, type Kernel, type Runtime } from './runtime.js';
export type { Tensor } from './tensor.js';
export type { Layer, LsaHead, LsaOptions, MlpLayer, TokenShape, Weights } from './layers.js';
export { DestroyedError, DeviceLostError, LimitError, LsaNewtonError, ShapeError, ValueError } from './errors.js';
export * as reference from './reference/index.js';
