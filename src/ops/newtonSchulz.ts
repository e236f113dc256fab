import nsCode from '../../shaders/newton_schulz.wgsl?raw';
import { ShapeError, ValueError } from '../errors.js';
import { wgslConstant, type GpuContext } from '../gpu/context.js';
import { gemm, type GemmKernel, type GemmStep } from '../gpu/gemm.js';
import type { ShaderSpec } from '../gpu/kernel.js';
import { Program, type DispatchStep } from '../gpu/program.js';
import { describe, type Shape } from '../shape.js';
import { checkSizes } from './program.js';

export const NS_SCALE: ShaderSpec = { label: 'NewtonSchulz.scale', code: nsCode, entryPoint: 'ns_scale' };
export const NS_INIT: ShaderSpec = { label: 'NewtonSchulz.init', code: nsCode, entryPoint: 'ns_init' };
export const NS_RESIDUAL: ShaderSpec = { label: 'NewtonSchulz.residual', code: nsCode, entryPoint: 'ns_residual' };
export const NS_STEP: ShaderSpec = { label: 'NewtonSchulz.fusedStep', code: nsCode, entryPoint: 'ns_step' };
export const NS_INVERT: ShaderSpec = { label: 'NewtonSchulz.fusedInvert', code: nsCode, entryPoint: 'ns_invert' };
export const NS_STEP_DIRECT: ShaderSpec = { label: 'NewtonSchulz.fusedStepDirect', code: nsCode, entryPoint: 'ns_step_direct' };
export const NS_INVERT_DIRECT: ShaderSpec = { label: 'NewtonSchulz.fusedInvertDirect', code: nsCode, entryPoint: 'ns_invert_direct' };

const WG = wgslConstant(nsCode, 'WG');
const CAPACITY = wgslConstant(nsCode, 'CAPACITY');
/** Largest n the fused path takes (one invocation per column, X and T in workgroup memory). */
export const FUSED_MAX_N = wgslConstant(nsCode, 'MAX_N');
/** Words per matrix in the status buffer, and its states (see shaders/newton_schulz.wgsl). */
export const STATUS_WORDS = wgslConstant(nsCode, 'STATUS_WORDS');
export const STATE = {
  active: wgslConstant(nsCode, 'ACTIVE'),
  tolerance: wgslConstant(nsCode, 'TOLERANCE_MET'),
  floor: wgslConstant(nsCode, 'FLOOR'),
  failed: wgslConstant(nsCode, 'FAILED'),
  limit: wgslConstant(nsCode, 'LIMIT'),
} as const;

export type NewtonSchulzPath = 'fused' | 'gemm';

export interface NewtonSchulzOptions {
  /** Order p of `X' = X Σ_{m<p} (−1)^m C(p, m+1) (AX)^m`, 2..5; default 2 (`X(2I − AX)`). */
  order?: number;
  /**
   * A and X are symmetric. Then X' = X Σ c_m (AX)^m is symmetric too (a palindromic product
   * X A X … X), so its final GEMM computes only the tiles on and above the diagonal and mirrors
   * them. The powers of AX are not symmetric and run in full; no commutation is assumed.
   */
  symmetric?: boolean;
  /**
   * 'fused': one dispatch per step, several matrices per workgroup (n ≤ 32); 'gemm': p batched
   * GEMMs per step (any n). Default: 'fused' when n ≤ 32.
   */
  path?: NewtonSchulzPath;
}

/** Batch of square matrices: [B, n, n], or [n, n] for one. */
export interface MatrixShape {
  batch: number;
  n: number;
}

export function matrixShape(what: string, shape: Shape): MatrixShape {
  if (shape.length === 2 && shape[0] === shape[1]) return { batch: 1, n: shape[0]! };
  if (shape.length === 3 && shape[1] === shape[2]) return { batch: shape[0]!, n: shape[1]! };
  throw new ShapeError(`${what}: expected square matrices [B, n, n] or [n, n], got ${describe(shape)}`);
}

export interface ResolvedStepOptions {
  order: number;
  symmetric: boolean;
  path: NewtonSchulzPath;
}

export function resolveStepOptions(what: string, shape: MatrixShape, options: NewtonSchulzOptions | undefined): ResolvedStepOptions {
  const order = resolveOrder(what, options);
  const path = options?.path ?? (shape.n <= FUSED_MAX_N ? 'fused' : 'gemm');
  if (path !== 'fused' && path !== 'gemm') {
    throw new ValueError(`${what}: expected path 'fused' or 'gemm', got ${String(path)}`);
  }
  if (path === 'fused' && shape.n > FUSED_MAX_N) {
    throw new ShapeError(`${what}: expected n ≤ ${FUSED_MAX_N} for path 'fused', got n = ${shape.n}`);
  }
  return { order, symmetric: options?.symmetric ?? false, path };
}

function resolveOrder(what: string, options: NewtonSchulzOptions | undefined): number {
  const order = options?.order ?? 2;
  if (!Number.isInteger(order) || order < 2 || order > 5) {
    throw new ValueError(`${what}: expected order to be an integer in 2..5, got ${String(order)}`);
  }
  if (options?.symmetric !== undefined && typeof options.symmetric !== 'boolean') {
    throw new ValueError(`${what}: expected symmetric to be a boolean, got ${String(options.symmetric)}`);
  }
  return order;
}

/** c_m = (−1)^m C(p, m+1), m = 0..p−1: the coefficients of the order-p polynomial in T = AX. */
export function orderCoefficients(p: number): number[] {
  const binom = (n: number, k: number): number => (k === 0 ? 1 : (binom(n, k - 1) * (n - k + 1)) / k);
  return Array.from({ length: p }, (_, m) => (m % 2 === 0 ? 1 : -1) * binom(p, m + 1));
}

/**
 * The GEMMs of one step `x → xNext`, optionally gated by a status buffer, with `T = A X` first
 * (so a residual kernel can read T before the update). Order 2 is two GEMMs with the
 * `2X − X T` combination in the epilogue; order p > 2 evaluates the polynomial by Horner,
 * `S = c_{p−1} T² + c_{p−2} T + c_{p−3} I`, `S ← T S + c_m I`, then `X' = X S`: p GEMMs.
 * Returns [T = A X] and [the rest], so callers can put a residual between them.
 */
export function stepGemms(kernel: GemmKernel, shape: MatrixShape, order: number, symmetric: boolean, gate?: string): [DispatchStep, DispatchStep[]] {
  const { batch, n } = shape;
  const sq = { batch: n * n, row: n, col: 1 };
  const common = { m: n, n, k: n, batch, ...(gate ? { gate } : {}) } satisfies Partial<GemmStep>;
  const first = gemm({ ...common, label: 'AX', a: ['a', sq], b: ['x', sq], c: ['t', sq] }, kernel);
  if (order === 2) {
    return [first, [gemm({ ...common, symmetric, label: '2X-XT', a: ['x', sq], b: ['t', sq], c: ['xNext', sq], alpha: -1, residual: 'x', beta: 2 }, kernel)]];
  }
  const c = orderCoefficients(order);
  const rest: DispatchStep[] = [
    gemm({ ...common, label: 'S=T²', a: ['t', sq], b: ['t', sq], c: ['s0', sq], alpha: c[order - 1]!, residual: 't', beta: c[order - 2]!, gamma: c[order - 3]! }, kernel),
  ];
  let s = 's0';
  for (let m = order - 4; m >= 0; m--) {
    const next = s === 's0' ? 's1' : 's0';
    rest.push(gemm({ ...common, label: `S=TS+c${m}`, a: ['t', sq], b: [s, sq], c: [next, sq], gamma: c[m]! }, kernel));
    s = next;
  }
  // beta = 0: the residual term only carries X through for matrices the gate has stopped.
  rest.push(gemm({ ...common, symmetric, label: 'X=XS', a: ['x', sq], b: [s, sq], c: ['xNext', sq], residual: 'x', beta: 0 }, kernel));
  return [first, rest];
}

/** Scratch element counts one step needs: T, and the Horner buffers for order > 2. */
export function stepScratch(shape: MatrixShape, order: number): Record<string, number> {
  const nn = shape.batch * shape.n * shape.n;
  return order === 2 ? { t: nn } : order === 3 ? { t: nn, s0: nn } : { t: nn, s0: nn, s1: nn };
}

/** One ungated step for `runtime.newtonSchulzStep`: buffers a, x, xNext and scratch. */
export function createStepProgram(ctx: GpuContext, shape: MatrixShape, o: ResolvedStepOptions): { program: Program; scratch: Record<string, number> } {
  checkSizes(ctx, 'NewtonSchulz', { x: shape.batch * shape.n * shape.n });
  if (o.path === 'fused') return { program: new Program(ctx, 'NewtonSchulz.fusedStep', [fusedStep(ctx.gemm, shape, o)]), scratch: {} };
  const scratch = stepScratch(shape, o.order);
  checkSizes(ctx, 'NewtonSchulz', scratch);
  const [first, rest] = stepGemms(ctx.gemm, shape, o.order, o.symmetric);
  return { program: new Program(ctx, 'NewtonSchulz.step', [first, ...rest]), scratch };
}

/** Matrices per workgroup on the fused path: n invocations each, X and T (n × ⌈n/4⌉ vec4s each) within CAPACITY. */
function fusedGroup(n: number): number {
  return Math.min(Math.floor(WG / n), Math.floor(CAPACITY / (n * Math.ceil(n / 4))));
}

/** Invocations per matrix in ns_scale / ns_residual: the power of two ≥ n, at most WG. */
function reductionLanes(n: number): number {
  return Math.min(WG, 2 ** Math.ceil(Math.log2(n)));
}

/**
 * Fused kernels follow the GEMM schedule: 'tiled' (GPUs) shares a workgroup among several
 * matrices, 'direct' (CPU adapters) gives each matrix one invocation and no barriers.
 */
function fusedLayout(kernel: GemmKernel, n: number): { perGroup: number; step: ShaderSpec; invert: ShaderSpec } {
  return kernel === 'tiled' ? { perGroup: fusedGroup(n), step: NS_STEP, invert: NS_INVERT } : { perGroup: WG, step: NS_STEP_DIRECT, invert: NS_INVERT_DIRECT };
}

/** One fused step over buffers a, x → xNext. */
export function fusedStep(kernel: GemmKernel, shape: MatrixShape, o: ResolvedStepOptions): DispatchStep {
  const { perGroup, step } = fusedLayout(kernel, shape.n);
  return {
    label: 'fusedStep', spec: step, constants: {},
    uniform: nsUniform(shape, { per_group: perGroup, order: o.order, symmetric: o.symmetric ? 1 : 0 }),
    workgroups: Math.ceil(shape.batch / perGroup), buffers: { a: 'a', x_in: 'x', x_next: 'xNext' },
  };
}

/**
 * `steps` evaluate-and-update trips of a whole inversion over buffers a, x (in place), status;
 * `first` scales A and starts from X₀ = α Aᵀ.
 */
export function fusedInvert(kernel: GemmKernel, shape: MatrixShape, o: ResolvedStepOptions, limits: IterationLimits, steps: number, first: boolean): DispatchStep {
  const { perGroup, invert } = fusedLayout(kernel, shape.n);
  return {
    label: first ? 'fusedInvert(first)' : 'fusedInvert', spec: invert, constants: {},
    uniform: nsUniform(shape, { per_group: perGroup, order: o.order, symmetric: o.symmetric ? 1 : 0, steps, first: first ? 1 : 0, ...limitUniform(limits) }),
    workgroups: Math.ceil(shape.batch / perGroup), buffers: { a: 'a', x: 'x', status: 'status' },
  };
}

/** Stop rule inputs shared by both paths: tolerance (0: none) and the step budget. */
export interface IterationLimits {
  tolerance: number;
  maxIterations: number;
}

function limitUniform(limits: IterationLimits): Record<string, number> {
  return { tolerance: limits.tolerance, max_iterations: limits.maxIterations };
}

/** ns_scale / ns_init / ns_residual as dispatch steps over buffers a, x, status, t. */
export function nsScale(shape: MatrixShape): DispatchStep {
  const lanes = reductionLanes(shape.n);
  return {
    label: 'scale', spec: NS_SCALE, constants: {}, uniform: nsUniform(shape, { lanes, per_group: WG / lanes }),
    workgroups: Math.ceil(shape.batch / (WG / lanes)), buffers: { a: 'a', status: 'status' },
  };
}

export function nsInit(shape: MatrixShape): DispatchStep {
  return {
    label: 'init', spec: NS_INIT, constants: {}, uniform: nsUniform(shape, {}),
    workgroups: Math.ceil((shape.batch * shape.n * shape.n) / WG), buffers: { a: 'a', x: 'x', status: 'status' },
  };
}

export function nsResidual(shape: MatrixShape, limits: IterationLimits): DispatchStep {
  const lanes = reductionLanes(shape.n);
  return {
    label: 'residual', spec: NS_RESIDUAL, constants: {}, uniform: nsUniform(shape, { lanes, per_group: WG / lanes, ...limitUniform(limits) }),
    workgroups: Math.ceil(shape.batch / (WG / lanes)), buffers: { t: 't', status: 'status' },
  };
}

/** The shader's one uniform struct; members a kernel does not read are 0. */
function nsUniform(shape: MatrixShape, values: Record<string, number>): Record<string, number> {
  const c = values.order ? orderCoefficients(values.order) : [];
  const base: Record<string, number> = { n: shape.n, batch: shape.batch, lanes: 0, per_group: 0, order: 0, steps: 0, first: 0, max_iterations: 0, symmetric: 0, tolerance: 0 };
  for (let m = 0; m < 5; m++) base[`c${m}`] = c[m] ?? 0;
  return { ...base, ...values };
}
