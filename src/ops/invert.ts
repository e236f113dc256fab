import nsShader from '../../shaders/newton_schulz.wgsl';
import { ValueError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { Plan } from '../gpu/plan.js';
import {
  fusedInvert,
  invertOp,
  type MatrixShape,
  type NewtonSchulzOptions,
  nsInit,
  nsResidual,
  nsScale,
  type ResolvedStepOptions,
  resolveStepOptions,
  stepGemms,
  stepScratch,
  tripsPerDispatch,
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
  /**
   * Fused path: steps per dispatch, which bounds each dispatch's run time (GPU watchdogs).
   * Default: as many as a budget of 2²⁸ multiply-adds per dispatch allows, so small batches
   * take the whole inversion in one dispatch.
   */
  stepsPerDispatch?: number;
}

/** Residual accepted as converged when no tolerance is given (‖X − A⁻¹‖ ≤ 0.1 ‖A⁻¹‖). */
export const DEFAULT_ACCEPT = 0.1;
export const DEFAULT_MAX_ITERATIONS = 64;
// The status block's layout, states and chunk sizes are the shader's (shaders/newton_schulz.wgsl).
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

export interface ResolvedInvertOptions extends ResolvedStepOptions {
  tolerance: number;
  maxIterations: number;
  /** Fused path: evaluate-and-update trips per dispatch. */
  trips: number;
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
  const stepsPerDispatch = options?.stepsPerDispatch;
  if (stepsPerDispatch !== undefined && !(Number.isInteger(stepsPerDispatch) && stepsPerDispatch >= 1)) {
    throw new ValueError(`invert: expected stepsPerDispatch to be a positive integer, got ${String(stepsPerDispatch)}`);
  }
  // Trips evaluate and (while active) step: n steps per dispatch are n trips.
  const trips = Math.min(maxIterations + 1, stepsPerDispatch ?? tripsPerDispatch(shape, step.order, maxIterations + 1));
  return { ...step, tolerance: tolerance ?? 0, maxIterations, trips };
}

/**
 * Newton–Schulz to convergence with no CPU round trip per step; each submit ends with a copy
 * of the status, which the CPU reads to decide whether to submit more.
 * Fused path: dispatches of `tripsPerDispatch` trips each (scaling in the first; one dispatch
 * for the whole inversion when the batch is small), DISPATCHES_PER_SUBMIT per submit, so the
 * default budget is one submit and one readback.
 * GEMM path: per submit up to STEPS_PER_SUBMIT steps of [T = A X (gated), residual + stop
 * decision, update (gated)]. Either way finished matrices cost no arithmetic.
 */
export async function invertOnGpu(
  ctx: GpuContext,
  read: (buffer: GPUBuffer, bytes: number, encoder: GPUCommandEncoder) => Promise<ArrayBuffer>,
  a: GPUBuffer,
  shape: MatrixShape,
  o: ResolvedInvertOptions,
): Promise<InvertResult> {
  const { device } = ctx;
  const b = shape.batch;
  const bytes = b * shape.n * shape.n * 4;
  const statusBytes = K.STATUS_SECTIONS * b * 4;
  const fused = o.path === 'fused';
  const trips = o.trips;
  const plan = fused
    ? new Plan(ctx, invertOp, {
        label: 'Invert',
        slots: { a: bytes, x: bytes },
        outputs: ['x'],
        scratch: { status: K.STATUS_SECTIONS * b },
        steps: [fusedInvert(ctx.gemm, shape, o, o, trips, false)],
        phases: { first: [fusedInvert(ctx.gemm, shape, o, o, trips, true)] },
      })
    : gemmPlan(ctx, shape, o, bytes);
  const xs: GPUBuffer[] = [];
  try {
    for (const name of fused ? ['x0'] : ['x0', 'x1']) {
      xs.push(
        device.createBuffer({
          label: `Invert.${name}`,
          size: bytes,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
        }),
      );
    }
    const status = plan.buffer('status');
    // Each submit records into `pass` and returns whether it encoded the last allowed step.
    let current = 0;
    let done = 0;
    let encodeChunk: (pass: GPUComputePassEncoder) => boolean;
    if (fused) {
      // maxIterations steps need maxIterations + 1 evaluations.
      const total = Math.ceil((o.maxIterations + 1) / trips);
      encodeChunk = (pass) => {
        const end = Math.min(total, done + K.DISPATCHES_PER_SUBMIT);
        for (; done < end; done++) plan.record(pass, { a, x: xs[0]! }, done === 0 ? 'first' : undefined);
        return done === total;
      };
    } else {
      encodeChunk = (pass) => {
        if (done === 0) plan.record(pass, { a, x: xs[0]! }, 'init');
        const chunk = Math.min(K.STEPS_PER_SUBMIT, o.maxIterations - done);
        for (let i = 0; i < chunk; i++) {
          plan.record(pass, { a, x: xs[current]!, xNext: xs[1 - current]! });
          current = 1 - current;
        }
        done += chunk;
        if (done === o.maxIterations) plan.record(pass, { a, x: xs[current]! }, 'final');
        return done === o.maxIterations;
      };
    }

    let submits = 0;
    let readbacks = 0;
    let words = new Uint32Array(0);
    const section = (s: number) => words.subarray(s * b, (s + 1) * b);
    while (true) {
      const encoder = device.createCommandEncoder({ label: 'Invert.encoder' });
      const pass = encoder.beginComputePass({ label: 'Invert.pass' });
      const last = encodeChunk(pass);
      pass.end();
      words = new Uint32Array(await read(status, statusBytes, encoder));
      submits++;
      readbacks++;
      if (last || !section(K.S_STATE).some((s) => s === K.ACTIVE)) break;
    }

    const floats = new Float32Array(words.buffer);
    const state = section(K.S_STATE).slice();
    const iterations = section(K.S_ITERATIONS).slice();
    const residual = floats.slice(K.S_RESIDUAL * b, (K.S_RESIDUAL + 1) * b);
    const alpha = floats.slice(K.S_ALPHA * b, (K.S_ALPHA + 1) * b);
    const accept = o.tolerance > 0 ? o.tolerance : DEFAULT_ACCEPT;
    const converged = Array.from(
      state,
      (s, i) => s !== K.FAILED && Number.isFinite(residual[i]!) && residual[i]! <= accept,
    );
    const x = xs.splice(current, 1)[0]!;
    return { x, iterations, residual, alpha, state, converged, submits, readbacks };
  } finally {
    plan.destroy();
    for (const x of xs) x.destroy();
  }
}

function gemmPlan(ctx: GpuContext, shape: MatrixShape, o: ResolvedInvertOptions, bytes: number): Plan {
  const [ax, rest] = stepGemms(ctx.gemm, shape, o.order, o.symmetric, 'status');
  return new Plan(ctx, invertOp, {
    label: 'Invert',
    slots: { a: bytes, x: bytes, xNext: bytes },
    outputs: ['x', 'xNext'],
    scratch: { ...stepScratch(shape, o.order), status: K.STATUS_SECTIONS * shape.batch },
    steps: [ax, nsResidual(shape, o), ...rest],
    phases: { init: [nsScale(shape), nsInit(shape)], final: [ax, nsResidual(shape, o)] },
  });
}
