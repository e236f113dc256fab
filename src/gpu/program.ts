import type { GpuContext } from './context.js';
import { workgroupGrid } from './grid.js';
import { bindGroup, packUniform, pipeline, reflect, type Constants, type Pipeline, type ShaderSpec } from './kernel.js';

/** One dispatch: a shader variant, its uniform values, its workgroup count and its buffers by name. */
export interface DispatchStep {
  label: string;
  spec: ShaderSpec;
  constants: Constants;
  uniform: Readonly<Record<string, number>>;
  /** Total workgroups; folded into x/y within the device limit. */
  workgroups: number;
  /** WGSL storage binding name → program buffer name, or null for the placeholder. */
  buffers: Readonly<Record<string, string | null>>;
}

interface Prepared {
  step: DispatchStep;
  compiled: Pipeline;
  grid: [number, number];
  uniformName: string | null;
  uniformOffset: number;
  uniformSize: number;
}

/**
 * A fixed sequence of dispatches over named buffers. Shapes are known at creation, so all
 * uniforms are packed into one buffer (one aligned slot per dispatch) and written once;
 * `record` only binds buffers and dispatches, and can be called any number of times.
 */
export class Program {
  private readonly uniforms: GPUBuffer;
  private readonly prepared: Prepared[];

  constructor(private readonly ctx: GpuContext, readonly label: string, steps: readonly DispatchStep[]) {
    const align = ctx.limits.minUniformBufferOffsetAlignment;
    let offset = 0;
    const packed: ArrayBuffer[] = [];
    this.prepared = steps.map((step) => {
      const info = reflect(step.spec).uniform;
      const data = info ? packUniform(step.spec, step.uniform) : new ArrayBuffer(0);
      packed.push(data);
      const prepared: Prepared = {
        step,
        compiled: pipeline(ctx.device, step.spec, step.constants),
        grid: workgroupGrid(step.workgroups, ctx.limits, `${label} ${step.label}`),
        uniformName: info?.name ?? null,
        uniformOffset: offset,
        uniformSize: data.byteLength,
      };
      offset += Math.ceil(data.byteLength / align) * align;
      return prepared;
    });
    this.uniforms = ctx.device.createBuffer({
      label: `${label}.uniforms`,
      size: Math.max(offset, 16),
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.prepared.forEach((p, i) => {
      if (packed[i]!.byteLength > 0) ctx.device.queue.writeBuffer(this.uniforms, p.uniformOffset, packed[i]!);
    });
  }

  /** Records every step into `pass`; `buffers` maps the steps' buffer names to GPU buffers. */
  record(pass: GPUComputePassEncoder, buffers: Readonly<Record<string, GPUBuffer>>): void {
    for (const { step, compiled, grid, uniformName, uniformOffset, uniformSize } of this.prepared) {
      const resources: Record<string, GPUBufferBinding> = {};
      if (uniformName) resources[uniformName] = { buffer: this.uniforms, offset: uniformOffset, size: uniformSize };
      for (const [binding, name] of Object.entries(step.buffers)) {
        const buffer = name === null ? this.ctx.placeholder : buffers[name];
        if (!buffer) throw new Error(`${this.label}: buffer '${name}' was not bound`);
        resources[binding] = { buffer };
      }
      pass.setPipeline(compiled.pipeline);
      pass.setBindGroup(0, bindGroup(this.ctx.device, compiled, `${this.label}.${step.label}.bindGroup`, resources));
      pass.dispatchWorkgroups(grid[0], grid[1]);
    }
  }

  destroy(): void {
    this.uniforms.destroy();
  }
}
