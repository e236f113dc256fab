import type { GpuContext } from '../gpu/context.js';
import { Plan } from '../gpu/plan.js';
import { checkLayers, type Layer, type TokenShape } from '../layers.js';
import { tokenCount } from '../ops/fragment.js';
import type { GpuTensor, Tensor } from '../tensor.js';
import { backpropSteps } from './backprop.js';
import { trainingOp } from './op.js';
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

/**
 * VJP of the whole stack for L = Σ gradOutput ⊙ transformer(h, layers): one forward pass that
 * keeps activations, one backward pass and the copy of the weight gradients: one submit, one map.
 */
export async function gradients(host: TrainingHost, h: GpuTensor, shape: TokenShape, layers: Layer[], gradOutput: GpuTensor): Promise<Gradients> {
  const { ctx } = host;
  checkLayers(layers, shape);
  const layout = parameterLayout(layers, shape.width);
  const bp = backpropSteps(layout, shape, ctx.gemm);
  const bytes = tokenCount(shape) * 4;
  const plan = new Plan(ctx, trainingOp, {
    label: 'Gradients',
    slots: { input: bytes, gradOutput: bytes, gradInput: bytes },
    outputs: ['gradInput'],
    scratch: { ...bp.scratch, grads: layout.size, output: tokenCount(shape) },
    data: { params: packParameters(layers, layout) },
    steps: [...bp.forward, ...bp.backward],
  });
  // NaN until written: a gradient no step writes cannot pass for a value.
  ctx.device.queue.writeBuffer(plan.buffer('grads'), 0, new Float32Array(Math.max(layout.size, 1)).fill(Number.NaN));
  const input = host.allocate([shape.batch, shape.width, shape.tokens], 'Gradients.input');
  ctx.device.queue.writeBuffer(input.buffer, 0, new Float32Array(tokenCount(shape)).fill(Number.NaN));
  try {
    const encoder = ctx.device.createCommandEncoder({ label: 'Gradients.encoder' });
    plan.encode(encoder, { input: h.buffer, gradOutput: gradOutput.buffer, gradInput: input.buffer });
    const grads = new Float32Array(await host.read(plan.buffer('grads'), Math.max(layout.size, 1) * 4, encoder));
    return { input, layers: unpackParameters(grads, layout) };
  } catch (error) {
    input.destroy();
    throw error;
  } finally {
    plan.destroy();
  }
}
