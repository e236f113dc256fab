import { DestroyedError, DeviceLostError, LimitError, ShapeError, ValueError } from './errors.js';
import type { GpuContext } from './gpu/context.js';
import { GEMM, GEMM_DIRECT, GEMM_DIRECT_SMALL, type GemmKernel } from './gpu/gemm.js';
import { checkBufferSize } from './gpu/grid.js';
import { compilePipeline, reflect } from './gpu/kernel.js';
import { invertOnGpu, resolveInvertOptions, type InvertOptions } from './ops/invert.js';
import { createStepProgram, matrixShape, resolveStepOptions, type NewtonSchulzOptions } from './ops/newtonSchulz.js';
import { FUSED_PIPELINES, PIPELINES } from './ops/pipelines.js';
import type { Layer, LsaHead, LsaOptions, MlpLayer, TokenShape } from './layers.js';
import { createLsaProgram } from './ops/lsa.js';
import { tokenCount, type LayerProgram } from './ops/program.js';
import { createReluMlpProgram } from './ops/reluMlp.js';
import { createTransformerProgram } from './ops/transformer.js';
import { checkShape, checkValues, describe, elementCount } from './shape.js';
import { GpuTensor, readBuffer, type Tensor, type TensorOwner } from './tensor.js';

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

/** A matrix op compiled for one shape: records `output = f(a, x)` into the caller's encoder. */
export interface MatrixKernel {
  /** Bytes each of a, x and output must hold at least: B × n × n × 4. */
  readonly byteLength: number;
  /** a, x, output: [B, n, n] f32 storage buffers; output distinct from both inputs. */
  encode(encoder: GPUCommandEncoder, a: GPUBuffer, x: GPUBuffer, output: GPUBuffer): void;
  destroy(): void;
}

export interface Runtime {
  readonly device: GPUDevice;
  /** The GEMM schedule in use ('tiled' or 'direct'). */
  readonly gemm: GemmKernel;
  tensor(data: Float32Array, shape: readonly number[]): Tensor;
  lsa(h: Tensor, heads: LsaHead[], options?: LsaOptions): Tensor;
  reluMlp(h: Tensor, layer: MlpLayer): Tensor;
  /** The whole stack in one command buffer and one submit, no readback in between. */
  transformer(h: Tensor, layers: Layer[]): Tensor;
  /** One Newton–Schulz step `X' = X Σ_{m<p} (−1)^m C(p, m+1) (AX)^m` on [B, n, n] (or [n, n]). */
  newtonSchulzStep(a: Tensor, x: Tensor, options?: NewtonSchulzOptions): Tensor;
  /** A⁻¹ by Newton–Schulz from `X₀ = Aᵀ / (‖A‖₁‖A‖∞)`, each matrix of the batch stopping on its own. */
  invert(a: Tensor, options?: InvertOptions): Promise<Inverse>;
  createLsa(heads: LsaHead[], shape: TokenShape, options?: LsaOptions): Kernel;
  /** One Newton–Schulz step for [B, n, n] (or [n, n]) matrices into caller-owned buffers. */
  createNewtonSchulzStep(shape: readonly number[], options?: NewtonSchulzOptions): MatrixKernel;
  createReluMlp(layer: MlpLayer, shape: TokenShape): Kernel;
  createTransformer(layers: Layer[], shape: TokenShape): Kernel;
  /** Frees every tensor and kernel this runtime made; the device stays the caller's. */
  destroy(): void;
}

export interface Inverse {
  inverse: Tensor;
  /** Steps taken by the matrix that took the most. */
  iterations: number;
  /** ‖I − A X‖_F of the returned X, per matrix. */
  residual: Float32Array;
  /** Per matrix: residual ≤ tolerance (or ≤ 0.1 at the float32 floor when no tolerance was given). */
  converged: boolean[];
  /** Steps per matrix. */
  matrixIterations: Uint32Array;
  /** The initial scaling α of `X₀ = α Aᵀ` per matrix (0 when A could not start: zero or non-finite). */
  alpha: Float32Array;
  /** Command buffers submitted and status readbacks made (one per chunk of steps). */
  submits: number;
  readbacks: number;
}

export interface RuntimeOptions {
  /**
   * GEMM schedule: 'tiled' (workgroup-memory tiles, for GPUs) or 'direct' (no workgroup memory
   * or barriers, for CPU adapters such as SwiftShader, where both are emulated). Default: 'direct'
   * on a software adapter, else 'tiled'.
   */
  gemm?: GemmKernel;
}

/** True for CPU-emulated adapters (SwiftShader, llvmpipe/lavapipe, WARP). */
export function isSoftwareAdapter(info: Partial<GPUAdapterInfo> | undefined): boolean {
  return /swiftshader|llvmpipe|lavapipe|warp|software/i.test(`${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.description ?? ''}`);
}

/** Compiles the kernels for `device` (the caller keeps ownership of it). */
export async function createRuntime(device: GPUDevice, options: RuntimeOptions = {}): Promise<Runtime> {
  if (!device || typeof device.createBuffer !== 'function') {
    throw new ValueError(`createRuntime: expected a GPUDevice, got ${String(device)}`);
  }
  const gemmKernel = options.gemm ?? (isSoftwareAdapter((device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo) ? 'direct' : 'tiled');
  if (gemmKernel !== 'tiled' && gemmKernel !== 'direct') throw new ValueError(`createRuntime: expected gemm 'tiled' or 'direct', got ${String(gemmKernel)}`);
  const pipelines = [
    ...PIPELINES.flatMap(([spec, constants]) =>
      spec !== GEMM ? [[spec, constants] as const] : gemmKernel === 'tiled' ? [[GEMM, constants] as const] : [[GEMM_DIRECT, constants] as const, [GEMM_DIRECT_SMALL, constants] as const],
    ),
    ...FUSED_PIPELINES[gemmKernel],
  ];
  for (const [spec] of pipelines) {
    const storage = reflect(spec).bindings.filter((b) => b.type !== 'uniform').length;
    if (storage > device.limits.maxStorageBuffersPerShaderStage) {
      throw new LimitError(
        `createRuntime: ${spec.label} binds ${storage} storage buffers, more than maxStorageBuffersPerShaderStage = ${device.limits.maxStorageBuffersPerShaderStage}`,
      );
    }
  }
  await Promise.all(pipelines.map(([spec, constants]) => compilePipeline(device, spec, constants)));
  return new RuntimeImpl(device, gemmKernel);
}

class RuntimeImpl implements Runtime, TensorOwner {
  private readonly ctx: GpuContext;
  private readonly tensors = new Set<GpuTensor>();
  private readonly disposables = new Set<{ destroy(): void }>();
  private destroyed = false;
  lostMessage: string | null = null;
  readonly lost: Promise<string>;

  get gemm(): GemmKernel {
    return this.ctx.gemm;
  }

  constructor(readonly device: GPUDevice, gemm: GemmKernel) {
    this.ctx = {
      device,
      gemm,
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

  newtonSchulzStep(a: Tensor, x: Tensor, options?: NewtonSchulzOptions): Tensor {
    const shape = matrixShape('newtonSchulzStep a', this.live('newtonSchulzStep', a).shape);
    const xs = matrixShape('newtonSchulzStep x', this.live('newtonSchulzStep', x).shape);
    if (xs.batch !== shape.batch || xs.n !== shape.n) {
      throw new ShapeError(`newtonSchulzStep: expected x of shape ${describe(a.shape)} like a, got ${describe(x.shape)}`);
    }
    const kernel = this.createNewtonSchulzStep([shape.batch, shape.n, shape.n], options);
    const out = this.allocate(a.shape, 'NewtonSchulz.output');
    const encoder = this.device.createCommandEncoder({ label: 'NewtonSchulz.encoder' });
    kernel.encode(encoder, a.buffer, x.buffer, out.buffer);
    this.device.queue.submit([encoder.finish()]);
    void this.device.queue.onSubmittedWorkDone().finally(() => kernel.destroy());
    return out;
  }

  createNewtonSchulzStep(shape: readonly number[], options?: NewtonSchulzOptions): MatrixKernel {
    this.assertUsable('createNewtonSchulzStep');
    checkShape('createNewtonSchulzStep shape', shape);
    const ms = matrixShape('createNewtonSchulzStep', shape);
    const resolved = resolveStepOptions('createNewtonSchulzStep', ms, options);
    const { program, scratch } = createStepProgram(this.ctx, ms, resolved);
    const byteLength = ms.batch * ms.n * ms.n * 4;
    const temporaries: Record<string, GPUBuffer> = {};
    for (const [name, count] of Object.entries(scratch)) {
      temporaries[name] = this.device.createBuffer({ label: `NewtonSchulz.${name}`, size: count * 4, usage: GPUBufferUsage.STORAGE });
    }
    let live = true;
    const kernel: MatrixKernel = {
      byteLength,
      encode: (encoder, a, x, output) => {
        if (!live) throw new DestroyedError('NewtonSchulz kernel was destroyed');
        checkBuffers('NewtonSchulz.encode', byteLength, { a, x, output });
        const pass = encoder.beginComputePass({ label: 'NewtonSchulz.pass' });
        program.record(pass, { ...temporaries, a, x, xNext: output });
        pass.end();
      },
      destroy: () => {
        if (!live) return;
        live = false;
        program.destroy();
        for (const b of Object.values(temporaries)) b.destroy();
        this.disposables.delete(kernel);
      },
    };
    this.disposables.add(kernel);
    return kernel;
  }

  async invert(a: Tensor, options?: InvertOptions): Promise<Inverse> {
    const shape = matrixShape('invert a', this.live('invert', a).shape);
    const resolved = resolveInvertOptions(shape, options);
    const r = await invertOnGpu(this.ctx, (encoder, buffer, bytes) => readBuffer(this, buffer, bytes, encoder), a.buffer, shape, resolved);
    const inverse = new GpuTensor(this, r.x, [...a.shape]);
    this.tensors.add(inverse);
    return {
      inverse,
      iterations: Math.max(...r.iterations),
      residual: r.residual,
      converged: r.converged,
      matrixIterations: r.iterations,
      alpha: r.alpha,
      submits: r.submits,
      readbacks: r.readbacks,
    };
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
    for (const k of [...this.disposables]) k.destroy();
    for (const t of [...this.tensors]) t.destroy();
    this.ctx.placeholder.destroy();
    this.destroyed = true;
  }

  forget(tensor: GpuTensor): void {
    this.tensors.delete(tensor);
  }

  forgetKernel(kernel: KernelImpl): void {
    this.disposables.delete(kernel);
  }

  private assertUsable(what: string): void {
    if (this.destroyed) throw new DestroyedError(`${what}: the runtime was destroyed`);
    if (this.lostMessage !== null) throw new DeviceLostError(`${what}: the device was lost (${this.lostMessage})`);
  }

  /** Checks that `t` is a live tensor of this runtime. */
  private live(what: string, t: Tensor): GpuTensor {
    this.assertUsable(what);
    if (!(t instanceof GpuTensor) || t.owner !== this) {
      throw new ValueError(`${what}: expected a tensor made by this runtime, got ${String(t)}`);
    }
    if (t.destroyed) throw new DestroyedError(`${what}: input tensor ${describe(t.shape)} was destroyed`);
    return t;
  }

  /** Checks that `h` is a live [B, D, N] tensor of this runtime and returns its shape. */
  private tokenShape(what: string, h: Tensor): TokenShape {
    this.live(what, h);
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
    this.disposables.add(k);
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

/** Caller-owned buffers: GPUBuffers with STORAGE usage, large enough, the output distinct from every input. */
function checkBuffers(what: string, byteLength: number, buffers: Readonly<Record<string, GPUBuffer>>): void {
  for (const [name, buffer] of Object.entries(buffers)) {
    if (!buffer || typeof buffer.size !== 'number') {
      throw new ValueError(`${what}: expected ${name} to be a GPUBuffer, got ${String(buffer)}`);
    }
    if (buffer.size < byteLength) {
      throw new ShapeError(`${what}: expected ${name} of at least ${byteLength} bytes, got ${buffer.size}`);
    }
    if ((buffer.usage & GPUBufferUsage.STORAGE) === 0) {
      throw new ValueError(`${what}: expected ${name} to have STORAGE usage, got usage ${buffer.usage}`);
    }
  }
  const { output, ...inputs } = buffers;
  for (const [name, buffer] of Object.entries(inputs)) {
    if (buffer === output) throw new ValueError(`${what}: expected output distinct from ${name}, got the same buffer (no in-place)`);
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
    checkBuffers(`${this.program.label}.encode`, this.byteLength, { input, output });
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
