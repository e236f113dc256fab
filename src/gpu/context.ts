/** What every kernel needs from its runtime: the device, its limits and a placeholder buffer. */
export interface GpuContext {
  readonly device: GPUDevice;
  readonly limits: GPUSupportedLimits;
  /** Bound to shader bindings a variant does not read (e.g. the residual when there is none). */
  readonly placeholder: GPUBuffer;
  /** Which GEMM schedule this device runs (see shaders/gemm.wgsl). */
  readonly gemm: 'tiled' | 'direct';
}

/** Reads `const NAME: u32 = 32u;` from WGSL so TypeScript uses the shader's own value. */
export function wgslConstant(code: string, name: string): number {
  const match = new RegExp(`const\\s+${name}\\s*:\\s*u32\\s*=\\s*(\\d+)u\\s*;`).exec(code);
  if (!match) throw new Error(`WGSL constant ${name} not found`);
  return Number(match[1]);
}
