import nsShader from '../../shaders/newton_schulz.wgsl';
import { ValueError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { Plan } from '../gpu/plan.js';
import {
  invertOp,
  type MatrixShape,
  type NewtonSchulzOptions,
  nsInit,
  nsResidual,
  nsScale,
  resolveOrder,
  stepGemms,
  stepScratch,
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
// The status block's layout and states are the shader's (shaders/newton_schulz.wgsl).
const K = nsShader.constants;

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
 * Newton–Schulz to convergence with no CPU round trip per step. Per submit: up to STEPS_PER_SUBMIT
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
  const b = shape.batch;
  const bytes = b * shape.n * shape.n * 4;
  const statusBytes = K.STATUS_SECTIONS * b * 4;
  const [first, rest] = stepGemms(ctx.gemm, shape, o.order, o.symmetric, 'status');
  const plan = new Plan(ctx, invertOp, {
    label: 'Invert',
    slots: { a: bytes, x: bytes, xNext: bytes },
    outputs: ['x', 'xNext'],
    scratch: { ...stepScratch(shape, o.order), status: K.STATUS_SECTIONS * b },
    steps: [first, nsResidual(shape, o.tolerance, false), ...rest],
    phases: { init: [nsScale(shape), nsInit(shape)], final: [first, nsResidual(shape, o.tolerance, true)] },
  });
  const xs: GPUBuffer[] = [];
  try {
    for (const name of ['x0', 'x1']) {
      xs.push(device.createBuffer({ label: `Invert.${name}`, size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }));
    }
    const status = plan.buffer('status');
    let current = 0;
    let done = 0;
    let submits = 0;
    let readbacks = 0;
    let words = new Uint32Array(0);
    while (true) {
      const encoder = device.createCommandEncoder({ label: 'Invert.encoder' });
      const pass = encoder.beginComputePass({ label: 'Invert.pass' });
      if (done === 0) plan.record(pass, { a, x: xs[0]! }, 'init');
      const chunk = Math.min(K.STEPS_PER_SUBMIT, o.maxIterations - done);
      for (let i = 0; i < chunk; i++) {
        plan.record(pass, { a, x: xs[current]!, xNext: xs[1 - current]! });
        current = 1 - current;
      }
      done += chunk;
      if (done === o.maxIterations) plan.record(pass, { a, x: xs[current]! }, 'final');
      pass.end();
      device.queue.submit([encoder.finish()]);
      submits++;
      words = new Uint32Array(await readBuffer(status, statusBytes));
      readbacks++;
      const section = (s: number) => words.subarray(s * b, (s + 1) * b);
      const anyActive = section(K.S_STATE).some((s) => s === K.ACTIVE);
      if (!anyActive || done === o.maxIterations) break;
    }

    const floats = new Float32Array(words.buffer);
    const state = words.slice(K.S_STATE * b, (K.S_STATE + 1) * b);
    const iterations = words.slice(K.S_ITERATIONS * b, (K.S_ITERATIONS + 1) * b);
    const residual = floats.slice(K.S_RESIDUAL * b, (K.S_RESIDUAL + 1) * b);
    const alpha = floats.slice(K.S_ALPHA * b, (K.S_ALPHA + 1) * b);
    const accept = o.tolerance > 0 ? o.tolerance : DEFAULT_ACCEPT;
    const converged = Array.from(state, (s, i) => s !== K.FAILED && Number.isFinite(residual[i]!) && residual[i]! <= accept);
    const x = xs.splice(current, 1)[0]!;
    return { x, iterations, residual, alpha, state, converged, submits, readbacks };
  } finally {
    plan.destroy();
    for (const x of xs) x.destroy();
  }
}
