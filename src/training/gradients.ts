import type { GpuContext } from '../gpu/context.js';
import { Program } from '../gpu/program.js';
import { checkLayers, type Layer, type TokenShape } from '../layers.js';
import { checkSizes, tokenCount } from '../ops/program.js';
import type { GpuTensor, Tensor } from '../tensor.js';
import { backpropSteps } from './backprop.js';
import { packParameters, parameterLayout, unpackParameters } from './parameters.js';

export interface Gradients {
  /** dL/dh, [B, D, N]. */
  input: Tensor;
  /** The stack's structure with each weight replaced by dL/dweight (Float32Array, summed over the batch). */
  layers: Layer[];
}

/** What the training code needs from its runtime. */
export interface TrainingHost {
  readonly ctx: GpuContext;
  allocate(shape: readonly number[], label: string): GpuTensor;
  /** Reads `buffer` back; with `encoder`, records the copy into it and submits it. */
  read(buffer: GPUBuffer, bytes: number, encoder?: GPUCommandEncoder): Promise<ArrayBuffer>;
}

/** Creates a storage buffer (zero-filled by WebGPU), optionally uploading `data`. */
export function storage(ctx: GpuContext, label: string, elements: number, data?: Float32Array): GPUBuffer {
  const buffer = ctx.device.createBuffer({
    label,
    size: Math.max(elements, 1) * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  if (data) ctx.device.queue.writeBuffer(buffer, 0, data as Float32Array<ArrayBuffer>);
  return buffer;
}

/**
 * VJP of the whole stack for L = Σ gradOutput ⊙ transformer(h, layers): one forward pass that
 * keeps activations, one backward pass and the copy of the weight gradients: one submit, one map.
 */
export async function gradients(host: TrainingHost, h: GpuTensor, shape: TokenShape, layers: Layer[], gradOutput: GpuTensor): Promise<Gradients> {
  const { ctx } = host;
  checkLayers(layers, shape);
  const layout = parameterLayout(layers, shape.width);
  const bp = backpropSteps(layout, shape, ctx.gemm);
  checkSizes(ctx, 'gradients', { ...bp.scratch, params: layout.size, output: tokenCount(shape) });
  const program = new Program(ctx, 'Gradients', [...bp.forward, ...bp.backward]);
  const buffers: Record<string, GPUBuffer> = {
    params: storage(ctx, 'Gradients.params', layout.size, packParameters(layers, layout)),
    // NaN until written: a gradient slot no step writes cannot pass for a value.
    grads: storage(ctx, 'Gradients.grads', layout.size, new Float32Array(Math.max(layout.size, 1)).fill(Number.NaN)),
    output: storage(ctx, 'Gradients.output', tokenCount(shape)),
  };
  for (const [name, count] of Object.entries(bp.scratch)) buffers[name] = storage(ctx, `Gradients.${name}`, count);
  const input = host.allocate([shape.batch, shape.width, shape.tokens], 'Gradients.input');
  ctx.device.queue.writeBuffer(input.buffer, 0, new Float32Array(tokenCount(shape)).fill(Number.NaN));
  try {
    const encoder = ctx.device.createCommandEncoder({ label: 'Gradients.encoder' });
    const pass = encoder.beginComputePass({ label: 'Gradients.pass' });
    program.record(pass, { ...buffers, input: h.buffer, gradOutput: gradOutput.buffer, gradInput: input.buffer });
    pass.end();
    const grads = new Float32Array(await host.read(buffers.grads!, Math.max(layout.size, 1) * 4, encoder));
    return { input, layers: unpackParameters(grads, layout) };
  } catch (error) {
    input.destroy();
    throw error;
  } finally {
    program.destroy();
    for (const b of Object.values(buffers)) b.destroy();
  }
}
