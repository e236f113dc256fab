import nsCode from '../../shaders/newton_schulz.wgsl?raw';
import { ShapeError, ValueError } from '../errors.js';
import type { GpuContext } from '../gpu/context.js';
import { gemm, type GemmKernel, type GemmStep } from '../gpu/gemm.js';
import type { ShaderSpec } from '../gpu/kernel.js';
import { Program, type DispatchStep } from '../gpu/program.js';
import { describe, type Shape } from '../shape.js';
import { checkSizes } from './program.js';

export const NS_SCALE: ShaderSpec = { label: 'NewtonSchulz.scale', code: nsCode, entryPoint: 'ns_scale' };
export const NS_INIT: ShaderSpec = { label: 'NewtonSchulz.init', code: nsCode, entryPoint: 'ns_init' };
export const NS_RESIDUAL: ShaderSpec = { label: 'NewtonSchulz.residual', code: nsCode, entryPoint: 'ns_residual' };

export interface NewtonSchulzOptions {
  /** Order p of `X' = X Σ_{m<p} (−1)^m C(p, m+1) (AX)^m`, 2..5; default 2 (`X(2I − AX)`). */
  order?: number;
  /**
   * A and X are symmetric. Then X' = X Σ c_m (AX)^m is symmetric too (a palindromic product
   * X A X … X), so its final GEMM computes only the tiles on and above the diagonal and mirrors
   * them. The powers of AX are not symmetric and run in full; no commutation is assumed.
   */
  symmetric?: boolean;
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

export function resolveOrder(what: string, options: NewtonSchulzOptions | undefined): number {
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
export function createStepProgram(ctx: GpuContext, shape: MatrixShape, order: number, symmetric: boolean): { program: Program; scratch: Record<string, number> } {
  const scratch = stepScratch(shape, order);
  checkSizes(ctx, 'NewtonSchulz', { ...scratch, x: shape.batch * shape.n * shape.n });
  const [first, rest] = stepGemms(ctx.gemm, shape, order, symmetric);
  return { program: new Program(ctx, 'NewtonSchulz.step', [first, ...rest]), scratch };
}

/** ns_scale / ns_init / ns_residual as dispatch steps over buffers a, x, status, t. */
export function nsScale(shape: MatrixShape): DispatchStep {
  return { label: 'scale', spec: NS_SCALE, constants: {}, uniform: nsUniform(shape, 0, 0), workgroups: shape.batch, buffers: { a: 'a', status: 'status' } };
}

export function nsInit(shape: MatrixShape): DispatchStep {
  return {
    label: 'init', spec: NS_INIT, constants: {}, uniform: nsUniform(shape, 0, 0),
    workgroups: Math.ceil((shape.batch * shape.n * shape.n) / 256), buffers: { a: 'a', x: 'x', status: 'status' },
  };
}

export function nsResidual(shape: MatrixShape, tolerance: number, last: boolean): DispatchStep {
  return { label: last ? 'residual(last)' : 'residual', spec: NS_RESIDUAL, constants: {}, uniform: nsUniform(shape, tolerance, last ? 1 : 0), workgroups: shape.batch, buffers: { t: 't', status: 'status' } };
}

function nsUniform(shape: MatrixShape, tolerance: number, last: number): Record<string, number> {
  return { n: shape.n, batch: shape.batch, tolerance, last };
}
