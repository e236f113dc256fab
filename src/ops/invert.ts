import { ValueError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { Program, type DispatchStep } from '../gpu/program.js';
import { checkSizes } from './program.js';
import {
  fusedInvert, nsInit, nsResidual, nsScale, resolveStepOptions, STATE, STATUS_WORDS, stepGemms, stepScratch,
  type MatrixShape, type NewtonSchulzOptions, type ResolvedStepOptions,
} from './newtonSchulz.js';

export interface InvertOptions extends NewtonSchulzOptions {
  /**
   * Stop a matrix once ‖I − A X‖_F ≤ tolerance. Without it, each matrix iterates until the
   * residual stops shrinking quadratically (the float32 floor) and counts as converged when
   * that floor is below 0.1.
   */
  tolerance?: number;
  /** Newton–Schulz steps at most; default 64. */
  maxIterations?: number;
}

/** Residual accepted as converged when no tolerance is given (‖X − A⁻¹‖ ≤ 0.1 ‖A⁻¹‖). */
export const DEFAULT_ACCEPT = 0.1;
export const DEFAULT_MAX_ITERATIONS = 64;
/** GEMM path: steps encoded per submit; the status is read back once per chunk. */
export const CHUNK = 8;
/** Fused path: evaluate-and-update trips per dispatch (bounds each dispatch's work). */
export const FUSED_TRIPS = 8;
/** Fused path: dispatches encoded per submit; 16 × 8 trips cover the default 64 steps in one submit. */
export const FUSED_DISPATCHES = 16;

export interface InvertResult {
  /** Buffer holding X (the other iterate buffer is already freed). */
  x: GPUBuffer;
  iterations: Uint32Array;
  residual: Float32Array;
  alpha: Float32Array;
  state: Uint32Array;
  converged: boolean[];
  submits: number;
  readbacks: number;
}

export interface ResolvedInvertOptions extends ResolvedStepOptions {
  tolerance: number;
  maxIterations: number;
}

export function resolveInvertOptions(shape: MatrixShape, options: InvertOptions | undefined): ResolvedInvertOptions {
  const step = resolveStepOptions('invert', shape, options);
  const tolerance = options?.tolerance;
  if (tolerance !== undefined && !(typeof tolerance === 'number' && Number.isFinite(tolerance) && tolerance > 0)) {
    throw new ValueError(`invert: expected tolerance to be a finite number > 0, got ${String(tolerance)}`);
  }
  const maxIterations = options?.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new ValueError(`invert: expected maxIterations to be a positive integer, got ${String(maxIterations)}`);
  }
  return { ...step, tolerance: tolerance ?? 0, maxIterations };
}

/**
 * Newton–Schulz to convergence with no CPU round trip per step; each submit ends with a copy
 * of the status, which the CPU reads to decide whether to submit more.
 * Fused path: dispatches of FUSED_TRIPS trips each (scaling in the first), FUSED_DISPATCHES per
 * submit, so the default budget is one submit and one readback. GEMM path: per submit up to
 * CHUNK steps of [T = A X (gated), residual + stop decision, update (gated)]. Either way
 * finished matrices cost no arithmetic.
 */
export async function invertOnGpu(
  ctx: GpuContext,
  read: (encoder: GPUCommandEncoder, buffer: GPUBuffer, bytes: number) => Promise<ArrayBuffer>,
  a: GPUBuffer,
  shape: MatrixShape,
  o: ResolvedInvertOptions,
): Promise<InvertResult> {
  const { device } = ctx;
  const nn = shape.batch * shape.n * shape.n;
  const fused = o.path === 'fused';
  const scratch = fused ? {} : stepScratch(shape, o.order);
  const statusBytes = STATUS_WORDS * shape.batch * 4;
  checkSizes(ctx, 'Invert', { ...scratch, x: nn, status: STATUS_WORDS * shape.batch });

  const programs: Program[] = [];
  const buffers: GPUBuffer[] = [];
  const make = (label: string, size: number, usage: number) => {
    const b = device.createBuffer({ label: `Invert.${label}`, size: Math.max(size, 4), usage });
    buffers.push(b);
    return b;
  };
  const program = (label: string, steps: readonly DispatchStep[]) => {
    const p = new Program(ctx, `Invert.${label}`, steps);
    programs.push(p);
    return p;
  };
  try {
    const storage = GPUBufferUsage.STORAGE;
    const xs = [make('x0', nn * 4, storage | GPUBufferUsage.COPY_SRC)];
    if (!fused) xs.push(make('x1', nn * 4, storage | GPUBufferUsage.COPY_SRC));
    const status = make('status', statusBytes, storage | GPUBufferUsage.COPY_SRC);
    const named: Record<string, GPUBuffer> = { a, status };
    for (const [name, count] of Object.entries(scratch)) named[name] = make(name, count * 4, storage);

    // Each submit records into `pass` and returns whether it encoded the last allowed step.
    let encodeChunk: (pass: GPUComputePassEncoder) => boolean;
    let current = 0;
    if (fused) {
      const first = program('fusedFirst', [fusedInvert(ctx.gemm, shape, o, o, FUSED_TRIPS, true)]);
      const next = program('fused', [fusedInvert(ctx.gemm, shape, o, o, FUSED_TRIPS, false)]);
      // maxIterations steps need maxIterations + 1 evaluations.
      const total = Math.ceil((o.maxIterations + 1) / FUSED_TRIPS);
      let done = 0;
      encodeChunk = (pass) => {
        const end = Math.min(total, done + FUSED_DISPATCHES);
        for (; done < end; done++) (done === 0 ? first : next).record(pass, { ...named, x: xs[0]! });
        return done === total;
      };
    } else {
      const [ax, rest] = stepGemms(ctx.gemm, shape, o.order, o.symmetric, 'status');
      const init = program('init', [nsScale(shape), nsInit(shape)]);
      const step = program('step', [ax, nsResidual(shape, o), ...rest]);
      const finalCheck = program('final', [ax, nsResidual(shape, o)]);
      let done = 0;
      encodeChunk = (pass) => {
        if (done === 0) init.record(pass, { ...named, x: xs[0]! });
        const chunk = Math.min(CHUNK, o.maxIterations - done);
        for (let i = 0; i < chunk; i++) {
          step.record(pass, { ...named, x: xs[current]!, xNext: xs[1 - current]! });
          current = 1 - current;
        }
        done += chunk;
        if (done === o.maxIterations) finalCheck.record(pass, { ...named, x: xs[current]! });
        return done === o.maxIterations;
      };
    }

    let submits = 0;
    let readbacks = 0;
    let words = new Uint32Array(0);
    while (true) {
      const encoder = device.createCommandEncoder({ label: 'Invert.encoder' });
      const pass = encoder.beginComputePass({ label: 'Invert.pass' });
      const last = encodeChunk(pass);
      pass.end();
      words = new Uint32Array(await read(encoder, status, statusBytes));
      submits++;
      readbacks++;
      const anyActive = words.subarray(0, shape.batch).some((s) => s === STATE.active);
      if (!anyActive || last) break;
    }

    const b = shape.batch;
    const floats = new Float32Array(words.buffer);
    const state = words.slice(0, b);
    const iterations = words.slice(b, 2 * b);
    const residual = floats.slice(2 * b, 3 * b);
    const alpha = floats.slice(4 * b, 5 * b);
    const accept = o.tolerance > 0 ? o.tolerance : DEFAULT_ACCEPT;
    const converged = Array.from(state, (s, i) => s !== STATE.failed && Number.isFinite(residual[i]!) && residual[i]! <= accept);
    const x = xs[current]!;
    buffers.splice(buffers.indexOf(x), 1);
    return { x, iterations, residual, alpha, state, converged, submits, readbacks };
  } finally {
    for (const p of programs) p.destroy();
    for (const b of buffers) b.destroy();
  }
}
