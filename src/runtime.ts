import { DestroyedError, DeviceLostError, LsaNewtonError, ShapeError, ValueError } from './errors.js';
import type { GpuContext } from './gpu/context.js';
import { checkBufferSize } from './gpu/grid.js';
import type { Family, GemmKernel, Op } from './gpu/op.js';
import { compileVariants } from './gpu/pipelines.js';
import { Plan } from './gpu/plan.js';
import { checkLayers, type Layer, type LsaHead, type LsaOptions, type MlpLayer, type TokenShape } from './layers.js';
import { type Fragment, LAYER_IO, tokenCount } from './ops/fragment.js';
import { type InvertOptions, invertOnGpu, resolveInvertOptions } from './ops/invert.js';
import {
  createLinearAttentionKernel,
  type LinearAttentionKernel,
  type LinearAttentionKernelOptions,
  type LinearAttentionShape,
  linearAttentionPlan,
  resolveCall,
  resolveKernelOptions,
} from './ops/linearAttention.js';
import { lsaFragment, lsaOp } from './ops/lsa.js';
import { type MatmulOptions, matmulFragment, matmulOp, resolveMatmul } from './ops/matmul.js';
import {
  fusedStep,
  matrixShape,
  type NewtonSchulzOptions,
  newtonSchulzOp,
  resolveStepOptions,
  stepGemms,
  stepScratch,
} from './ops/newtonSchulz.js';
import { familyOps, loadTraining } from './ops/registry.js';
import { reluMlpFragment, reluMlpOp } from './ops/reluMlp.js';
import { transformerFragment, transformerOp } from './ops/transformer.js';
import type { PromptTask } from './promptTask.js';
import { checkShape, checkValues, describe, elementCount } from './shape.js';
import { GpuTensor, readBuffer, type Tensor, type TensorOwner } from './tensor.js';
import type { Gradients, TrainingHost } from './training/gradients.js';
import type { PromptSampler } from './training/promptSampler.js';
import type { Trainer, TrainerOptions } from './training/trainer.js';

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

/** A batched product compiled for one pair of shapes. */
export interface MatmulKernel {
  /** Bytes a, b and output must hold at least. */
  readonly byteLengths: { readonly a: number; readonly b: number; readonly output: number };
  encode(encoder: GPUCommandEncoder, a: GPUBuffer, b: GPUBuffer, output: GPUBuffer): void;
  destroy(): void;
}

/** Options of `runtime.linearAttention` (DESIGN.md §7). */
export interface LinearAttentionOptions {
  /** Default 1/√K. */
  scale?: number;
  /** [B, H, K, V]. */
  initialState?: Tensor;
  /**
   * Per-head log-decays (H numbers, each ≤ 0: RetNet's γ = 0.97 is Math.log(0.97)) or per-token log-gates
   * [B, T, H] (≤ 0 by contract, not read back).
   */
  decay?: number[] | Tensor;
  outputFinalState?: boolean;
  /** Tokens per chunk, 1..256; default 64. */
  chunkSize?: number;
}

export interface LinearAttentionResult {
  output: Tensor; // [B, T, H, V]
  finalState?: Tensor; // [B, H, K, V], when outputFinalState
}

export interface Runtime {
  readonly device: GPUDevice;
  /** The GEMM schedule in use ('tiled' or 'direct'). */
  readonly gemm: GemmKernel;
  /**
   * Compiles an op family on demand ('forward' is compiled by createRuntime); idempotent.
   * 'large': the direct schedule's kernel for large products (m, n ≥ 64, k a multiple of 4);
   * objects created afterwards use it (with subgroup operations on devices created with the
   * `subgroups` feature). Nothing on the tiled schedule.
   */
  prepare(family: Family): Promise<void>;
  /** VJP of `transformer` for L = Σ gradOutput ⊙ transformer(h, layers); weight gradients summed over the batch. */
  gradients(h: Tensor, layers: Layer[], gradOutput: Tensor): Promise<Gradients>;
  /** A trainer for one stack and token shape (compiles the training family first). */
  createTrainer(options: TrainerOptions): Promise<Trainer>;
  /** Prompts of the paper's in-context tasks sampled on the GPU; after `await prepare('training')`. */
  createPromptSampler(task: PromptTask): PromptSampler;
  tensor(data: Float32Array, shape: readonly number[]): Tensor;
  lsa(h: Tensor, heads: LsaHead[], options?: LsaOptions): Tensor;
  reluMlp(h: Tensor, layer: MlpLayer): Tensor;
  /** The whole stack in one command buffer and one submit, no readback in between. */
  transformer(h: Tensor, layers: Layer[]): Tensor;
  /** One Newton–Schulz step `X' = X Σ_{m<p} (−1)^m C(p, m+1) (AX)^m` on [B, n, n] (or [n, n]). */
  newtonSchulzStep(a: Tensor, x: Tensor, options?: NewtonSchulzOptions): Tensor;
  /** A⁻¹ by Newton–Schulz from `X₀ = Aᵀ / (‖A‖₁‖A‖∞)`, each matrix of the batch stopping on its own. */
  invert(a: Tensor, options?: InvertOptions): Promise<Inverse>;
  /** Batched `op(A) · op(B)`: a [B?, m, k], b [B?, k, n] (rank 2 broadcasts) → [B, m, n]. */
  matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Tensor;
  /** The same into caller-owned buffers: `encode(encoder, a, b, output)`. */
  createMatmul(aShape: readonly number[], bShape: readonly number[], options?: MatmulOptions): MatmulKernel;
  /**
   * Causal linear attention `S_t = exp(g_t) S_{t−1} + k_t v_tᵀ`, `o_t = scale · S_tᵀ q_t` on q, k [B, T, H, K],
   * v [B, T, H, V]: encodes and submits, no readback.
   */
  linearAttention(q: Tensor, k: Tensor, v: Tensor, options?: LinearAttentionOptions): LinearAttentionResult;
  /** The same over caller-owned buffers, for one shape (T = 1: the decode path, no chunks). */
  createLinearAttention(shape: LinearAttentionShape, options?: LinearAttentionKernelOptions): LinearAttentionKernel;
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
  return /swiftshader|llvmpipe|lavapipe|warp|software/i.test(
    `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.description ?? ''}`,
  );
}

/** Compiles the forward ops for `device` (the caller keeps ownership of it). */
export async function createRuntime(device: GPUDevice, options: RuntimeOptions = {}): Promise<Runtime> {
  if (!device || typeof device.createBuffer !== 'function') {
    throw new ValueError(`createRuntime: expected a GPUDevice, got ${String(device)}`);
  }
  const adapterInfo = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const gemm = options.gemm ?? (isSoftwareAdapter(adapterInfo) ? 'direct' : 'tiled');
  if (gemm !== 'tiled' && gemm !== 'direct')
    throw new ValueError(`createRuntime: expected gemm 'tiled' or 'direct', got ${String(gemm)}`);
  const runtime = new RuntimeImpl(device, gemm);
  await runtime.prepare('forward');
  return runtime;
}

/** The variants of every op of a family under a schedule: what createRuntime and prepare compile. */
export async function familyVariants(family: Family, gemm: GemmKernel) {
  return (await familyOps(family)).flatMap((op) => op.variants(gemm));
}

class RuntimeImpl implements Runtime, TensorOwner {
  private readonly ctx: GpuContext;
  private readonly prepared = new Set<Family>();
  private readonly preparing = new Map<Family, Promise<void>>();
  private readonly tensors = new Set<GpuTensor>();
  /** The training chunk, once prepare('training') has loaded and compiled it. */
  private training: Awaited<ReturnType<typeof loadTraining>> | null = null;
  private destroyed = false;
  lostMessage: string | null = null;
  readonly lost: Promise<string>;

  constructor(
    readonly device: GPUDevice,
    readonly gemm: GemmKernel,
  ) {
    this.ctx = {
      device,
      gemm,
      limits: device.limits,
      placeholder: device.createBuffer({ label: 'Runtime.placeholder', size: 16, usage: GPUBufferUsage.STORAGE }),
      prepared: this.prepared,
      plans: new Set(),
    };
    this.lost = device.lost.then((info) => {
      this.lostMessage = info.message || info.reason || 'unknown reason';
      return this.lostMessage;
    });
  }

  prepare(family: Family): Promise<void> {
    this.assertUsable('prepare');
    if (family !== 'forward' && family !== 'invert' && family !== 'training' && family !== 'large') {
      return Promise.reject(
        new ValueError(`prepare: expected family 'forward', 'invert', 'training' or 'large', got ${String(family)}`),
      );
    }
    let pending = this.preparing.get(family);
    if (!pending) {
      pending = familyVariants(family, this.gemm)
        .then((variants) => compileVariants(this.device, variants))
        .then(async () => {
          if (family === 'training') this.training = await loadTraining();
          this.prepared.add(family);
        });
      pending.catch(() => this.preparing.delete(family));
      this.preparing.set(family, pending);
    }
    return pending;
  }

  async gradients(h: Tensor, layers: Layer[], gradOutput: Tensor): Promise<Gradients> {
    const shape = this.tokenShape('gradients', h);
    this.live('gradients', gradOutput);
    if (gradOutput.shape.length !== 3 || gradOutput.shape.some((s, i) => s !== h.shape[i])) {
      throw new ShapeError(
        `gradients: expected gradOutput of shape ${describe(h.shape)} like h, got ${describe(gradOutput.shape)}`,
      );
    }
    checkLayers(layers, shape);
    await this.prepare('training');
    return (await loadTraining()).gradients(this.host(), h as GpuTensor, shape, layers, gradOutput as GpuTensor);
  }

  async createTrainer(options: TrainerOptions): Promise<Trainer> {
    this.assertUsable('createTrainer');
    await this.prepare('training');
    return (await loadTraining()).createTrainer(this.host(), options);
  }

  createPromptSampler(task: PromptTask): PromptSampler {
    this.assertUsable('createPromptSampler');
    if (!this.training) {
      throw new LsaNewtonError(
        "createPromptSampler: expected the training family to be prepared, got none (await runtime.prepare('training') first)",
      );
    }
    return this.training.createPromptSampler(this.host(), task);
  }

  /** The runtime's side of the training code: context, tensor allocation and readback. */
  private host(): TrainingHost {
    return {
      ctx: this.ctx,
      allocate: (shape, label) => this.allocate(shape, label),
      read: (buffer, bytes, encoder) => readBuffer(this, buffer, bytes, encoder),
    };
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
    return this.runLayer(
      h,
      this.layerPlan(lsaOp, 'Lsa', shape, lsaFragment(this.gemm, heads, shape, options ?? {}, LAYER_IO)),
    );
  }

  reluMlp(h: Tensor, layer: MlpLayer): Tensor {
    const shape = this.tokenShape('reluMlp', h);
    return this.runLayer(
      h,
      this.layerPlan(reluMlpOp, 'ReluMlp', shape, reluMlpFragment(this.gemm, layer, shape, LAYER_IO)),
    );
  }

  transformer(h: Tensor, layers: Layer[]): Tensor {
    const shape = this.tokenShape('transformer', h);
    return this.runLayer(
      h,
      this.layerPlan(transformerOp, 'Transformer', shape, transformerFragment(this.gemm, layers, shape)),
    );
  }

  matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Tensor {
    this.live('matmul', a);
    this.live('matmul', b);
    const kernel = this.createMatmul(a.shape, b.shape, options);
    const out = this.allocate(resolveMatmul('matmul', a.shape, b.shape, options).output, 'Matmul.output');
    this.submitOnce('Matmul', kernel, (encoder) => kernel.encode(encoder, a.buffer, b.buffer, out.buffer));
    return out;
  }

  createMatmul(aShape: readonly number[], bShape: readonly number[], options?: MatmulOptions): MatmulKernel {
    this.assertUsable('createMatmul');
    checkShape('createMatmul a', aShape);
    checkShape('createMatmul b', bShape);
    const s = resolveMatmul('createMatmul', aShape, bShape, options);
    const byteLengths = {
      a: elementCount(aShape) * 4,
      b: elementCount(bShape) * 4,
      output: elementCount(s.output) * 4,
    };
    const plan = this.plan(matmulOp, 'Matmul', byteLengths, ['output'], matmulFragment(this.gemm, s));
    return {
      byteLengths,
      encode: (encoder, a, b, output) => plan.encode(encoder, { a, b, output }),
      destroy: () => plan.destroy(),
    };
  }

  newtonSchulzStep(a: Tensor, x: Tensor, options?: NewtonSchulzOptions): Tensor {
    const shape = matrixShape('newtonSchulzStep a', this.live('newtonSchulzStep', a).shape);
    const xs = matrixShape('newtonSchulzStep x', this.live('newtonSchulzStep', x).shape);
    if (xs.batch !== shape.batch || xs.n !== shape.n) {
      throw new ShapeError(
        `newtonSchulzStep: expected x of shape ${describe(a.shape)} like a, got ${describe(x.shape)}`,
      );
    }
    const kernel = this.createNewtonSchulzStep([shape.batch, shape.n, shape.n], options);
    const out = this.allocate(a.shape, 'NewtonSchulz.output');
    this.submitOnce('NewtonSchulz', kernel, (encoder) => kernel.encode(encoder, a.buffer, x.buffer, out.buffer));
    return out;
  }

  createNewtonSchulzStep(shape: readonly number[], options?: NewtonSchulzOptions): MatrixKernel {
    this.assertUsable('createNewtonSchulzStep');
    checkShape('createNewtonSchulzStep shape', shape);
    const ms = matrixShape('createNewtonSchulzStep', shape);
    const o = resolveStepOptions('createNewtonSchulzStep', ms, options);
    const [first, rest] =
      o.path === 'fused' ? [fusedStep(this.gemm, ms, o), []] : stepGemms(this.gemm, ms, o.order, o.symmetric);
    const byteLength = ms.batch * ms.n * ms.n * 4;
    const plan = this.plan(
      newtonSchulzOp,
      'NewtonSchulz',
      { a: byteLength, x: byteLength, xNext: byteLength },
      ['xNext'],
      { steps: [first, ...rest], scratch: o.path === 'fused' ? {} : stepScratch(ms, o.order), data: {} },
    );
    return {
      byteLength,
      encode: (encoder, a, x, output) => plan.encode(encoder, { a, x, xNext: output }),
      destroy: () => plan.destroy(),
    };
  }

  async invert(a: Tensor, options?: InvertOptions): Promise<Inverse> {
    const shape = matrixShape('invert a', this.live('invert', a).shape);
    const resolved = resolveInvertOptions(shape, options);
    await this.prepare('invert');
    const r = await invertOnGpu(
      this.ctx,
      (buffer, bytes, encoder) => readBuffer(this, buffer, bytes, encoder),
      a.buffer,
      shape,
      resolved,
    );
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

  linearAttention(q: Tensor, k: Tensor, v: Tensor, options: LinearAttentionOptions = {}): LinearAttentionResult {
    const what = 'linearAttention';
    for (const t of [q, k, v]) this.live(what, t);
    if (options === null || typeof options !== 'object') {
      throw new ValueError(`${what}: expected an options object, got ${String(options)}`);
    }
    const { initialState, decay, scale, chunkSize } = options;
    if (initialState !== undefined) this.live(what, initialState);
    const gates = decay !== undefined && !Array.isArray(decay) ? this.live(what, decay) : undefined;
    const shape = resolveCall(what, q.shape, k.shape, v.shape, {
      scale,
      initialState: initialState?.shape,
      decay: gates ?? decay,
      outputFinalState: options.outputFinalState,
      chunkSize,
    });
    const kind = decay === undefined ? undefined : gates ? 'token' : 'head';
    const resolved = resolveKernelOptions(what, shape, { scale, decay: kind, chunkSize });
    const writeFinal = options.outputFinalState === true;
    this.assertUsable(what);
    const headDecay = Array.isArray(decay) ? decay : undefined;
    const plan = linearAttentionPlan(this.ctx, shape, resolved, !!initialState, writeFinal, headDecay);
    const { batch: b, tokens: t, heads: h, keyDim, valueDim } = shape;
    const output = this.allocate([b, t, h, valueDim], 'LinearAttention.output');
    const finalState = writeFinal ? this.allocate([b, h, keyDim, valueDim], 'LinearAttention.finalState') : undefined;
    const io: Record<string, GPUBuffer> = { q: q.buffer, k: k.buffer, v: v.buffer, output: output.buffer };
    if (initialState) io.initialState = initialState.buffer;
    if (finalState) io.finalState = finalState.buffer;
    if (gates) io.decay = gates.buffer;
    this.submitOnce(plan.label, plan, (encoder) => plan.encode(encoder, io));
    return finalState ? { output, finalState } : { output };
  }

  createLinearAttention(shape: LinearAttentionShape, options?: LinearAttentionKernelOptions): LinearAttentionKernel {
    this.assertUsable('createLinearAttention');
    const kernel = createLinearAttentionKernel(this.ctx, shape, options);
    return {
      ...kernel,
      encode: (encoder, inputs, outputs) => {
        this.assertUsable('LinearAttention.encode');
        kernel.encode(encoder, inputs, outputs);
      },
    };
  }

  createLsa(heads: LsaHead[], shape: TokenShape, options?: LsaOptions): Kernel {
    checkTokenShape('createLsa', shape);
    return this.layerKernel(
      shape,
      this.layerPlan(lsaOp, 'Lsa', shape, lsaFragment(this.gemm, heads, shape, options ?? {}, LAYER_IO)),
    );
  }

  createReluMlp(layer: MlpLayer, shape: TokenShape): Kernel {
    checkTokenShape('createReluMlp', shape);
    return this.layerKernel(
      shape,
      this.layerPlan(reluMlpOp, 'ReluMlp', shape, reluMlpFragment(this.gemm, layer, shape, LAYER_IO)),
    );
  }

  createTransformer(layers: Layer[], shape: TokenShape): Kernel {
    checkTokenShape('createTransformer', shape);
    return this.layerKernel(
      shape,
      this.layerPlan(transformerOp, 'Transformer', shape, transformerFragment(this.gemm, layers, shape)),
    );
  }

  destroy(): void {
    if (this.destroyed) return;
    for (const p of [...this.ctx.plans]) p.destroy();
    for (const t of [...this.tensors]) t.destroy();
    this.ctx.placeholder.destroy();
    this.destroyed = true;
  }

  forget(tensor: GpuTensor): void {
    this.tensors.delete(tensor);
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
      throw new ShapeError(
        `${what}: expected h of rank 3 [batch, width, tokens], got rank ${h.shape.length} ${describe(h.shape)}`,
      );
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

  private plan(op: Op, label: string, slots: Record<string, number>, outputs: string[], f: Fragment): Plan {
    this.assertUsable(label);
    return new Plan(this.ctx, op, { label, slots, outputs, steps: f.steps, scratch: f.scratch, data: f.data });
  }

  /** A token-matrix layer or stack: reads `input`, writes `output`, both [B, D, N]. */
  private layerPlan(op: Op, label: string, shape: TokenShape, f: Fragment): Plan {
    const bytes = tokenCount(shape) * 4;
    return this.plan(op, label, { input: bytes, output: bytes }, ['output'], f);
  }

  private layerKernel(shape: TokenShape, plan: Plan): Kernel {
    return {
      shape,
      byteLength: plan.slots.input!,
      encode: (encoder, input, output) => plan.encode(encoder, { input, output }),
      destroy: () => plan.destroy(),
    };
  }

  /** Convenience path: one encoder, one submit; the plan is freed once the GPU is done. */
  private runLayer(h: Tensor, plan: Plan): Tensor {
    const out = this.allocate(h.shape, `${plan.label}.output`);
    this.submitOnce(plan.label, plan, (encoder) => plan.encode(encoder, { input: h.buffer, output: out.buffer }));
    return out;
  }

  private submitOnce(label: string, owner: { destroy(): void }, record: (encoder: GPUCommandEncoder) => void): void {
    try {
      const encoder = this.device.createCommandEncoder({ label: `${label}.encoder` });
      record(encoder);
      this.device.queue.submit([encoder.finish()]);
    } finally {
      void this.device.queue.onSubmittedWorkDone().finally(() => owner.destroy());
    }
  }
}

function checkTokenShape(what: string, shape: TokenShape): void {
  if (shape === null || typeof shape !== 'object') {
    throw new ShapeError(`${what}: expected { batch, width, tokens }, got ${String(shape)}`);
  }
  checkShape(`${what} { batch, width, tokens }`, [shape.batch, shape.width, shape.tokens], 3);
}
