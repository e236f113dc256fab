import { DestroyedError, DeviceLostError, LimitError, ShapeError, ValueError } from './errors.js';
import type { GpuContext } from './gpu/context.js';
import { GEMM, GEMM_VARIANTS } from './gpu/gemm.js';
import { checkBufferSize } from './gpu/grid.js';
import { compilePipeline, reflect } from './gpu/kernel.js';
import type { Layer, LsaHead, LsaOptions, MlpLayer, TokenShape } from './layers.js';
import { createLsaProgram } from './ops/lsa.js';
import { tokenCount, type LayerProgram } from './ops/program.js';
import { createReluMlpProgram } from './ops/reluMlp.js';
import { createTransformerProgram } from './ops/transformer.js';
import { checkShape, checkValues, describe, elementCount } from './shape.js';
import { GpuTensor, type Tensor, type TensorOwner } from './tensor.js';

/**
 * A layer or stack compiled for one token shape, for WebGPU apps that own their buffers:
 * `encode` records into the caller's encoder (no submit, no readback); `destroy` frees only
 * what the kernel allocated (weights, uniforms, scratch), never the caller's buffers.
 */
export interface Kernel {
  readonly shape: TokenShape;
  /** Bytes `input` and `output` must hold at least: batch × width × tokens × 4. */
  readonly byteLength: number;
  /** input, output: [B, D, N] f32 storage buffers, distinct (no in-place). */
  encode(encoder: GPUCommandEncoder, input: GPUBuffer, output: GPUBuffer): void;
  destroy(): void;
}

export interface Runtime {
  readonly device: GPUDevice;
  tensor(data: Float32Array, shape: readonly number[]): Tensor;
  lsa(h: Tensor, heads: LsaHead[], options?: LsaOptions): Tensor;
  reluMlp(h: Tensor, layer: MlpLayer): Tensor;
  /** The whole stack in one command buffer and one submit, no readback in between. */
  transformer(h: Tensor, layers: Layer[]): Tensor;
  createLsa(heads: LsaHead[], shape: TokenShape, options?: LsaOptions): Kernel;
  createReluMlp(layer: MlpLayer, shape: TokenShape): Kernel;
  createTransformer(layers: Layer[], shape: TokenShape): Kernel;
  /** Frees every tensor and kernel this runtime made; the device stays the caller's. */
  destroy(): void;
}

/** Compiles the kernels for `device` (the caller keeps ownership of it). */
export async function createRuntime(device: GPUDevice): Promise<Runtime> {
  if (!device || typeof device.createBuffer !== 'function') {
    throw new ValueError(`createRuntime: expected a GPUDevice, got ${String(device)}`);
  }
  const storage = reflect(GEMM).bindings.filter((b) => b.type !== 'uniform').length;
  if (storage > device.limits.maxStorageBuffersPerShaderStage) {
    throw new LimitError(
      `createRuntime: kernels bind ${storage} storage buffers, more than maxStorageBuffersPerShaderStage = ${device.limits.maxStorageBuffersPerShaderStage}`,
    );
  }
  await Promise.all(GEMM_VARIANTS.map((constants) => compilePipeline(device, GEMM, constants)));
  return new RuntimeImpl(device);
}

class RuntimeImpl implements Runtime, TensorOwner {
  private readonly ctx: GpuContext;
  private readonly tensors = new Set<GpuTensor>();
  private readonly kernels = new Set<KernelImpl>();
  private destroyed = false;
  lostMessage: string | null = null;
  readonly lost: Promise<string>;

  constructor(readonly device: GPUDevice) {
    this.ctx = {
      device,
      limits: device.limits,
      placeholder: device.createBuffer({ label: 'Runtime.placeholder', size: 16, usage: GPUBufferUsage.STORAGE }),
    };
    this.lost = device.lost.then((info) => {
      this.lostMessage = info.message || info.reason || 'unknown reason';
      return this.lostMessage;
    });
  }

  tensor(data: Float32Array, shape: readonly number[]): Tensor {
    this.assertUsable('tensor');
    checkShape('tensor', shape);
    if (!(data instanceof Float32Array)) {
      throw new ValueError(`tensor: expected a Float32Array, got ${Object.prototype.toString.call(data)}`);
    }
    checkValues(`tensor ${describe(shape)}`, data, elementCount(shape));
    const t = this.allocate(shape, 'Tensor.data');
    this.device.queue.writeBuffer(t.buffer, 0, data as Float32Array<ArrayBuffer>);
    return t;
  }

  lsa(h: Tensor, heads: LsaHead[], options?: LsaOptions): Tensor {
    const shape = this.tokenShape('lsa', h);
    return this.runOnce(h, shape, createLsaProgram(this.ctx, heads, shape, options));
  }

  reluMlp(h: Tensor, layer: MlpLayer): Tensor {
    const shape = this.tokenShape('reluMlp', h);
    return this.runOnce(h, shape, createReluMlpProgram(this.ctx, layer, shape));
  }

  transformer(h: Tensor, layers: Layer[]): Tensor {
    const shape = this.tokenShape('transformer', h);
    return this.runOnce(h, shape, createTransformerProgram(this.ctx, layers, shape));
  }

  createLsa(heads: LsaHead[], shape: TokenShape, options?: LsaOptions): Kernel {
    this.assertUsable('createLsa');
    checkTokenShape('createLsa', shape);
    return this.kernel(shape, createLsaProgram(this.ctx, heads, shape, options));
  }

  createReluMlp(layer: MlpLayer, shape: TokenShape): Kernel {
    this.assertUsable('createReluMlp');
    checkTokenShape('createReluMlp', shape);
    return this.kernel(shape, createReluMlpProgram(this.ctx, layer, shape));
  }

  createTransformer(layers: Layer[], shape: TokenShape): Kernel {
    this.assertUsable('createTransformer');
    checkTokenShape('createTransformer', shape);
    return this.kernel(shape, createTransformerProgram(this.ctx, layers, shape));
  }

  destroy(): void {
    if (this.destroyed) return;
    for (const k of [...this.kernels]) k.destroy();
    for (const t of [...this.tensors]) t.destroy();
    this.ctx.placeholder.destroy();
    this.destroyed = true;
  }

  forget(tensor: GpuTensor): void {
    this.tensors.delete(tensor);
  }

  forgetKernel(kernel: KernelImpl): void {
    this.kernels.delete(kernel);
  }

  private assertUsable(what: string): void {
    if (this.destroyed) throw new DestroyedError(`${what}: the runtime was destroyed`);
    if (this.lostMessage !== null) throw new DeviceLostError(`${what}: the device was lost (${this.lostMessage})`);
  }

  /** Checks that `h` is a live [B, D, N] tensor of this runtime and returns its shape. */
  private tokenShape(what: string, h: Tensor): TokenShape {
    this.assertUsable(what);
    if (!(h instanceof GpuTensor) || h.owner !== this) {
      throw new ValueError(`${what}: expected a tensor made by this runtime, got ${String(h)}`);
    }
    if (h.destroyed) throw new DestroyedError(`${what}: input tensor ${describe(h.shape)} was destroyed`);
    if (h.shape.length !== 3) {
      throw new ShapeError(`${what}: expected h of rank 3 [batch, width, tokens], got rank ${h.shape.length} ${describe(h.shape)}`);
    }
    const [batch, width, tokens] = h.shape as [number, number, number];
    return { batch, width, tokens };
  }

  private allocate(shape: readonly number[], label: string): GpuTensor {
    const bytes = elementCount(shape) * 4;
    checkBufferSize(`tensor ${describe(shape)}`, bytes, this.ctx.limits);
    const buffer = this.device.createBuffer({
      label,
      size: bytes,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const t = new GpuTensor(this, buffer, [...shape]);
    this.tensors.add(t);
    return t;
  }

  private kernel(shape: TokenShape, program: LayerProgram): KernelImpl {
    let k: KernelImpl;
    try {
      k = new KernelImpl(this.ctx, shape, program, this);
    } catch (error) {
      program.destroy();
      throw error;
    }
    this.kernels.add(k);
    return k;
  }

  /** Convenience path: one encoder, one submit; temporaries are freed once the GPU is done. */
  private runOnce(h: Tensor, shape: TokenShape, program: LayerProgram): Tensor {
    const kernel = this.kernel(shape, program);
    const out = this.allocate(h.shape, `${program.label}.output`);
    const encoder = this.device.createCommandEncoder({ label: `${program.label}.encoder` });
    kernel.encode(encoder, h.buffer, out.buffer);
    this.device.queue.submit([encoder.finish()]);
    void this.device.queue.onSubmittedWorkDone().finally(() => kernel.destroy());
    return out;
  }
}

function checkTokenShape(what: string, shape: TokenShape): void {
  if (shape === null || typeof shape !== 'object') {
    throw new ShapeError(`${what}: expected { batch, width, tokens }, got ${String(shape)}`);
  }
  checkShape(`${what} { batch, width, tokens }`, [shape.batch, shape.width, shape.tokens], 3);
}

class KernelImpl implements Kernel {
  readonly byteLength: number;
  private scratch: Record<string, GPUBuffer> | null;

  constructor(
    private readonly ctx: GpuContext,
    readonly shape: TokenShape,
    private readonly program: LayerProgram,
    private readonly owner: RuntimeImpl,
  ) {
    this.byteLength = tokenCount(shape) * 4;
    checkBufferSize(`${program.label} tokens`, this.byteLength, ctx.limits);
    this.scratch = {};
    for (const [name, count] of Object.entries(program.scratch)) {
      this.scratch[name] = ctx.device.createBuffer({
        label: `${program.label}.${name}`,
        size: Math.max(count, 1) * 4,
        usage: GPUBufferUsage.STORAGE,
      });
    }
  }

  encode(encoder: GPUCommandEncoder, input: GPUBuffer, output: GPUBuffer): void {
    if (!this.scratch) throw new DestroyedError(`${this.program.label} kernel was destroyed`);
    for (const [name, buffer] of [['input', input], ['output', output]] as const) {
      if (!buffer || typeof buffer.size !== 'number') {
        throw new ValueError(`${this.program.label}.encode: expected ${name} to be a GPUBuffer, got ${String(buffer)}`);
      }
      if (buffer.size < this.byteLength) {
        throw new ShapeError(`${this.program.label}.encode: expected ${name} of at least ${this.byteLength} bytes for ${describe([this.shape.batch, this.shape.width, this.shape.tokens])} f32, got ${buffer.size}`);
      }
      if ((buffer.usage & GPUBufferUsage.STORAGE) === 0) {
        throw new ValueError(`${this.program.label}.encode: expected ${name} to have STORAGE usage, got usage ${buffer.usage}`);
      }
    }
    if (input === output) throw new ValueError(`${this.program.label}.encode: expected distinct input and output buffers, got the same buffer`);
    const pass = encoder.beginComputePass({ label: `${this.program.label}.pass` });
    this.program.record(pass, { ...this.scratch, input, output });
    pass.end();
  }

  destroy(): void {
    if (!this.scratch) return;
    this.program.destroy();
    for (const b of Object.values(this.scratch)) b.destroy();
    this.scratch = null;
    this.owner.forgetKernel(this);
  }
}
