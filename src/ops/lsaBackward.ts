import { trainingGemm, type View } from '../gpu/gemm.js';
import type { GemmKernel, Step } from '../gpu/op.js';
import type { TokenShape } from '../layers.js';
import { layerNormBackwardStep, layerNormStep } from './layerNorm.js';
import { reduceSumStep } from './reduceSum.js';

/** Buffer names one LSA layer reads and writes in a training pass (see `lsaTrainingForward`). */
export interface LsaBuffers {
  params: string;
  grads: string;
  /** Layer input H and output, [B, D, N]. */
  input: string;
  output: string;
  /**
   * Kept for the backward pass, per prompt: G = X_K X_Kᵀ [D, D], A = [W_V^1 G | … | W_V^h G] and
   * Bm = [A_1 W_K^1ᵀ | … ] [D, hD] (heads side by side), M = Σ_i Bm_i W_Q^i (+ I without a norm)
   * [D, D], and X = LN(H) with a norm.
   */
  g: string;
  a: string;
  bm: string;
  mm: string;
  normed: string;
  /** Gradient in (dL/d output) and out (dL/d input), [B, D, N]. */
  gradIn: string;
  gradOut: string;
  /**
   * Backward scratch: dM, dG, E [B, D, D], dBm [B, D, hD], dAᵀ [B, D, hD] (heads side by side),
   * S = E X_K [B, D, N] (columns ≥ K never written: zero), weight partials [chunks, 3hD²].
   */
  dm: string;
  dbm: string;
  /** dAᵀ per head, side by side: [B, D, hD]. */
  da: string;
  dg: string;
  e: string;
  s: string;
  dnormed: string;
  dyXhat: string;
  partials: string;
}

export interface LsaSlot {
  heads: number;
  keys: number;
  /** Offset of the stacked 3hD × D weight [W_Q^1..h; W_V^1..h; W_K^1..h]. */
  q: number;
  norm?: { gain: number; bias: number };
}

/** Scratch element counts of one LSA layer: `kept` lives until the backward pass, `temp` is reused. */
export function lsaScratch(shape: TokenShape, heads: number, norm: boolean) {
  const { batch: b, width: d, tokens: n } = shape;
  const dd = b * d * d;
  return {
    kept: { g: dd, a: heads * dd, bm: heads * dd, mm: dd, ...(norm && { normed: b * d * n }) },
    temp: {
      dm: dd,
      dbm: heads * dd,
      da: heads * dd,
      dg: dd,
      e: dd,
      partials: 3 * heads * d * d * batchChunks(b),
      ...(norm && { dnormed: b * d * n, dyXhat: b * d * n }),
    },
    /** S: one buffer per key count, since only its first K columns are ever written. */
    s: b * d * n,
  };
}

/**
 * Weight-gradient reductions over the batch run as GEMMs whose k spans `batch / chunks` prompts,
 * one partial per chunk, then a fixed-order sum of the chunks: the largest divisor of the batch
 * up to 32 (enough parallel partial products for the device, few partials to sum).
 */
export function batchChunks(batch: number): number {
  for (let c = Math.min(32, batch); c > 1; c--) if (batch % c === 0) return c;
  return 1;
}

/** Row-major view (row stride `row`) and its transpose (column stride `col`). */
export const rows = (off: number, batch: number, row: number): View => ({ off, batch, row, col: 1 });
export const cols = (off: number, batch: number, col: number): View => ({ off, batch, row: 1, col });

/**
 * Where LSA's weights and per-prompt products live, as GEMM views. Heads are a two-level batch
 * z = (prompt, head) with `inner` = h; W_Q, W_V, W_K are the three hD × D blocks at `q`.
 */
function layout(shape: TokenShape, slot: LsaSlot) {
  const { width: d, tokens: n } = shape;
  const h = slot.heads;
  const dd = d * d;
  const hdd = h * dd;
  return {
    d,
    n,
    h,
    dd,
    hdd,
    wq: slot.q,
    wv: slot.q + hdd,
    wk: slot.q + 2 * hdd,
    /** X [D, N] per prompt, and Xᵀ. */
    x: rows(0, d * n, n),
    xT: cols(0, d * n, n),
    /** A [D, D] per prompt. */
    square: rows(0, dd, d),
    /** Head i of a [D, hD] side-by-side product (z = (prompt, head)). */
    side: { batch: d, outer: hdd, row: h * d, col: 1 } as View,
    /** Head i of a [D, hD] side-by-side product, transposed. */
    sideT: { batch: d, outer: hdd, row: 1, col: h * d } as View,
    /** Head i of an [hD, D] stacked product (z = (prompt, head)). */
    stacked: { batch: dd, outer: hdd, row: d, col: 1 } as View,
    /** Weight block of head i (batch over heads only). */
    weight: (off: number): View => ({ off, batch: dd, outer: 0, row: d, col: 1 }),
    weightT: (off: number): View => ({ off, batch: dd, outer: 0, row: 1, col: d }),
  };
}

/**
 * LSA forward from the flat parameters in the D × D form, keeping what the backward needs
 * (X = LN(H) with a norm, else H; K = key columns):
 *   G = X_K X_Kᵀ,  A_i = W_V^i G,  Bm_i = A_i W_K^iᵀ,  M = Σ_i Bm_i W_Q^i
 *   out = (M + I) H without a norm, H + M X with one
 * O(D²N + hD³) per prompt: the [3hD, N] projections of the literal form are never formed.
 */
export function lsaTrainingForward(
  label: string,
  shape: TokenShape,
  slot: LsaSlot,
  x: LsaBuffers,
  kernel: GemmKernel,
): Step[] {
  const { batch } = shape;
  const L = layout(shape, slot);
  const { d, n, h } = L;
  const src = slot.norm ? x.normed : x.input;
  const heads = { batch: batch * h, inner: h };
  return [
    ...(slot.norm
      ? [layerNormStep(`${label}.norm`, shape, { params: x.params, ...slot.norm }, x.input, x.normed)]
      : []),
    trainingGemm(
      { label: `${label}.g`, m: d, n: d, k: slot.keys, batch, a: [src, L.x], b: [src, L.xT], c: [x.g, L.square] },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.a`,
        m: d,
        n: d,
        k: d,
        ...heads,
        a: [x.params, L.weight(L.wv)],
        b: [x.g, { batch: 0, outer: L.dd, row: d, col: 1 }],
        c: [x.a, L.side],
      },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.bm`,
        m: d,
        n: d,
        k: d,
        ...heads,
        a: [x.a, L.side],
        b: [x.params, L.weightT(L.wk)],
        c: [x.bm, L.side],
      },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.m`,
        m: d,
        n: d,
        k: h * d,
        batch,
        a: [x.bm, rows(0, L.hdd, h * d)],
        b: [x.params, rows(L.wq, 0, d)],
        c: [x.mm, L.square],
        ...(!slot.norm && { gamma: 1 }),
      },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.apply`,
        m: d,
        n,
        k: d,
        batch,
        a: [x.mm, L.square],
        b: [src, L.x],
        c: [x.output, L.x],
        ...(slot.norm && { residual: x.input }),
      },
      kernel,
    ),
  ];
}

/**
 * LSA backward (DESIGN §6) in the same D × D form, with Δ = gradIn:
 *   dM = Δ Xᵀ,  dBm_i = dM W_Q^iᵀ,  dW_Q^i = Bm_iᵀ dM,  dA_i = dBm_i W_K^i,  dW_K^i = dBm_iᵀ A_i,
 *   dG = Σ_i W_V^iᵀ dA_i,  dW_V^i = dA_i G,  E = dG + dGᵀ,
 *   dX = Mᵀ Δ + E X_K (the key columns; Mᵀ includes I without a norm, through the LN backward with one)
 * Weight gradients: GEMMs over chunks of prompts (k = prompts·D), then a fixed-order sum of the chunks.
 */
export function lsaBackward(
  label: string,
  shape: TokenShape,
  slot: LsaSlot,
  x: LsaBuffers,
  kernel: GemmKernel,
): Step[] {
  const { batch } = shape;
  const L = layout(shape, slot);
  const { d, n, h, hdd } = L;
  const src = slot.norm ? x.normed : x.input;
  const dx = slot.norm ? x.dnormed : x.gradOut;
  const heads = { batch: batch * h, inner: h };
  const partial = (block: number): View => ({ off: block * hdd, batch: 3 * hdd, row: d, col: 1 });
  const chunks = batchChunks(batch);
  const per = batch / chunks;
  const steps: Step[] = [
    trainingGemm(
      { label: `${label}.dm`, m: d, n: d, k: n, batch, a: [x.gradIn, L.x], b: [src, L.xT], c: [x.dm, L.square] },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.dbm`,
        m: d,
        n: h * d,
        k: d,
        batch,
        a: [x.dm, L.square],
        b: [x.params, cols(L.wq, 0, d)],
        c: [x.dbm, rows(0, hdd, h * d)],
      },
      kernel,
    ),
    // Weight gradients reduce over (prompt, row) as one k dimension: Bm and dBm hold a prompt's
    // D rows of hD contiguously, so k = prompts·D is a single stride; `chunks` split it.
    trainingGemm(
      {
        label: `${label}.dwq`,
        m: h * d,
        n: d,
        k: per * d,
        batch: chunks,
        a: [x.bm, { batch: per * hdd, row: 1, col: h * d }],
        b: [x.dm, { batch: per * L.dd, row: d, col: 1 }],
        c: [x.partials, partial(0)],
      },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.da`,
        m: d,
        n: d,
        k: d,
        ...heads,
        a: [x.dbm, L.side],
        b: [x.params, L.weight(L.wk)],
        // Stored transposed, heads side by side ([dA_1ᵀ | … | dA_hᵀ], D × hD per prompt), so that
        // dW_V's k = (prompt, column) is a single stride, like dW_Q's and dW_K's.
        c: [x.da, { batch: d, outer: hdd, row: 1, col: h * d }],
      },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.dwk`,
        m: d,
        n: d,
        k: per * d,
        batch: chunks * h,
        inner: h,
        a: [x.dbm, { batch: d, outer: per * hdd, row: 1, col: h * d }],
        b: [x.a, { batch: d, outer: per * hdd, row: h * d, col: 1 }],
        c: [x.partials, { off: 2 * hdd, batch: L.dd, outer: 3 * hdd, row: d, col: 1 }],
      },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.dg`,
        m: d,
        n: d,
        k: h * d,
        batch,
        a: [x.params, cols(L.wv, 0, d)],
        b: [x.da, cols(0, hdd, h * d)],
        c: [x.dg, L.square],
      },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.dwv`,
        m: h * d,
        n: d,
        k: per * d,
        batch: chunks,
        a: [x.da, { batch: per * hdd, row: 1, col: h * d }],
        b: [x.g, { batch: per * L.dd, row: d, col: 1 }],
        c: [x.partials, partial(1)],
      },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.e`,
        m: d,
        n: d,
        k: h * d,
        batch,
        a: [x.da, rows(0, hdd, h * d)],
        b: [x.params, rows(L.wv, 0, d)],
        c: [x.e, L.square],
        residual: x.dg,
      },
      kernel,
    ),
    trainingGemm(
      { label: `${label}.s`, m: d, n: slot.keys, k: d, batch, a: [x.e, L.square], b: [src, L.x], c: [x.s, L.x] },
      kernel,
    ),
    trainingGemm(
      {
        label: `${label}.dx`,
        m: d,
        n,
        k: d,
        batch,
        a: [x.mm, cols(0, L.dd, d)],
        b: [x.gradIn, L.x],
        c: [dx, L.x],
        residual: x.s,
      },
      kernel,
    ),
    reduceSumStep({
      label: `${label}.dwSum`,
      count: 3 * hdd,
      outer: chunks,
      inner: 1,
      outerStride: 3 * hdd,
      rowStride: 1,
      input: [x.partials, 0],
      output: [x.grads, slot.q],
    }),
  ];
  if (slot.norm)
    steps.push(...normBackward(label, shape, slot.norm, { ...x, x: x.input, dy: x.dnormed, residual: x.gradIn }));
  return steps;
}

/** LayerNorm VJP plus dgain = Σ dy ⊙ x̂ and dbias = Σ dy over batch and tokens (fixed order). */
export function normBackward(
  label: string,
  shape: TokenShape,
  norm: { gain: number; bias: number },
  x: { params: string; grads: string; x: string; dy: string; gradOut: string; dyXhat: string; residual?: string },
): Step[] {
  const { batch, width: d, tokens: n } = shape;
  const sum = (what: string, input: string, out: number) =>
    reduceSumStep({
      label: `${label}.${what}`,
      count: d,
      outer: batch,
      inner: n,
      outerStride: d * n,
      rowStride: n,
      input: [input, 0],
      output: [x.grads, out],
    });
  return [
    layerNormBackwardStep(
      `${label}.normBackward`,
      shape,
      { params: x.params, ...norm },
      {
        x: x.x,
        dy: x.dy,
        dx: x.gradOut,
        dyXhat: x.dyXhat,
        ...(x.residual !== undefined && { residual: x.residual }),
      },
    ),
    sum('dgain', x.dyXhat, norm.gain),
    sum('dbias', x.dy, norm.bias),
  ];
}
