export {
  createRuntime,
  isSoftwareAdapter,
  type Inverse,
  type Kernel,
  type LinearAttentionOptions,
  type LinearAttentionResult,
  type MatmulKernel,
  type MatrixKernel,
  type Runtime,
  type RuntimeOptions,
} from './runtime.js';
export type { Family, GemmKernel } from './gpu/op.js';
export type { InvertOptions } from './ops/invert.js';
export type {
  LinearAttentionInputs,
  LinearAttentionKernel,
  LinearAttentionKernelOptions,
  LinearAttentionOutputs,
  LinearAttentionShape,
} from './ops/linearAttention.js';
export type { MatmulOptions } from './ops/matmul.js';
export type { NewtonSchulzOptions } from './ops/newtonSchulz.js';
export type { Tensor } from './tensor.js';
export type { Layer, LsaHead, LsaOptions, MlpLayer, TokenShape, Weights } from './layers.js';
export { DestroyedError, DeviceLostError, LimitError, LsaNewtonError, ShapeError, ValueError } from './errors.js';
export * as reference from './reference/index.js';
export * as constructions from './constructions/index.js';
