import type { GpuContext } from '../gpu/context.js';
import { checkBufferSize } from '../gpu/grid.js';
import type { TokenShape } from '../layers.js';

/**
 * A layer (or stack) ready to record: weights uploaded, uniforms written. It reads `input`,
 * writes `output` and uses named scratch buffers whose element counts it declares.
 */
export interface LayerProgram {
  readonly label: string;
  readonly scratch: Readonly<Record<string, number>>;
  record(pass: GPUComputePassEncoder, buffers: Readonly<Record<string, GPUBuffer>>): void;
  destroy(): void;
}

export function tokenCount(shape: TokenShape): number {
  return shape.batch * shape.width * shape.tokens;
}

/** Refuses any scratch or token size the device cannot bind, before anything is allocated. */
export function checkSizes(ctx: GpuContext, label: string, elements: Readonly<Record<string, number>>): void {
  for (const [name, count] of Object.entries(elements)) checkBufferSize(`${label} ${name}`, count * 4, ctx.limits);
}

/** Uploads weights as one f32 buffer, parts laid end to end (offsets are the running sums). */
export function uploadWeights(ctx: GpuContext, label: string, parts: readonly ArrayLike<number>[]): GPUBuffer {
  const total = parts.reduce((s, p) => s + p.length, 0);
  checkBufferSize(`${label} weights`, total * 4, ctx.limits);
  const data = new Float32Array(Math.max(total, 1));
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  const buffer = ctx.device.createBuffer({
    label: `${label}.weights`,
    size: data.byteLength,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  });
  ctx.device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}
