import { trainingGemm } from '../gpu/gemm.js';
import type { GemmKernel, Step } from '../gpu/op.js';
import type { TokenShape } from '../layers.js';
import { elementwiseStep, MASK_BACKWARD } from './clip.js';
import { cols, rows } from './lsaBackward.js';
import { reduceSumStep } from './reduceSum.js';

export interface MlpSlot {
  hidden: number;
  w1: number;
  b1?: number;
  w2: number;
  b2?: number;
}

/** Buffer names of one ReLU layer in a training pass; `hidden` (ReLU(Z), [B, F, N]) is kept for the backward. */
export interface MlpBuffers {
  params: string;
  grads: string;
  input: string;
  output: string;
  hidden: string;
  gradIn: string;
  gradOut: string;
  /** Backward scratch: dA and dZ [B, F, N], per-prompt weight products. */
  dhidden: string;
  dz: string;
  partials: string;
}

export function mlpScratch(shape: TokenShape, hidden: number) {
  const { batch: b, width: d, tokens: n } = shape;
  return {
    kept: { hidden: b * hidden * n },
    temp: { dhidden: b * hidden * n, dz: b * hidden * n, partials: b * hidden * d },
  };
}

/** A = ReLU(W_1 X + b_1) (kept), out = X + W_2 A + b_2, weights read from the flat parameters. */
export function mlpTrainingForward(
  label: string,
  shape: TokenShape,
  slot: MlpSlot,
  x: MlpBuffers,
  kernel: GemmKernel,
): Step[] {
  const { batch, width: d, tokens: n } = shape;
  const f = slot.hidden;
  return [
    trainingGemm(
      {
        label: `${label}.hidden`,
        m: f,
        n,
        k: d,
        batch,
        a: [x.params, rows(slot.w1, 0, d)],
        b: [x.input, rows(0, d * n, n)],
        c: [x.hidden, rows(0, f * n, n)],
        relu: true,
        ...(slot.b1 !== undefined && { bias: [x.params, slot.b1] as const }),
      },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.out`,
        m: d,
        n,
        k: f,
        batch,
        a: [x.params, rows(slot.w2, 0, f)],
        b: [x.hidden, rows(0, f * n, n)],
        c: [x.output, rows(0, d * n, n)],
        residual: x.input,
        ...(slot.b2 !== undefined && { bias: [x.params, slot.b2] as const }),
      },
      kernel,
    ),
  ];
}

/**
 * ReLU layer backward with G = gradIn: dA = W_2ᵀ G, dZ = dA where A > 0, dX = G + W_1ᵀ dZ,
 * dW_1 = Σ_b dZ Xᵀ, dW_2 = Σ_b G Aᵀ (per-prompt products, fixed-order batch sums), db = Σ over batch and tokens.
 */
export function mlpBackward(
  label: string,
  shape: TokenShape,
  slot: MlpSlot,
  x: MlpBuffers,
  kernel: GemmKernel,
): Step[] {
  const { batch, width: d, tokens: n } = shape;
  const f = slot.hidden;
  const tokens = rows(0, d * n, n);
  const hidden = rows(0, f * n, n);
  const batchSum = (what: string, count: number, out: number) =>
    reduceSumStep({
      label: `${label}.${what}`,
      count,
      outer: batch,
      inner: 1,
      outerStride: count,
      rowStride: 1,
      input: [x.partials, 0],
      output: [x.grads, out],
    });
  const tokenSum = (what: string, input: string, count: number, out: number) =>
    reduceSumStep({
      label: `${label}.${what}`,
      count,
      outer: batch,
      inner: n,
      outerStride: count * n,
      rowStride: n,
      input: [input, 0],
      output: [x.grads, out],
    });
  return [
    trainingGemm(
      {
        label: `${label}.dhidden`,
        m: f,
        n,
        k: d,
        batch,
        a: [x.params, cols(slot.w2, 0, f)],
        b: [x.gradIn, tokens],
        c: [x.dhidden, hidden],
      },
      kernel,
    ),
    elementwiseStep(`${label}.mask`, MASK_BACKWARD, batch * f * n, 0, { x: x.hidden, g: x.dhidden, y: x.dz }, true),
    trainingGemm(
      {
        label: `${label}.dx`,
        m: d,
        n,
        k: f,
        batch,
        a: [x.params, cols(slot.w1, 0, d)],
        b: [x.dz, hidden],
        c: [x.gradOut, tokens],
        residual: x.gradIn,
      },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.dw1`,
        m: f,
        n: d,
        k: n,
        batch,
        a: [x.dz, hidden],
        b: [x.input, cols(0, d * n, n)],
        c: [x.partials, rows(0, f * d, d)],
      },
      kernel,
    ),
    batchSum('dw1Sum', f * d, slot.w1),
    trainingGemm(
      {
        label: `${label}.dw2`,
        m: d,
        n: f,
        k: n,
        batch,
        a: [x.gradIn, tokens],
        b: [x.hidden, cols(0, f * n, n)],
        c: [x.partials, rows(0, d * f, f)],
      },
      kernel,
    ),
    batchSum('dw2Sum', d * f, slot.w2),
    ...(slot.b1 !== undefined ? [tokenSum('db1', x.dz, f, slot.b1)] : []),
    ...(slot.b2 !== undefined ? [tokenSum('db2', x.gradIn, d, slot.b2)] : []),
  ];
}
