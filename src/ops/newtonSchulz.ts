import nsShader from '../../shaders/newton_schulz.wgsl';
import { ShapeError, ValueError } from '../errors.js';
import { type GemmStep, gemm, gemmVariants } from '../gpu/gemm.js';
import { type GemmKernel, type Op, type Step, step, type Variant, variant } from '../gpu/op.js';
import { describe, type Shape } from '../shape.js';

const NS = nsShader.entryPoints;
const K = nsShader.constants;
const SCALE = variant(nsShader, NS.ns_scale);
const INIT = variant(nsShader, NS.ns_init);
const RESIDUAL = variant(nsShader, NS.ns_residual);

/**
 * Fused kernels follow the GEMM schedule: 'tiled' (GPUs) shares a workgroup among several
 * matrices with X and T in workgroup memory, 'direct' (CPU adapters) gives each matrix one
 * invocation and no barriers.
 */
const FUSED: Record<GemmKernel, { step: Variant; invert: Variant }> = {
  tiled: { step: variant(nsShader, NS.ns_step), invert: variant(nsShader, NS.ns_invert) },
  direct: { step: variant(nsShader, NS.ns_step_direct), invert: variant(nsShader, NS.ns_invert_direct) },
};
/** 'direct' at n ≤ SMALL_N: the matrices as values, no private arrays to zero per invocation. */
const SMALL = { step: variant(nsShader, NS.ns_step_small), invert: variant(nsShader, NS.ns_invert_small) };
const SMALL_N = 8;
/** 'direct' step at n = 4, 8: every load and store a whole vec4 row. */
const ROWS4_STEP = variant(nsShader, NS.ns_step_rows4);

function fusedVariant(kernel: GemmKernel, n: number, which: 'step' | 'invert'): Variant {
  if (which === 'step' && small(kernel, n) && n % 4 === 0) return ROWS4_STEP;
  return (small(kernel, n) ? SMALL : FUSED[kernel])[which];
}

function small(kernel: GemmKernel, n: number): boolean {
  return kernel === 'direct' && n <= SMALL_N;
}

export const newtonSchulzOp: Op = {
  name: 'newtonSchulz',
  family: 'forward',
  variants: (g) => [...gemmVariants(g), FUSED[g].step, ...(g === 'direct' ? [SMALL.step, ROWS4_STEP] : [])],
};
/** Its own family, compiled by the first `runtime.invert` (not by createRuntime: start-up time). */
export const invertOp: Op = {
  name: 'invert',
  family: 'invert',
  variants: (g) => [
    ...gemmVariants(g),
    SCALE,
    INIT,
    RESIDUAL,
    FUSED[g].invert,
    ...(g === 'direct' ? [SMALL.invert] : []),
  ],
};

/** Largest n the fused path takes. */
export const FUSED_MAX_N: number = K.MAX_N;

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

export function resolveStepOptions(
  what: string,
  shape: MatrixShape,
  options: NewtonSchulzOptions | undefined,
): ResolvedStepOptions {
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
export function stepGemms(
  kernel: GemmKernel,
  shape: MatrixShape,
  order: number,
  symmetric: boolean,
  gate?: string,
): [Step, Step[]] {
  const { batch, n } = shape;
  const sq = { batch: n * n, row: n, col: 1 };
  const common = { m: n, n, k: n, batch, ...(gate ? { gate } : {}) } satisfies Partial<GemmStep>;
  const first = gemm({ ...common, label: 'AX', a: ['a', sq], b: ['x', sq], c: ['t', sq] }, kernel);
  if (order === 2) {
    return [
      first,
      [
        gemm(
          {
            ...common,
            symmetric,
            label: '2X-XT',
            a: ['x', sq],
            b: ['t', sq],
            c: ['xNext', sq],
            alpha: -1,
            residual: 'x',
            beta: 2,
          },
          kernel,
        ),
      ],
    ];
  }
  const c = orderCoefficients(order);
  const rest: Step[] = [
    gemm(
      {
        ...common,
        label: 'S=T²',
        a: ['t', sq],
        b: ['t', sq],
        c: ['s0', sq],
        alpha: c[order - 1]!,
        residual: 't',
        beta: c[order - 2]!,
        gamma: c[order - 3]!,
      },
      kernel,
    ),
  ];
  let s = 's0';
  for (let m = order - 4; m >= 0; m--) {
    const next = s === 's0' ? 's1' : 's0';
    rest.push(gemm({ ...common, label: `S=TS+c${m}`, a: ['t', sq], b: [s, sq], c: [next, sq], gamma: c[m]! }, kernel));
    s = next;
  }
  // beta = 0: the residual term only carries X through for matrices the gate has stopped.
  rest.push(
    gemm(
      { ...common, symmetric, label: 'X=XS', a: ['x', sq], b: [s, sq], c: ['xNext', sq], residual: 'x', beta: 0 },
      kernel,
    ),
  );
  return [first, rest];
}

/** Scratch element counts one step needs: T, and the Horner buffers for order > 2. */
export function stepScratch(shape: MatrixShape, order: number): Record<string, number> {
  const nn = shape.batch * shape.n * shape.n;
  return order === 2 ? { t: nn } : order === 3 ? { t: nn, s0: nn } : { t: nn, s0: nn, s1: nn };
}

// Matrices per workgroup of ns_step / ns_invert: n invocations each; X and T (n × ⌈n/4⌉ vec4s) fit CAPACITY.
function fusedGroup(kernel: GemmKernel, n: number): number {
  return kernel === 'tiled' ? Math.min(Math.floor(K.WG / n), Math.floor(K.CAPACITY / (n * Math.ceil(n / 4)))) : 1;
}

/** Invocations a fused dispatch needs: whole workgroups of matrices ('tiled'), or one per matrix ('direct'). */
function fusedInvocations(kernel: GemmKernel, shape: MatrixShape): number {
  return kernel === 'tiled' ? Math.ceil(shape.batch / fusedGroup(kernel, shape.n)) * K.WG : shape.batch;
}

/** One fused step over slots a, x → xNext. */
export function fusedStep(kernel: GemmKernel, shape: MatrixShape, o: ResolvedStepOptions): Step {
  return step({
    label: 'fusedStep',
    variant: fusedVariant(kernel, shape.n, 'step'),
    uniform: nsUniform(shape, {
      per_group: fusedGroup(kernel, shape.n),
      order: o.order,
      symmetric: o.symmetric ? 1 : 0,
    }),
    invocations: fusedInvocations(kernel, shape),
    buffers:
      small(kernel, shape.n) && shape.n % 4 === 0
        ? { a4: 'a', x_in4: 'x', x_next4: 'xNext' }
        : { a: 'a', x_in: 'x', x_next: 'xNext' },
  });
}

/** Stop rule inputs shared by both paths: tolerance (0: none) and the step budget. */
export interface IterationLimits {
  tolerance: number;
  maxIterations: number;
}

/**
 * `trips` evaluate-and-update trips of a whole inversion over a, x (in place) and status;
 * `first` scales A and starts from X₀ = α Aᵀ.
 */
export function fusedInvert(
  kernel: GemmKernel,
  shape: MatrixShape,
  o: ResolvedStepOptions,
  limits: IterationLimits,
  trips: number,
  first: boolean,
): Step {
  return step({
    label: first ? 'fusedInvert(first)' : 'fusedInvert',
    variant: fusedVariant(kernel, shape.n, 'invert'),
    uniform: nsUniform(shape, {
      per_group: fusedGroup(kernel, shape.n),
      order: o.order,
      symmetric: o.symmetric ? 1 : 0,
      steps: trips,
      first: first ? 1 : 0,
      tolerance: limits.tolerance,
      max_iterations: limits.maxIterations,
    }),
    invocations: fusedInvocations(kernel, shape),
    buffers: { a: 'a', x: 'x', status: 'status' },
  });
}

/** Trips per fused invert dispatch: the work budget's worth, at least MIN_TRIPS, at most `evaluations`. */
export function tripsPerDispatch(shape: MatrixShape, order: number, evaluations: number): number {
  const perTrip = shape.batch * order * shape.n ** 3;
  return Math.min(evaluations, Math.max(K.MIN_TRIPS, Math.floor(K.TRIP_BUDGET / perTrip)));
}

/** Invocations per matrix in ns_scale / ns_residual: the power of two ≥ n, at most WG. */
function reductionLanes(n: number): number {
  return Math.min(K.WG, 2 ** Math.ceil(Math.log2(n)));
}

/** ns_scale / ns_init / ns_residual as steps over buffers a, x, status, t. */
export function nsScale(shape: MatrixShape): Step {
  const lanes = reductionLanes(shape.n);
  return step({
    label: 'scale',
    variant: SCALE,
    uniform: nsUniform(shape, { lanes, per_group: K.WG / lanes }),
    invocations: Math.ceil(shape.batch / (K.WG / lanes)) * K.WG,
    buffers: { a: 'a', status: 'status' },
  });
}

export function nsInit(shape: MatrixShape): Step {
  const invocations = shape.batch * shape.n * shape.n; // one per element
  return step({
    label: 'init',
    variant: INIT,
    uniform: nsUniform(shape, {}),
    invocations,
    buffers: { a: 'a', x: 'x', status: 'status' },
  });
}

export function nsResidual(shape: MatrixShape, limits: IterationLimits): Step {
  const lanes = reductionLanes(shape.n);
  return step({
    label: 'residual',
    variant: RESIDUAL,
    uniform: nsUniform(shape, {
      lanes,
      per_group: K.WG / lanes,
      tolerance: limits.tolerance,
      max_iterations: limits.maxIterations,
    }),
    invocations: Math.ceil(shape.batch / (K.WG / lanes)) * K.WG,
    buffers: { t: 't', status: 'status' },
  });
}

/** The shader's one uniform struct; members a kernel does not read are 0. */
function nsUniform(shape: MatrixShape, values: Partial<Record<string, number>>) {
  const c = values.order ? orderCoefficients(values.order) : [];
  return {
    n: shape.n,
    batch: shape.batch,
    lanes: 0,
    per_group: 0,
    order: 0,
    steps: 0,
    first: 0,
    max_iterations: 0,
    symmetric: 0,
    tolerance: 0,
    c0: c[0] ?? 0,
    c1: c[1] ?? 0,
    c2: c[2] ?? 0,
    c3: c[3] ?? 0,
    c4: c[4] ?? 0,
    ...values,
  };
}
