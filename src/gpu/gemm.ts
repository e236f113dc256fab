import gemmCode from '../../shaders/gemm.wgsl?raw';
import { bindGroup, packUniform, pipeline, type Pipeline, type ShaderSpec } from './kernel.js';
import { wgslConstant, type GpuContext } from './context.js';
import { workgroupGrid } from './grid.js';

export const GEMM: ShaderSpec = { label: 'Gemm', code: gemmCode, entryPoint: 'gemm' };
const TILE_M = wgslConstant(gemmCode, 'TILE_M');
const TILE_N = wgslConstant(gemmCode, 'TILE_N');
/** Every epilogue variant the ops use; compiled up front by `createRuntime`. */
export const GEMM_VARIANTS = [
  {},
  { RESIDUAL: true },
  { BIAS: true, RELU: true },
  { BIAS: true, RESIDUAL: true },
] as const;

/** Strided view of an operand: element (z, r, c) at off + z*batch + r*row + c*col + ⌊c/block⌋*blockSkip. */
export interface View {
  off?: number;
  batch: number;
  row: number;
  col: number;
  block?: number;
  blockSkip?: number;
}

/** One `C[z] = A[z]·B[z] (+bias) (ReLU) (+R[z])` over named buffers bound at record time. */
export interface GemmStep {
  label: string;
  m: number;
  n: number;
  k: number;
  batch: number;
  a: readonly [string, View];
  b: readonly [string, View];
  c: readonly [string, View];
  /** Residual addend, read with C's view. */
  residual?: string;
  bias?: readonly [string, number];
  relu?: boolean;
}

const NO_BLOCK = 0xffffffff;

interface Prepared {
  step: GemmStep;
  compiled: Pipeline;
  grid: [number, number];
  uniformOffset: number;
}

/**
 * A fixed sequence of GEMM dispatches. Shapes are known at creation, so the uniforms are
 * packed and uploaded once; `record` only binds buffers and dispatches.
 */
export class GemmProgram {
  private readonly uniforms: GPUBuffer;
  private readonly prepared: Prepared[];
  private readonly uniformSize: number;

  constructor(private readonly ctx: GpuContext, readonly label: string, steps: readonly GemmStep[]) {
    const align = ctx.limits.minUniformBufferOffsetAlignment;
    const packed = steps.map((s) => packUniform(GEMM, uniformValues(s)));
    this.uniformSize = packed[0]?.byteLength ?? 16;
    const stride = Math.ceil(this.uniformSize / align) * align;
    this.prepared = steps.map((step, i) => {
      const constants = { BIAS: step.bias !== undefined, RELU: step.relu === true, RESIDUAL: step.residual !== undefined };
      const tiles = Math.ceil(step.m / TILE_M) * Math.ceil(step.n / TILE_N) * step.batch;
      return {
        step,
        compiled: pipeline(ctx.device, GEMM, constants),
        grid: workgroupGrid(tiles, ctx.limits, `${label} ${step.label}`),
        uniformOffset: i * stride,
      };
    });
    this.uniforms = ctx.device.createBuffer({
      label: `${label}.uniforms`,
      size: Math.max(stride * steps.length, 16),
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    packed.forEach((data, i) => ctx.device.queue.writeBuffer(this.uniforms, i * stride, data));
  }

  /** Records every step into `pass`; `buffers` maps the step's names to GPU buffers. */
  record(pass: GPUComputePassEncoder, buffers: Readonly<Record<string, GPUBuffer>>): void {
    const get = (name: string): GPUBuffer => {
      const buffer = buffers[name];
      if (!buffer) throw new Error(`${this.label}: buffer '${name}' was not bound`);
      return buffer;
    };
    const placeholder = { buffer: this.ctx.placeholder };
    for (const { step, compiled, grid, uniformOffset } of this.prepared) {
      pass.setPipeline(compiled.pipeline);
      pass.setBindGroup(
        0,
        bindGroup(this.ctx.device, compiled, `${this.label}.${step.label}.bindGroup`, {
          p: { buffer: this.uniforms, offset: uniformOffset, size: this.uniformSize },
          a: { buffer: get(step.a[0]) },
          b: { buffer: get(step.b[0]) },
          c: { buffer: get(step.c[0]) },
          r: step.residual ? { buffer: get(step.residual) } : placeholder,
          bias: step.bias ? { buffer: get(step.bias[0]) } : placeholder,
        }),
      );
      pass.dispatchWorkgroups(grid[0], grid[1]);
    }
  }

  destroy(): void {
    this.uniforms.destroy();
  }
}

export function uniformValues(s: GemmStep): Record<string, number> {
  const [, a] = s.a;
  const [, b] = s.b;
  const [, c] = s.c;
  return {
    m: s.m,
    n: s.n,
    k: s.k,
    batch: s.batch,
    tiles_m: Math.ceil(s.m / TILE_M),
    tiles_n: Math.ceil(s.n / TILE_N),
    a_off: a.off ?? 0,
    a_batch: a.batch,
    a_row: a.row,
    a_col: a.col,
    a_block: a.block ?? NO_BLOCK,
    a_block_skip: a.blockSkip ?? 0,
    b_off: b.off ?? 0,
    b_batch: b.batch,
    b_row: b.row,
    b_col: b.col,
    c_off: c.off ?? 0,
    c_batch: c.batch,
    c_row: c.row,
    c_col: c.col,
    bias_off: s.bias?.[1] ?? 0,
  };
}
