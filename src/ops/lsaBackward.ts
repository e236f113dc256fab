import { gemm, type View } from '../gpu/gemm.js';
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
  /** Kept for the backward pass: [Q; V; Kt] stacked per prompt [B, 3hD, N], Kt_i V_iᵀ [B, h, D, D], LN(H). */
  qvk: string;
  t: string;
  normed: string;
  /** Gradient in (dL/d output) and out (dL/d input), [B, D, N]. */
  gradIn: string;
  gradOut: string;
  /** Backward scratch: [dQ; dV; dKt] [B, 3hD, N] (columns ≥ K of dV, dKt never written: zero), dS [B, D, hD]. */
  dqvk: string;
  ds: string;
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
  return {
    kept: { qvk: b * 3 * heads * d * n, t: b * heads * d * d, ...(norm && { normed: b * d * n }) },
    temp: { ds: b * heads * d * d, partials: b * 3 * heads * d * d, ...(norm && { dnormed: b * d * n, dyXhat: b * d * n }) },
  };
}

const rows = (off: number, batch: number, row: number): View => ({ off, batch, row, col: 1 });
const cols = (off: number, batch: number, col: number): View => ({ off, batch, row: 1, col });

/**
 * LSA forward from the flat parameters, keeping what the backward needs (X = LN(H) or H):
 *   QVK = [W_Q; W_V; W_K] X            one GEMM, [B, 3hD, N]
 *   T_i = Kt_i V_iᵀ = S_iᵀ              per head, over the first K columns, [B, h, D, D]
 *   out = H + [S_1 … S_h] [Q_1; …; Q_h]  one GEMM with k = hD
 */
export function lsaTrainingForward(label: string, shape: TokenShape, slot: LsaSlot, x: LsaBuffers, kernel: GemmKernel): Step[] {
  const { batch, width: d, tokens: n } = shape;
  const h = slot.heads;
  const dn = d * n;
  const tokens = rows(0, dn, n);
  const src = slot.norm ? x.normed : x.input;
  return [
    ...(slot.norm ? [layerNormStep(`${label}.norm`, shape, { params: x.params, ...slot.norm }, x.input, x.normed)] : []),
    gemm({ label: `${label}.qvk`, m: 3 * h * d, n, k: d, batch, a: [x.params, rows(slot.q, 0, d)], b: [src, tokens], c: [x.qvk, rows(0, 3 * h * dn, n)] }, kernel),
    ...Array.from({ length: h }, (_, i) =>
      gemm({
        label: `${label}.state${i}`, m: d, n: d, k: slot.keys, batch,
        a: [x.qvk, rows((2 * h + i) * dn, 3 * h * dn, n)],
        b: [x.qvk, cols((h + i) * dn, 3 * h * dn, n)],
        c: [x.t, rows(i * d * d, h * d * d, d)],
      }, kernel),
    ),
    gemm({ label: `${label}.apply`, m: d, n, k: h * d, batch, a: [x.t, cols(0, h * d * d, d)], b: [x.qvk, rows(0, 3 * h * dn, n)], c: [x.output, tokens], residual: x.input }, kernel),
  ];
}

/**
 * LSA backward (DESIGN §6), O(D²N) per prompt, with G = gradIn:
 *   dQ = T G,  dS = G Qᵀ,  dV_i = dS_i Kt_i,  dKt_i = dS_iᵀ V_i
 *   dX = [W_Q; W_V; W_K]ᵀ [dQ; dV; dKt] (+ G without a norm; through the LN backward with one)
 *   dW = Σ_b [dQ; dV; dKt] Xᵀ: per-prompt products, then a fixed-order sum over the batch.
 */
export function lsaBackward(label: string, shape: TokenShape, slot: LsaSlot, x: LsaBuffers, kernel: GemmKernel): Step[] {
  const { batch, width: d, tokens: n } = shape;
  const h = slot.heads;
  const dn = d * n;
  const hdd = h * d * d;
  const tokens = rows(0, dn, n);
  const stacked = rows(0, 3 * h * dn, n);
  const src = slot.norm ? x.normed : x.input;
  const dx = slot.norm ? x.dnormed : x.gradOut;
  const steps: Step[] = [
    gemm({ label: `${label}.dq`, m: h * d, n, k: d, batch, a: [x.t, rows(0, hdd, d)], b: [x.gradIn, tokens], c: [x.dqvk, stacked] }, kernel),
    gemm({ label: `${label}.ds`, m: d, n: h * d, k: n, batch, a: [x.gradIn, tokens], b: [x.qvk, cols(0, 3 * h * dn, n)], c: [x.ds, rows(0, hdd, h * d)] }, kernel),
  ];
  for (let i = 0; i < h; i++) {
    steps.push(
      gemm({
        label: `${label}.dv${i}`, m: d, n: slot.keys, k: d, batch,
        a: [x.ds, rows(i * d, hdd, h * d)], b: [x.qvk, rows((2 * h + i) * dn, 3 * h * dn, n)], c: [x.dqvk, rows((h + i) * dn, 3 * h * dn, n)],
      }, kernel),
      gemm({
        label: `${label}.dk${i}`, m: d, n: slot.keys, k: d, batch,
        a: [x.ds, cols(i * d, hdd, h * d)], b: [x.qvk, rows((h + i) * dn, 3 * h * dn, n)], c: [x.dqvk, rows((2 * h + i) * dn, 3 * h * dn, n)],
      }, kernel),
    );
  }
  steps.push(
    gemm({
      label: `${label}.dx`, m: d, n, k: 3 * h * d, batch,
      a: [x.params, cols(slot.q, 0, d)], b: [x.dqvk, stacked], c: [dx, tokens], ...(!slot.norm && { residual: x.gradIn }),
    }, kernel),
    gemm({ label: `${label}.dw`, m: 3 * h * d, n: d, k: n, batch, a: [x.dqvk, stacked], b: [src, cols(0, dn, n)], c: [x.partials, rows(0, 3 * hdd, d)] }, kernel),
    reduceSumStep({ label: `${label}.dwSum`, count: 3 * hdd, outer: batch, inner: 1, outerStride: 3 * hdd, rowStride: 1, input: [x.partials, 0], output: [x.grads, slot.q] }),
  );
  if (slot.norm) steps.push(...normBackward(label, shape, slot.norm, { ...x, x: x.input, dy: x.dnormed, residual: x.gradIn }));
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
    reduceSumStep({ label: `${label}.${what}`, count: d, outer: batch, inner: n, outerStride: d * n, rowStride: n, input: [input, 0], output: [x.grads, out] });
  return [
    layerNormBackwardStep(`${label}.normBackward`, shape, { params: x.params, ...norm }, {
      x: x.x, dy: x.dy, dx: x.gradOut, dyXhat: x.dyXhat, ...(x.residual !== undefined && { residual: x.residual }),
    }),
    sum('dgain', x.dyXhat, norm.gain),
    sum('dbias', x.dy, norm.bias),
  ];
}
