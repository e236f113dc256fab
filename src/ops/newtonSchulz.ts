import nsShader from '../../shaders/newton_schulz.wgsl';
import { ShapeError, ValueError } from '../errors.js';
import { type GemmStep, gemm, gemmVariants } from '../gpu/gemm.js';
import { type GemmKernel, type Op, type Step, step, variant } from '../gpu/op.js';
import { describe, type Shape } from '../shape.js';

const NS = nsShader.entryPoints;
const SCALE = variant(nsShader, NS.ns_scale);
const INIT = variant(nsShader, NS.ns_init);
const RESIDUAL = variant(nsShader, NS.ns_residual);

export const newtonSchulzOp: Op = { name: 'newtonSchulz', family: 'forward', variants: gemmVariants };
export const invertOp: Op = {
  name: 'invert',
  family: 'forward',
  variants: (g) => [...newtonSchulzOp.variants(g), SCALE, INIT, RESIDUAL],
};

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
export function stepGemms(kernel: GemmKernel, shape: MatrixShape, order: number, symmetric: boolean, gate?: string): [Step, Step[]] {
  const { batch, n } = shape;
  const sq = { batch: n * n, row: n, col: 1 };
  const common = { m: n, n, k: n, batch, ...(gate ? { gate } : {}) } satisfies Partial<GemmStep>;
  const first = gemm({ ...common, label: 'AX', a: ['a', sq], b: ['x', sq], c: ['t', sq] }, kernel);
  if (order === 2) {
    return [first, [gemm({ ...common, symmetric, label: '2X-XT', a: ['x', sq], b: ['t', sq], c: ['xNext', sq], alpha: -1, residual: 'x', beta: 2 }, kernel)]];
  }
  const c = orderCoefficients(order);
  const rest: Step[] = [
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

/** ns_scale / ns_init / ns_residual as steps over buffers a, x, status, t. */
export function nsScale(shape: MatrixShape): Step {
  const invocations = shape.batch * NS.ns_scale.workgroupSize[0]; // one workgroup per matrix
  return step({ label: 'scale', variant: SCALE, uniform: nsUniform(shape, 0, 0), invocations, buffers: { a: 'a', status: 'status' } });
}

export function nsInit(shape: MatrixShape): Step {
  const invocations = shape.batch * shape.n * shape.n; // one per element
  return step({ label: 'init', variant: INIT, uniform: nsUniform(shape, 0, 0), invocations, buffers: { a: 'a', x: 'x', status: 'status' } });
}

export function nsResidual(shape: MatrixShape, tolerance: number, last: boolean): Step {
  return step({
    label: last ? 'residual(last)' : 'residual',
    variant: RESIDUAL,
    uniform: nsUniform(shape, tolerance, last ? 1 : 0),
    invocations: shape.batch * NS.ns_residual.workgroupSize[0], // one workgroup per matrix
    buffers: { t: 't', status: 'status' },
  });
}

function nsUniform(shape: MatrixShape, tolerance: number, last: number) {
  return { n: shape.n, batch: shape.batch, tolerance, last };
}
