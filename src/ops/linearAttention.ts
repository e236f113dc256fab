import laShader from '../../shaders/linear_attention.wgsl';
import { DestroyedError, ShapeError, ValueError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { checkBufferSize } from '../gpu/grid.js';
import { type Op, type Step, step, variant } from '../gpu/op.js';
import { Plan } from '../gpu/plan.js';
import type { LinearAttentionShape } from '../reference/linearAttention.js';
import { checkShape, describe, type Shape } from '../shape.js';

export type { LinearAttentionShape };

const LA = laShader.entryPoints;
// Decay on or off is a uniform (a branch per exponential), so each entry point is one pipeline.
const GATES = variant(laShader, LA.linear_attention_gates);
const SCORES = variant(laShader, LA.linear_attention_scores);
const STATES = variant(laShader, LA.linear_attention_states);
const SCAN = variant(laShader, LA.linear_attention_scan);
const OUTPUT = variant(laShader, LA.linear_attention_output);
const DECODE = variant(laShader, LA.linear_attention_decode);

export const linearAttentionOp: Op = {
  name: 'linearAttention',
  family: 'forward',
  variants: () => [GATES, SCORES, STATES, SCAN, OUTPUT, DECODE],
};

/** Tokens per chunk when the caller does not choose (see docs/linear-attention.md for the measurement). */
export const DEFAULT_CHUNK = 64;
export const MAX_CHUNK = 256;

/** How the decay is given: none, per head (`[H]` log-decays) or per token (`[B, T, H]` log-gates). */
export type DecayKind = 'none' | 'head' | 'token';

export interface LinearAttentionKernelOptions {
  /** Default 1/√K. */
  scale?: number;
  /** 'head': encode takes `decay` [H]; 'token': `decay` [B, T, H]; default none. */
  decay?: 'head' | 'token';
  /** Tokens per chunk, 1..256; default 64 (or T when shorter). */
  chunkSize?: number;
}

/** Caller-owned f32 storage buffers, row-major. */
export interface LinearAttentionInputs {
  q: GPUBuffer; // [B, T, H, K]
  k: GPUBuffer; // [B, T, H, K]
  v: GPUBuffer; // [B, T, H, V]
  initialState?: GPUBuffer; // [B, H, K, V]
  decay?: GPUBuffer; // [H] log-decays or [B, T, H] log-gates, each ≤ 0
}

export interface LinearAttentionOutputs {
  output: GPUBuffer; // [B, T, H, V]
  finalState?: GPUBuffer; // [B, H, K, V], distinct from initialState
}

/**
 * Causal linear attention compiled for one shape: records into the caller's encoder (no submit,
 * no readback); `destroy` frees only what the kernel allocated (scratch, uniforms).
 */
export interface LinearAttentionKernel {
  readonly shape: LinearAttentionShape;
  /** Tokens per chunk in use (1 for the T = 1 decode path, which has no chunks). */
  readonly chunkSize: number;
  encode(encoder: GPUCommandEncoder, inputs: LinearAttentionInputs, outputs: LinearAttentionOutputs): void;
  destroy(): void;
}

export interface ResolvedKernelOptions {
  scale: number;
  decay: DecayKind;
  chunk: number;
}

export function checkLinearAttentionShape(what: string, shape: LinearAttentionShape): void {
  if (shape === null || typeof shape !== 'object') {
    throw new ShapeError(`${what}: expected { batch, tokens, heads, keyDim, valueDim }, got ${String(shape)}`);
  }
  const { batch, tokens, heads, keyDim, valueDim } = shape;
  checkShape(`${what} { batch, tokens, heads, keyDim, valueDim }`, [batch, tokens, heads, keyDim, valueDim], 5);
}

export function resolveKernelOptions(
  what: string,
  shape: LinearAttentionShape,
  options: LinearAttentionKernelOptions = {},
): ResolvedKernelOptions {
  const scale = options.scale ?? 1 / Math.sqrt(shape.keyDim);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) {
    throw new ValueError(`${what}: expected scale to be a finite number, got ${String(options.scale)}`);
  }
  const decay = options.decay ?? 'none';
  if (decay !== 'none' && decay !== 'head' && decay !== 'token') {
    throw new ValueError(`${what}: expected decay 'head' or 'token' (or none), got ${JSON.stringify(options.decay)}`);
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK) {
    throw new ValueError(
      `${what}: expected chunkSize to be an integer in 1..${MAX_CHUNK}, got ${String(options.chunkSize)}`,
    );
  }
  return { scale, decay, chunk: Math.min(chunkSize, shape.tokens) };
}

/** What `runtime.linearAttention` was given, by shape: tensors are described by their shapes only. */
export interface LinearAttentionCall {
  scale?: number;
  initialState?: Shape;
  /** Per-head log-decays, or the shape of a per-token gate tensor. */
  decay?: readonly number[] | { shape: Shape };
  outputFinalState?: boolean;
  chunkSize?: number;
}

/**
 * Checks q, k, v and the options of `runtime.linearAttention` against each other and returns
 * the shape; every message says what was expected and what came.
 */
export function resolveCall(
  what: string,
  q: Shape,
  k: Shape,
  v: Shape,
  call: LinearAttentionCall,
): LinearAttentionShape {
  for (const [name, s] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const) {
    if (s.length !== 4) {
      throw new ShapeError(
        `${what}: expected ${name} of rank 4 [B, T, H, ${name === 'v' ? 'V' : 'K'}], ` +
          `got rank ${s.length} ${describe(s)}`,
      );
    }
  }
  const [batch, tokens, heads, keyDim] = q as [number, number, number, number];
  const valueDim = v[3]!;
  for (const [name, s] of [
    ['k', k],
    ['v', v],
  ] as const) {
    if (s[0] !== batch || s[1] !== tokens || s[2] !== heads) {
      throw new ShapeError(
        `${what}: expected ${name} to have B, T, H = ${batch}, ${tokens}, ${heads} like q, got ${describe(s)}`,
      );
    }
  }
  if (k[3] !== keyDim) throw new ShapeError(`${what}: expected k with K = ${keyDim} like q, got ${describe(k)}`);
  const shape = { batch, tokens, heads, keyDim, valueDim };
  if (call.initialState !== undefined) {
    const expected = [batch, heads, keyDim, valueDim];
    if (call.initialState.length !== 4 || call.initialState.some((d, i) => d !== expected[i])) {
      throw new ShapeError(
        `${what}: expected initialState of shape ${describe(expected)} [B, H, K, V], ` +
          `got ${describe(call.initialState)}`,
      );
    }
  }
  const decay = call.decay;
  if (Array.isArray(decay)) {
    if (decay.length !== heads)
      throw new ShapeError(`${what}: expected ${heads} per-head log-decays (one per head), got ${decay.length}`);
    decay.forEach((g, h) => {
      if (typeof g !== 'number' || !Number.isFinite(g) || g > 0) {
        throw new ValueError(
          `${what}: expected per-head log-decays finite and ≤ 0 (log γ), got ${String(g)} for head ${h}`,
        );
      }
    });
  } else if (decay !== undefined) {
    const expected = [batch, tokens, heads];
    const s = (decay as { shape?: Shape }).shape;
    if (!Array.isArray(s) || s.length !== 3 || s.some((d, i) => d !== expected[i])) {
      throw new ShapeError(
        `${what}: expected decay gates of shape ${describe(expected)} [B, T, H], ` +
          `got ${Array.isArray(s) ? describe(s) : String(decay)}`,
      );
    }
  }
  if (call.outputFinalState !== undefined && typeof call.outputFinalState !== 'boolean') {
    throw new ValueError(`${what}: expected outputFinalState to be a boolean, got ${String(call.outputFinalState)}`);
  }
  resolveKernelOptions(what, shape, { scale: call.scale, chunkSize: call.chunkSize });
  return shape;
}

/** Scratch element counts: cumulative gates [B, H, T], scores [B, H, chunks, C, C], states [B, H, chunks, K, V]. */
export function linearAttentionScratch(shape: LinearAttentionShape, chunk: number): Record<string, number> {
  const { batch, tokens, heads, keyDim, valueDim } = shape;
  if (tokens === 1) return {};
  const chunks = Math.ceil(tokens / chunk);
  const bh = batch * heads;
  return { cum: bh * tokens, scores: bh * chunks * chunk * chunk, states: bh * chunks * keyDim * valueDim };
}

/**
 * The dispatches of one call over buffers q, k, v, decay, initialState, output, finalState and the
 * scratch above: gates (when decayed), scores and chunk states (independent), the scan across
 * chunks, then the outputs; T = 1 is one decode dispatch with no chunks.
 */
export function linearAttentionSteps(
  shape: LinearAttentionShape,
  o: ResolvedKernelOptions,
  hasInitial: boolean,
  writeFinal: boolean,
): Step[] {
  const { batch, tokens, heads, keyDim, valueDim } = shape;
  const chunks = Math.ceil(tokens / o.chunk);
  const gated = o.decay !== 'none';
  const uniform = {
    batch,
    tokens,
    heads,
    key_dim: keyDim,
    value_dim: valueDim,
    chunk: o.chunk,
    chunks,
    scale: o.scale,
    gate_batch: o.decay === 'token' ? tokens * heads : 0,
    gate_token: o.decay === 'token' ? heads : 0,
    has_initial: hasInitial ? 1 : 0,
    write_final: writeFinal ? 1 : 0,
    gated: gated ? 1 : 0,
  };
  const { ROWS, COLS, BLOCK, STRIP } = laShader.constants;
  const rows = (n: number) => Math.ceil(n / ROWS);
  const cols = (n: number) => Math.ceil(n / COLS);
  // Blocks of BLOCK rows; four invocations per STRIP of columns.
  const blocks = (n: number, width: number) => Math.ceil(n / BLOCK) * Math.ceil(width / STRIP) * 4;
  const gate = gated ? 'decay' : null;
  const stateIn = hasInitial ? 'initialState' : null;
  const bh = batch * heads;
  if (tokens === 1) {
    return [
      step({
        label: 'decode',
        variant: DECODE,
        uniform,
        invocations: bh * valueDim,
        buffers: { q: 'q', k: 'k', v: 'v', gate, state_in: stateIn, o: 'output', state_out: 'finalState' },
      }),
    ];
  }
  const steps: Step[] = [];
  if (gated) {
    steps.push(
      step({ label: 'gates', variant: GATES, uniform, invocations: bh * chunks, buffers: { gate, cum: 'cum' } }),
    );
  }
  steps.push(
    step({
      label: 'scores',
      variant: SCORES,
      uniform,
      invocations: bh * chunks * rows(o.chunk) * cols(o.chunk),
      buffers: { q: 'q', k: 'k', cum: 'cum', scores: 'scores' },
    }),
    step({
      label: 'states',
      variant: STATES,
      uniform,
      invocations: bh * chunks * blocks(keyDim, valueDim),
      buffers: { k: 'k', v: 'v', cum: 'cum', states: 'states' },
    }),
    step({
      label: 'scan',
      variant: SCAN,
      uniform,
      invocations: bh * keyDim * valueDim,
      buffers: { state_in: stateIn, cum: 'cum', states: 'states', state_out: 'finalState' },
    }),
    step({
      label: 'output',
      variant: OUTPUT,
      uniform,
      invocations: bh * chunks * blocks(o.chunk, valueDim),
      buffers: { q: 'q', v: 'v', cum: 'cum', scores: 'scores', states: 'states', o: 'output' },
    }),
  );
  return steps;
}

/**
 * One plan for a shape and a choice of state in / state out. Without a final state the kernels
 * write into a 16-byte scratch the flag keeps them from touching (a writable binding cannot share
 * the read-only placeholder). `headDecay` uploads per-head log-decays as plan data instead of a slot.
 */
export function linearAttentionPlan(
  ctx: GpuContext,
  shape: LinearAttentionShape,
  o: ResolvedKernelOptions,
  hasInitial: boolean,
  writeFinal: boolean,
  headDecay?: readonly number[],
): Plan {
  const { batch, tokens, heads, keyDim, valueDim } = shape;
  const qk = batch * tokens * heads * keyDim * 4;
  const vo = batch * tokens * heads * valueDim * 4;
  const state = batch * heads * keyDim * valueDim * 4;
  const slots: Record<string, number> = { q: qk, k: qk, v: vo, output: vo };
  if (hasInitial) slots.initialState = state;
  if (writeFinal) slots.finalState = state;
  const decaySlot = o.decay !== 'none' && !headDecay;
  if (decaySlot) slots.decay = (o.decay === 'head' ? heads : batch * tokens * heads) * 4;
  const scratch = { ...linearAttentionScratch(shape, o.chunk), ...(writeFinal ? {} : { finalState: 4 }) };
  return new Plan(ctx, linearAttentionOp, {
    label: 'LinearAttention',
    slots,
    outputs: writeFinal ? ['output', 'finalState'] : ['output'],
    scratch,
    data: headDecay ? { decay: headDecay } : {},
    steps: linearAttentionSteps(shape, o, hasInitial, writeFinal),
  });
}

/** Builds the kernel; a plan per (initial state?, final state?) is made on first use and kept. */
export function createLinearAttentionKernel(
  ctx: GpuContext,
  shape: LinearAttentionShape,
  options?: LinearAttentionKernelOptions,
): LinearAttentionKernel {
  const what = 'createLinearAttention';
  checkLinearAttentionShape(what, shape);
  const resolved = resolveKernelOptions(what, shape, options);
  const fixed = { ...shape };
  // Sizes beyond the device limits fail here, before any GPU work (plans are built on first encode).
  const { batch, tokens, heads, keyDim, valueDim } = fixed;
  const bytes = {
    q: batch * tokens * heads * keyDim * 4,
    v: batch * tokens * heads * valueDim * 4,
    state: batch * heads * keyDim * valueDim * 4,
    ...Object.fromEntries(Object.entries(linearAttentionScratch(fixed, resolved.chunk)).map(([n, c]) => [n, c * 4])),
  };
  for (const [name, size] of Object.entries(bytes)) checkBufferSize(`LinearAttention ${name}`, size, ctx.limits);
  const plans = new Map<string, Plan>();
  let live = true;
  const label = 'LinearAttention.encode';
  return {
    shape: fixed,
    chunkSize: shape.tokens === 1 ? 1 : resolved.chunk,
    encode(encoder, inputs, outputs) {
      if (!live) throw new DestroyedError('LinearAttention kernel was destroyed');
      if (!inputs || typeof inputs !== 'object') {
        throw new ValueError(`${label}: expected inputs { q, k, v, initialState?, decay? }, got ${String(inputs)}`);
      }
      if (!outputs || typeof outputs !== 'object') {
        throw new ValueError(`${label}: expected outputs { output, finalState? }, got ${String(outputs)}`);
      }
      if (resolved.decay === 'none' && inputs.decay !== undefined) {
        throw new ValueError(`${label}: expected no decay buffer (the kernel was created without decay), got one`);
      }
      if (resolved.decay !== 'none' && inputs.decay === undefined) {
        const kind = resolved.decay === 'head' ? '[H] log-decays' : '[B, T, H] log-gates';
        throw new ValueError(`${label}: expected a decay buffer (${kind}), got none`);
      }
      const hasInitial = inputs.initialState !== undefined;
      const writeFinal = outputs.finalState !== undefined;
      const key = `${hasInitial ? 1 : 0}${writeFinal ? 1 : 0}`;
      let plan = plans.get(key);
      if (!plan) {
        plan = linearAttentionPlan(ctx, fixed, resolved, hasInitial, writeFinal);
        plans.set(key, plan);
      }
      const io: Record<string, GPUBuffer> = { q: inputs.q, k: inputs.k, v: inputs.v, output: outputs.output };
      if (inputs.initialState) io.initialState = inputs.initialState;
      if (outputs.finalState) io.finalState = outputs.finalState;
      if (inputs.decay) io.decay = inputs.decay;
      plan.encode(encoder, io);
    },
    destroy() {
      if (!live) return;
      live = false;
      for (const p of plans.values()) p.destroy();
    },
  };
}
