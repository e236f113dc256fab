import code from '../../shaders/linear_attention.wgsl?raw';
import { DestroyedError, ShapeError, ValueError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { reflect, type ShaderSpec } from '../gpu/kernel.js';
import { Program, type DispatchStep } from '../gpu/program.js';
import type { LinearAttentionShape } from '../reference/linearAttention.js';
import { checkShape, describe, type Shape } from '../shape.js';
import { checkSizes } from './program.js';

export type { LinearAttentionShape };

const spec = (entry: string, label: string): ShaderSpec => ({
  label: `LinearAttention.${label}`,
  code,
  entryPoint: entry,
});
export const LA_GATES = spec('linear_attention_gates', 'gates');
export const LA_SCORES = spec('linear_attention_scores', 'scores');
export const LA_STATES = spec('linear_attention_states', 'states');
export const LA_SCAN = spec('linear_attention_scan', 'scan');
export const LA_OUTPUT = spec('linear_attention_output', 'output');
export const LA_DECODE = spec('linear_attention_decode', 'decode');
/** The entry points that take the GATED override (all but the gate cumulative sum). */
export const LA_GATED_SPECS = [LA_SCORES, LA_STATES, LA_SCAN, LA_OUTPUT, LA_DECODE] as const;

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
): DispatchStep[] {
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
  };
  const constants = { GATED: gated };
  const groups = (s: ShaderSpec, invocations: number) => Math.ceil(invocations / reflect(s).workgroupSize[0]);
  const quad = (n: number) => Math.ceil(n / 4);
  const gate = gated ? 'decay' : null;
  const stateIn = hasInitial ? 'initialState' : null;
  const bh = batch * heads;
  if (tokens === 1) {
    return [
      {
        label: 'decode',
        spec: LA_DECODE,
        constants,
        uniform,
        workgroups: groups(LA_DECODE, bh * valueDim),
        buffers: { q: 'q', k: 'k', v: 'v', gate, state_in: stateIn, o: 'output', state_out: 'finalState' },
      },
    ];
  }
  const steps: DispatchStep[] = [];
  if (gated) {
    steps.push({
      label: 'gates',
      spec: LA_GATES,
      constants: {},
      uniform,
      workgroups: groups(LA_GATES, bh * chunks),
      buffers: { gate, cum: 'cum' },
    });
  }
  steps.push(
    {
      label: 'scores',
      spec: LA_SCORES,
      constants,
      uniform,
      workgroups: groups(LA_SCORES, bh * chunks * o.chunk * quad(o.chunk)),
      buffers: { q: 'q', k: 'k', cum: 'cum', scores: 'scores' },
    },
    {
      label: 'states',
      spec: LA_STATES,
      constants,
      uniform,
      workgroups: groups(LA_STATES, bh * chunks * quad(keyDim) * quad(valueDim)),
      buffers: { k: 'k', v: 'v', cum: 'cum', states: 'states' },
    },
    {
      label: 'scan',
      spec: LA_SCAN,
      constants,
      uniform,
      workgroups: groups(LA_SCAN, bh * keyDim * valueDim),
      buffers: { state_in: stateIn, cum: 'cum', states: 'states', state_out: 'finalState' },
    },
    {
      label: 'output',
      spec: LA_OUTPUT,
      constants,
      uniform,
      workgroups: groups(LA_OUTPUT, bh * tokens * quad(valueDim)),
      buffers: { q: 'q', v: 'v', cum: 'cum', scores: 'scores', states: 'states', o: 'output' },
    },
  );
  return steps;
}

/** Builds the kernel: scratch sized and checked against the device limits before anything is allocated. */
export function createLinearAttentionKernel(
  ctx: GpuContext,
  shape: LinearAttentionShape,
  options?: LinearAttentionKernelOptions,
): LinearAttentionKernel {
  const what = 'createLinearAttention';
  checkLinearAttentionShape(what, shape);
  const resolved = resolveKernelOptions(what, shape, options);
  const { batch, tokens, heads, keyDim, valueDim } = shape;
  const qk = batch * tokens * heads * keyDim;
  const vo = batch * tokens * heads * valueDim;
  const state = batch * heads * keyDim * valueDim;
  const decayCount = resolved.decay === 'head' ? heads : resolved.decay === 'token' ? batch * tokens * heads : 0;
  const scratchCounts = linearAttentionScratch(shape, resolved.chunk);
  checkSizes(ctx, 'LinearAttention', { q: qk, v: vo, state, ...scratchCounts });
  const label = 'LinearAttention';
  const scratch: Record<string, GPUBuffer> = {};
  for (const [name, count] of Object.entries(scratchCounts)) {
    scratch[name] = ctx.device.createBuffer({
      label: `${label}.${name}`,
      size: Math.max(count, 1) * 4,
      usage: GPUBufferUsage.STORAGE,
    });
  }
  // Bound as the final state when the caller wants none (a writable binding cannot share the read-only placeholder).
  const discard = ctx.device.createBuffer({ label: `${label}.discard`, size: 16, usage: GPUBufferUsage.STORAGE });
  const programs = new Map<string, Program>();
  let live = true;
  const sizes = { q: qk, k: qk, v: vo, output: vo, initialState: state, finalState: state, decay: decayCount };
  return {
    shape: { ...shape },
    chunkSize: tokens === 1 ? 1 : resolved.chunk,
    encode(encoder, inputs, outputs) {
      if (!live) throw new DestroyedError(`${label} kernel was destroyed`);
      const buffers = checkKernelBuffers(`${label}.encode`, resolved.decay, sizes, inputs, outputs);
      const key = `${inputs.initialState ? 1 : 0}${outputs.finalState ? 1 : 0}`;
      let program = programs.get(key);
      if (!program) {
        program = new Program(
          ctx,
          label,
          linearAttentionSteps(shape, resolved, !!inputs.initialState, !!outputs.finalState),
        );
        programs.set(key, program);
      }
      const pass = encoder.beginComputePass({ label: `${label}.pass` });
      program.record(pass, { ...scratch, ...buffers, finalState: outputs.finalState ?? discard });
      pass.end();
    },
    destroy() {
      if (!live) return;
      live = false;
      for (const p of programs.values()) p.destroy();
      for (const b of Object.values(scratch)) b.destroy();
      discard.destroy();
    },
  };
}

/** Caller-owned buffers: present when needed, absent when not, STORAGE, large enough, outputs distinct from inputs. */
function checkKernelBuffers(
  what: string,
  decay: DecayKind,
  sizes: Readonly<Record<string, number>>,
  inputs: LinearAttentionInputs,
  outputs: LinearAttentionOutputs,
): Record<string, GPUBuffer> {
  if (!inputs || typeof inputs !== 'object')
    throw new ValueError(`${what}: expected inputs { q, k, v, initialState?, decay? }, got ${String(inputs)}`);
  if (!outputs || typeof outputs !== 'object')
    throw new ValueError(`${what}: expected outputs { output, finalState? }, got ${String(outputs)}`);
  if (decay === 'none' && inputs.decay !== undefined) {
    throw new ValueError(`${what}: expected no decay buffer (the kernel was created without decay), got one`);
  }
  if (decay !== 'none' && inputs.decay === undefined) {
    throw new ValueError(
      `${what}: expected a decay buffer (${decay === 'head' ? '[H] log-decays' : '[B, T, H] log-gates'}), got none`,
    );
  }
  const all: Record<string, GPUBuffer | undefined> = { ...inputs, ...outputs };
  const given: Record<string, GPUBuffer> = {};
  for (const name of ['q', 'k', 'v', 'output', 'initialState', 'finalState', 'decay']) {
    const buffer = all[name];
    const required = name === 'q' || name === 'k' || name === 'v' || name === 'output';
    if (buffer === undefined && !required) continue;
    if (!buffer || typeof buffer.size !== 'number')
      throw new ValueError(`${what}: expected ${name} to be a GPUBuffer, got ${String(buffer)}`);
    const bytes = sizes[name]! * 4;
    if (buffer.size < bytes)
      throw new ShapeError(`${what}: expected ${name} of at least ${bytes} bytes, got ${buffer.size}`);
    if ((buffer.usage & GPUBufferUsage.STORAGE) === 0) {
      throw new ValueError(`${what}: expected ${name} to have STORAGE usage, got usage ${buffer.usage}`);
    }
    given[name] = buffer;
  }
  for (const out of ['output', 'finalState']) {
    for (const name of ['q', 'k', 'v', 'initialState', 'decay', out === 'output' ? 'finalState' : 'output']) {
      if (given[out] && given[out] === given[name]) {
        throw new ValueError(
          `${what}: expected ${out} distinct from ${name}, got the same buffer ` +
            '(no in-place; alternate two state buffers)',
        );
      }
    }
  }
  return given;
}
