import type { Family, GemmKernel } from './op.js';

/** What every plan needs from its runtime. */
export interface GpuContext {
  readonly device: GPUDevice;
  readonly limits: GPUSupportedLimits;
  /** Bound to shader bindings a variant does not read (e.g. the residual when there is none). */
  readonly placeholder: GPUBuffer;
  /** Which GEMM schedule this runtime runs (see shaders/gemm.wgsl). */
  readonly gemm: GemmKernel;
  /** Families whose pipelines are compiled ('forward' always). */
  readonly prepared: ReadonlySet<Family>;
  /** Live plans: the runtime destroys them with itself. */
  readonly plans: Set<{ destroy(): void }>;
}
