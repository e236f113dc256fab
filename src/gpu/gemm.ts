import gemmShader from '../../shaders/gemm.wgsl';
import gemmSubgroupsShader from '../../shaders/gemm_subgroups.wgsl';
import { type GemmKernel, type Op, type Step, step, type Variant, variant } from './op.js';

const { constants: K, entryPoints: E } = gemmShader;
/**
 * Below this many columns the direct schedule's 32-column blocks mostly idle. (At n = 21, batch
 * 2048, they still ran about 2× faster than the small kernel's 4 × 4 blocks on SwiftShader.)
 */
const DIRECT_SMALL_N = 16;
/**
 * The direct schedule's large kernel (64 × 64 blocks per quad, 8 steps of k per trip, 4 quads per
 * workgroup) replaces the 8 × 32 one, once runtime.prepare('large') has compiled it, when m and n
 * are at least LARGE_MIN_SIDE, k is a multiple of LARGE_STEPS, and there are at least
 * LARGE_MIN_QUADS blocks (two workgroups: a CPU adapter spreads workgroups over its threads).
 * Measured on SwiftShader, one 512³ product through the package: 2.2–3.1× the 8 × 32 kernel with
 * subgroups; the form without them ran 0.5–0.6× the subgroup form (docs/kernels.md).
 */
const LARGE_MIN_SIDE = 64;
const LARGE_MIN_QUADS = (2 * K.LARGE_THREADS) / 4;

/** Quads (4 invocations each) of the large kernel: one per 64 × 64 block of every C[z]. */
const largeQuads = (s: GemmStep) => Math.ceil(s.m / K.LARGE_ROWS) * Math.ceil(s.n / K.LARGE_COLS) * s.batch;

function large(kernel: GemmKernel, s: GemmStep): boolean {
  const big = s.m >= LARGE_MIN_SIDE && s.n >= LARGE_MIN_SIDE && s.k % K.LARGE_STEPS === 0;
  return kernel === 'direct' && big && largeQuads(s) >= LARGE_MIN_QUADS;
}

/**
 * Strided view of an operand. Slice z splits as z = o·inner + i (inner: the step's `inner`,
 * default the whole batch); element (z, r, c) lives at off + o*outer + i*batch + r*row + c*col.
 */
export interface View {
  off?: number;
  batch: number;
  /** Stride per outer step of a two-level batch; default 0. */
  outer?: number;
  row: number;
  col: number;
}

/** `C[z] = ReLU?(alpha·A[z]·B[z] + bias) + beta·R[z] + gamma·I` over named buffers. */
export interface GemmStep {
  label: string;
  m: number;
  n: number;
  k: number;
  batch: number;
  /** Two-level batch: slices per outer step (divides batch); default batch (one level). */
  inner?: number;
  a: readonly [string, View];
  b: readonly [string, View];
  c: readonly [string, View];
  /** Default 1. */
  alpha?: number;
  /** Residual addend, read with C's view, times `beta` (default 1). */
  residual?: string;
  beta?: number;
  bias?: readonly [string, number];
  relu?: boolean;
  /** Added to the diagonal of each C[z]. */
  gamma?: number;
  /** u32 per z; a nonzero entry skips that z (carrying the residual through when there is one). */
  gate?: string;
  /** C is known to be symmetric (m = n): only blocks on or above the diagonal run, mirrored on write. */
  symmetric?: boolean;
}

const ENTRIES = { tiled: [E.gemm], direct: [E.gemm_direct, E.gemm_direct_small] } as const;

type GemmEntry = (typeof ENTRIES)[GemmKernel][number] | typeof E.gemm_direct_large;

/** A GEMM pipeline; the large direct kernel also has a subgroup form (gemm_subgroups.wgsl). */
const gemmVariant = (entry: GemmEntry, constants: Record<string, boolean> = {}) =>
  variant(gemmShader, entry, constants, entry === E.gemm_direct_large ? gemmSubgroupsShader : undefined);

/**
 * The 'large' family: the direct schedule's large-product kernel (plain, residual and general
 * forms), compiled by runtime.prepare('large'), not by createRuntime (about 4–6 s of compilation
 * on SwiftShader). GEMM steps that qualify carry it as their upgrade.
 */
export const largeGemmOp: Op = {
  name: 'gemmLarge',
  family: 'large',
  variants: (g) =>
    g === 'direct'
      ? [
          gemmVariant(E.gemm_direct_large),
          gemmVariant(E.gemm_direct_large, { PLAIN: true }),
          gemmVariant(E.gemm_direct_large, { RESIDUAL: true }),
        ]
      : [],
};

/**
 * The GEMM pipelines a schedule dispatches (what an op that runs GEMMs declares): two per entry
 * point, the plain product (`PLAIN`: no epilogue code at all) and the general one, where every
 * specialisation (epilogue, symmetry, gate, batch layout) is a uniform.
 */
export function gemmVariants(kernel: GemmKernel, specialise: GemmSpecialisations = {}): Variant[] {
  return ENTRIES[kernel].flatMap((entry) => [
    gemmVariant(entry),
    gemmVariant(entry, { PLAIN: true }),
    ...(specialise.residual ? [gemmVariant(entry, { RESIDUAL: true })] : []),
  ]);
}

/**
 * Extra specialised pipelines an op may declare: `residual` (C = αA·B + βR alone) pays off where
 * residual products dominate (the backward passes); the forward family leaves it out to keep
 * start-up compilation short.
 */
export interface GemmSpecialisations {
  residual?: boolean;
}

/** What the training family declares and its GEMM steps use. */
export const TRAINING_GEMMS: GemmSpecialisations = { residual: true };

/** A GEMM step of the training family (its specialised pipelines). */
export const trainingGemm = (s: GemmStep, kernel: GemmKernel): Step => gemm(s, kernel, TRAINING_GEMMS);

export function gemm(s: GemmStep, kernel: GemmKernel, specialise: GemmSpecialisations = {}): Step {
  if (s.symmetric && s.m !== s.n) throw new Error(`${s.label}: a symmetric GEMM needs m = n, got ${s.m} × ${s.n}`);
  const inner = s.inner ?? s.batch;
  if (!Number.isInteger(s.batch / inner))
    throw new Error(`${s.label}: inner ${inner} does not divide batch ${s.batch}`);
  const tilesM = Math.ceil(s.m / K.TILE_M);
  const tilesN = Math.ceil(s.n / K.TILE_N);
  const small = kernel === 'direct' && s.n < DIRECT_SMALL_N;
  const entry = kernel === 'tiled' ? E.gemm : small ? E.gemm_direct_small : E.gemm_direct;
  // tiled: one workgroup per tile (upper-triangle tiles only when symmetric);
  // direct: one quad of invocations per 8 × 32 block of C; small: one invocation per 4 × 4 block
  const invocations =
    kernel === 'tiled'
      ? (s.symmetric ? (tilesM * (tilesM + 1)) / 2 : tilesM * tilesN) * s.batch * K.THREADS
      : small
        ? Math.ceil(s.m / 4) * Math.ceil(s.n / 4) * s.batch
        : 4 * Math.ceil(s.m / 8) * Math.ceil(s.n / 32) * s.batch;
  const uniform = uniformValues(s);
  const specialisation = {
    PLAIN: uniform.flags === 0,
    RESIDUAL: uniform.flags === K.F_RESIDUAL && specialise.residual === true,
  };
  const buffers = {
    a: s.a[0],
    b: s.b[0],
    c: s.c[0],
    r: s.residual ?? null,
    bias: s.bias?.[0] ?? null,
    gate: s.gate ?? null,
  };
  // The large kernel: one quad per 64 × 64 block; its residual form serves every residual-only step.
  const upgrade = large(kernel, s)
    ? {
        family: 'large' as const,
        op: largeGemmOp,
        step: step({
          label: s.label,
          variant: gemmVariant(E.gemm_direct_large, {
            PLAIN: specialisation.PLAIN,
            RESIDUAL: uniform.flags === K.F_RESIDUAL,
          }),
          uniform,
          invocations: 4 * largeQuads(s),
          buffers,
        }),
      }
    : undefined;
  return {
    ...step({ label: s.label, variant: gemmVariant(entry, specialisation), uniform, invocations, buffers }),
    ...(upgrade ? { upgrade } : {}),
  };
}

export function uniformValues(s: GemmStep) {
  const [, a] = s.a;
  const [, b] = s.b;
  const [, c] = s.c;
  const flags =
    (s.bias !== undefined ? K.F_BIAS : 0) |
    (s.relu ? K.F_RELU : 0) |
    (s.residual !== undefined ? K.F_RESIDUAL : 0) |
    (s.gamma !== undefined ? K.F_DIAG : 0) |
    (s.gate !== undefined ? K.F_GATE : 0) |
    (s.symmetric ? K.F_SYMMETRIC : 0);
  return {
    m: s.m,
    n: s.n,
    k: s.k,
    batch: s.batch,
    tiles_m: Math.ceil(s.m / K.TILE_M),
    tiles_n: Math.ceil(s.n / K.TILE_N),
    inner: s.inner ?? s.batch,
    a_off: a.off ?? 0,
    a_batch: a.batch,
    a_outer: a.outer ?? 0,
    a_row: a.row,
    a_col: a.col,
    b_off: b.off ?? 0,
    b_batch: b.batch,
    b_outer: b.outer ?? 0,
    b_row: b.row,
    b_col: b.col,
    c_off: c.off ?? 0,
    c_batch: c.batch,
    c_outer: c.outer ?? 0,
    c_row: c.row,
    c_col: c.col,
    bias_off: s.bias?.[1] ?? 0,
    alpha: s.alpha ?? 1,
    beta: s.beta ?? 1,
    gamma: s.gamma ?? 0,
    flags,
  };
}
