import type { Layer, LsaHead, MlpLayer, NormParams, Weights } from '../layers.js';

/**
 * Where one layer's weights live in the flat parameter buffer (element offsets). LSA heads are
 * stacked as one 3hD × D matrix [W_Q^1..h; W_V^1..h; W_K^1..h] starting at `q`.
 */
export type Slot =
  | { kind: 'lsa'; heads: number; keys?: number; q: number; norm?: { gain: number; bias: number } }
  | { kind: 'mlp'; hidden: number; w1: number; b1?: number; w2: number; b2?: number }
  | { kind: 'layerNorm'; gain: number; bias: number }
  | { kind: 'clip'; limit: number };

export interface ParameterLayout {
  width: number;
  /** Total parameter count. */
  size: number;
  slots: Slot[];
  /** [offset, length] of every weight matrix (what decoupled weight decay applies to). */
  matrices: [number, number][];
}

/** Lays out every weight of a validated stack end to end, in layer order. */
export function parameterLayout(layers: readonly Layer[], width: number): ParameterLayout {
  const d = width;
  let size = 0;
  const take = (n: number) => {
    const at = size;
    size += n;
    return at;
  };
  const matrices: [number, number][] = [];
  const matrix = (n: number) => {
    const at = take(n);
    matrices.push([at, n]);
    return at;
  };
  const slots = layers.map((layer): Slot => {
    switch (layer.kind) {
      case 'lsa': {
        const q = matrix(3 * layer.heads.length * d * d);
        const slot: Slot = { kind: 'lsa', heads: layer.heads.length, q };
        if (layer.keys !== undefined) slot.keys = layer.keys;
        if (layer.norm) slot.norm = { gain: take(d), bias: take(d) };
        return slot;
      }
      case 'mlp': {
        const f = layer.hidden;
        const w1 = matrix(f * d);
        const b1 = layer.b1 ? take(f) : undefined;
        const w2 = matrix(d * f);
        const b2 = layer.b2 ? take(d) : undefined;
        return { kind: 'mlp', hidden: f, w1, w2, ...(b1 !== undefined && { b1 }), ...(b2 !== undefined && { b2 }) };
      }
      case 'layerNorm':
        return { kind: 'layerNorm', gain: take(d), bias: take(d) };
      case 'clip':
        return { kind: 'clip', limit: layer.limit };
    }
  });
  return { width: d, size, slots, matrices };
}

/** The flat f32 parameter vector of `layers` in `layout` order. */
export function packParameters(layers: readonly Layer[], layout: ParameterLayout): Float32Array {
  const out = new Float32Array(Math.max(layout.size, 1));
  const d2 = layout.width * layout.width;
  layers.forEach((layer, i) => {
    const slot = layout.slots[i]!;
    if (layer.kind === 'lsa' && slot.kind === 'lsa') {
      const h = layer.heads.length;
      layer.heads.forEach((head, k) => {
        out.set(head.wq, slot.q + k * d2);
        out.set(head.wv, slot.q + (h + k) * d2);
        out.set(head.wk, slot.q + (2 * h + k) * d2);
      });
      if (layer.norm && slot.norm) setNorm(out, layer.norm, slot.norm);
    } else if (layer.kind === 'mlp' && slot.kind === 'mlp') {
      out.set(layer.w1, slot.w1);
      out.set(layer.w2, slot.w2);
      if (layer.b1 && slot.b1 !== undefined) out.set(layer.b1, slot.b1);
      if (layer.b2 && slot.b2 !== undefined) out.set(layer.b2, slot.b2);
    } else if (layer.kind === 'layerNorm' && slot.kind === 'layerNorm') {
      setNorm(out, layer, slot);
    }
  });
  return out;
}

function setNorm(out: Float32Array, norm: NormParams, at: { gain: number; bias: number }): void {
  out.set(norm.gain, at.gain);
  out.set(norm.bias, at.bias);
}

/** Layers of `layout`'s structure whose weights are copied out of `data` (Float32Array each). */
export function unpackParameters(data: Float32Array, layout: ParameterLayout): Layer[] {
  const d = layout.width;
  const d2 = d * d;
  const at = (offset: number, length: number): Weights => data.slice(offset, offset + length);
  const norm = (s: { gain: number; bias: number }): NormParams => ({ gain: at(s.gain, d), bias: at(s.bias, d) });
  return layout.slots.map((slot): Layer => {
    switch (slot.kind) {
      case 'lsa': {
        const h = slot.heads;
        const heads: LsaHead[] = Array.from({ length: h }, (_, k) => ({
          wv: at(slot.q + (h + k) * d2, d2),
          wk: at(slot.q + (2 * h + k) * d2, d2),
          wq: at(slot.q + k * d2, d2),
        }));
        return { kind: 'lsa', heads, ...(slot.keys !== undefined && { keys: slot.keys }), ...(slot.norm && { norm: norm(slot.norm) }) };
      }
      case 'mlp': {
        const f = slot.hidden;
        const layer: MlpLayer = { hidden: f, w1: at(slot.w1, f * d), w2: at(slot.w2, d * f) };
        if (slot.b1 !== undefined) layer.b1 = at(slot.b1, f);
        if (slot.b2 !== undefined) layer.b2 = at(slot.b2, d);
        return { kind: 'mlp', ...layer };
      }
      case 'layerNorm':
        return { kind: 'layerNorm', ...norm(slot) };
      case 'clip':
        return { kind: 'clip', limit: slot.limit };
    }
  });
}
