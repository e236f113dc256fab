import { ShapeError, ValueError } from '../errors.js';
import { gemm, gemmVariants, type View } from '../gpu/gemm.js';
import type { GemmKernel, Op } from '../gpu/op.js';
import { describe, type Shape } from '../shape.js';
import type { Fragment } from './fragment.js';

export const matmulOp: Op = { name: 'matmul', family: 'forward', variants: gemmVariants };

export interface MatmulOptions {
  /** Use Aᵀ: a holds [B?, k, m]. */
  transposeA?: boolean;
  /** Use Bᵀ: b holds [B?, n, k]. */
  transposeB?: boolean;
}

/** A batched product's sizes; a rank-2 operand is shared by every batch entry. */
export interface MatmulShape {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** Output shape: rank 3 unless both operands are rank 2. */
  output: number[];
  aBatched: boolean;
  bBatched: boolean;
  transposeA: boolean;
  transposeB: boolean;
}

export function resolveMatmul(what: string, a: Shape, b: Shape, options: MatmulOptions = {}): MatmulShape {
  for (const name of ['transposeA', 'transposeB'] as const) {
    const v = options[name];
    if (v !== undefined && typeof v !== 'boolean')
      throw new ValueError(`${what}: expected ${name} to be a boolean, got ${String(v)}`);
  }
  for (const [name, s] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (s.length !== 2 && s.length !== 3)
      throw new ShapeError(`${what}: expected ${name} of rank 2 or 3, got ${describe(s)}`);
  }
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  const [ar, ac] = a.slice(-2) as [number, number];
  const [br, bc] = b.slice(-2) as [number, number];
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const [kb, n] = transposeB ? [bc, br] : [br, bc];
  if (k !== kb) {
    throw new ShapeError(
      `${what}: expected inner dimensions to agree, got k = ${k} from a ${describe(a)} and ${kb} from b ${describe(b)}`,
    );
  }
  const aBatched = a.length === 3;
  const bBatched = b.length === 3;
  if (aBatched && bBatched && a[0] !== b[0]) {
    throw new ShapeError(`${what}: expected the same batch for a and b, got ${describe(a)} and ${describe(b)}`);
  }
  const batch = aBatched ? a[0]! : bBatched ? b[0]! : 1;
  return {
    batch,
    m,
    n,
    k,
    output: aBatched || bBatched ? [batch, m, n] : [m, n],
    aBatched,
    bBatched,
    transposeA,
    transposeB,
  };
}

/** `C[z] = op(A[z]) · op(B[z])`: one GEMM; transposes and broadcasts are strides. */
export function matmulFragment(gemmKernel: GemmKernel, s: MatmulShape): Fragment {
  const { batch, m, n, k } = s;
  const a: View = s.transposeA
    ? { batch: s.aBatched ? m * k : 0, row: 1, col: m }
    : { batch: s.aBatched ? m * k : 0, row: k, col: 1 };
  const b: View = s.transposeB
    ? { batch: s.bBatched ? k * n : 0, row: 1, col: k }
    : { batch: s.bBatched ? k * n : 0, row: n, col: 1 };
  return {
    steps: [
      gemm(
        { label: 'matmul', m, n, k, batch, a: ['a', a], b: ['b', b], c: ['output', { batch: m * n, row: n, col: 1 }] },
        gemmKernel,
      ),
    ],
    scratch: {},
    data: {},
  };
}
