import gemmCode from '../../shaders/gemm.wgsl?raw';
import type { ShaderSpec } from './kernel.js';
import { wgslConstant } from './context.js';
import type { DispatchStep } from './program.js';

/** Two schedules of the same product: workgroup-memory tiles (GPUs) or direct 4×4 blocks (CPU adapters). */
export type GemmKernel = 'tiled' | 'direct';
export const GEMM: ShaderSpec = { label: 'Gemm', code: gemmCode, entryPoint: 'gemm' };
export const GEMM_DIRECT: ShaderSpec = { label: 'GemmDirect', code: gemmCode, entryPoint: 'gemm_direct' };
export const GEMM_DIRECT_SMALL: ShaderSpec = { label: 'GemmDirectSmall', code: gemmCode, entryPoint: 'gemm_direct_small' };
/** Below this many columns the direct schedule's 32-column blocks mostly idle. */
const DIRECT_SMALL_N = 32;
export const GEMM_SPECS: Record<GemmKernel, ShaderSpec> = { tiled: GEMM, direct: GEMM_DIRECT };
const THREADS = wgslConstant(gemmCode, 'THREADS');
const TILE_M = wgslConstant(gemmCode, 'TILE_M');
const TILE_N = wgslConstant(gemmCode, 'TILE_N');

/** Strided view of an operand: element (z, r, c) at off + z*batch + r*row + c*col + ⌊c/block⌋*blockSkip. */
export interface View {
  off?: number;
  batch: number;
  row: number;
  col: number;
  block?: number;
  blockSkip?: number;
}

/** `C[z] = ReLU?(alpha·A[z]·B[z] + bias) + beta·R[z] + gamma·I` over named buffers. */
export interface GemmStep {
  label: string;
  m: number;
  n: number;
  k: number;
  batch: number;
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
  /** C is known to be symmetric (m = n): only upper-triangle tiles run, mirrored on write. */
  symmetric?: boolean;
}

const NO_BLOCK = 0xffffffff;

/** The pipeline variant a step needs; `createRuntime` compiles the ones the ops use. */
export function gemmConstants(s: Pick<GemmStep, 'bias' | 'relu' | 'residual' | 'gamma' | 'gate' | 'symmetric'> & { a?: GemmStep['a'] }) {
  return {
    BLOCKED: s.a?.[1].block !== undefined,
    BIAS: s.bias !== undefined,
    RELU: s.relu === true,
    RESIDUAL: s.residual !== undefined,
    DIAG: s.gamma !== undefined,
    GATE: s.gate !== undefined,
    SYMMETRIC: s.symmetric === true,
  };
}

export function gemm(s: GemmStep, kernel: GemmKernel): DispatchStep {
  if (s.symmetric && s.m !== s.n) throw new Error(`${s.label}: a symmetric GEMM needs m = n, got ${s.m} × ${s.n}`);
  const tilesM = Math.ceil(s.m / TILE_M);
  const tilesN = Math.ceil(s.n / TILE_N);
  const perZ = s.symmetric ? (tilesM * (tilesM + 1)) / 2 : tilesM * tilesN;
  const small = kernel === 'direct' && s.n < DIRECT_SMALL_N;
  // direct: one quad of invocations per 8 × 32 block of C; small: one invocation per 4 × 4 block
  const invocations = small ? Math.ceil(s.m / 4) * Math.ceil(s.n / 4) * s.batch : 4 * Math.ceil(s.m / 8) * Math.ceil(s.n / 32) * s.batch;
  return {
    label: s.label,
    spec: small ? GEMM_DIRECT_SMALL : GEMM_SPECS[kernel],
    constants: gemmConstants(s),
    uniform: uniformValues(s),
    workgroups: kernel === 'tiled' ? perZ * s.batch : Math.ceil(invocations / THREADS),
    buffers: {
      a: s.a[0],
      b: s.b[0],
      c: s.c[0],
      r: s.residual ?? null,
      bias: s.bias?.[0] ?? null,
      gate: s.gate ?? null,
    },
  };
}

export function uniformValues(s: GemmStep): Record<string, number> {
  const [, a] = s.a;
  const [, b] = s.b;
  const [, c] = s.c;
  return {
    m: s.m,
    n: s.n,
    k: s.k,
    batch: s.batch,
    tiles_m: Math.ceil(s.m / TILE_M),
    tiles_n: Math.ceil(s.n / TILE_N),
    a_off: a.off ?? 0,
    a_batch: a.batch,
    a_row: a.row,
    a_col: a.col,
    a_block: a.block ?? NO_BLOCK,
    a_block_skip: a.blockSkip ?? 0,
    b_off: b.off ?? 0,
    b_batch: b.batch,
    b_row: b.row,
    b_col: b.col,
    c_off: c.off ?? 0,
    c_batch: c.batch,
    c_row: c.row,
    c_col: c.col,
    bias_off: s.bias?.[1] ?? 0,
    alpha: s.alpha ?? 1,
    beta: s.beta ?? 1,
    gamma: s.gamma ?? 0,
  };
}
