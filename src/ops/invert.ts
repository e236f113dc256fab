import { ValueError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { Program } from '../gpu/program.js';
import { checkSizes } from './program.js';
import { nsInit, nsResidual, nsScale, resolveOrder, stepGemms, stepScratch, type MatrixShape, type NewtonSchulzOptions } from './newtonSchulz.js';

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
/** Steps encoded per submit; the status is read back once per chunk. */
export const CHUNK = 8;

export const STATE = { active: 0, tolerance: 1, floor: 2, failed: 3 } as const;

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

export interface ResolvedInvertOptions {
  order: number;
  symmetric: boolean;
  tolerance: number;
  maxIterations: number;
}

export function resolveInvertOptions(options: InvertOptions | undefined): ResolvedInvertOptions {
  const order = resolveOrder('invert', options);
  const tolerance = options?.tolerance;
  if (tolerance !== undefined && !(typeof tolerance === 'number' && Number.isFinite(tolerance) && tolerance > 0)) {
    throw new ValueError(`invert: expected tolerance to be a finite number > 0, got ${String(tolerance)}`);
  }
  const maxIterations = options?.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new ValueError(`invert: expected maxIterations to be a positive integer, got ${String(maxIterations)}`);
  }
  return { order, symmetric: options?.symmetric ?? false, tolerance: tolerance ?? 0, maxIterations };
}

/**
 * Newton–Schulz to convergence with no CPU round trip per step. Per submit: up to CHUNK
 * steps of [T = A X (gated), residual + stop decision, update (gated)], then one copy of the
 * status; the CPU reads it once per chunk and stops when no matrix is active. Finished
 * matrices cost no arithmetic: the GEMMs read the status as a gate.
 */
export async function invertOnGpu(
  ctx: GpuContext,
  readBuffer: (buffer: GPUBuffer, bytes: number) => Promise<ArrayBuffer>,
  a: GPUBuffer,
  shape: MatrixShape,
  o: ResolvedInvertOptions,
): Promise<InvertResult> {
  const { device } = ctx;
  const nn = shape.batch * shape.n * shape.n;
  const scratch = stepScratch(shape, o.order);
  checkSizes(ctx, 'Invert', { ...scratch, x: nn, status: 5 * shape.batch });

  const [first, rest] = stepGemms(ctx.gemm, shape, o.order, o.symmetric, 'status');
  const programs: Program[] = [];
  const buffers: GPUBuffer[] = [];
  const make = (label: string, size: number, usage: number) => {
    const b = device.createBuffer({ label: `Invert.${label}`, size: Math.max(size, 4), usage });
    buffers.push(b);
    return b;
  };
  try {
    const init = new Program(ctx, 'Invert.init', [nsScale(shape), nsInit(shape)]);
    programs.push(init);
    const step = new Program(ctx, 'Invert.step', [first, nsResidual(shape, o.tolerance, false), ...rest]);
    programs.push(step);
    const finalCheck = new Program(ctx, 'Invert.final', [first, nsResidual(shape, o.tolerance, true)]);
    programs.push(finalCheck);

    const storage = GPUBufferUsage.STORAGE;
    const xs = [make('x0', nn * 4, storage | GPUBufferUsage.COPY_SRC), make('x1', nn * 4, storage | GPUBufferUsage.COPY_SRC)];
    const status = make('status', 5 * shape.batch * 4, storage | GPUBufferUsage.COPY_SRC);
    const named: Record<string, GPUBuffer> = { a, status };
    for (const [name, count] of Object.entries(scratch)) named[name] = make(name, count * 4, storage);

    let current = 0;
    let done = 0;
    let submits = 0;
    let readbacks = 0;
    let words = new Uint32Array(0);
    while (true) {
      const encoder = device.createCommandEncoder({ label: 'Invert.encoder' });
      const pass = encoder.beginComputePass({ label: 'Invert.pass' });
      if (done === 0) init.record(pass, { ...named, x: xs[0]! });
      const chunk = Math.min(CHUNK, o.maxIterations - done);
      for (let i = 0; i < chunk; i++) {
        step.record(pass, { ...named, x: xs[current]!, xNext: xs[1 - current]! });
        current = 1 - current;
      }
      done += chunk;
      if (done === o.maxIterations) finalCheck.record(pass, { ...named, x: xs[current]! });
      pass.end();
      device.queue.submit([encoder.finish()]);
      submits++;
      words = new Uint32Array(await readBuffer(status, 5 * shape.batch * 4));
      readbacks++;
      const anyActive = words.subarray(0, shape.batch).some((s) => s === STATE.active);
      if (!anyActive || done === o.maxIterations) break;
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
