import { describe, expect, it } from 'vitest';
import { reference } from '../src/index.js';
import type { LinearAttentionShape } from '../src/reference/index.js';
import { random } from './harness/cases.js';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Tokens t0 ≤ t < t1 of a [B, T, H, D] array. */
function slice(x: ArrayLike<number>, s: LinearAttentionShape, d: number, t0: number, t1: number): Float64Array {
  const out = new Float64Array(s.batch * (t1 - t0) * s.heads * d);
  const row = s.heads * d;
  for (let b = 0; b < s.batch; b++) {
    for (let t = t0; t < t1; t++) {
      for (let i = 0; i < row; i++) out[(b * (t1 - t0) + t - t0) * row + i] = x[(b * s.tokens + t) * row + i]!;
    }
  }
  return out;
}

/** Attention form, O(T²): o_t = scale·(Σ_{j≤t} e^{G_t−G_j} (q_t·k_j) v_j + e^{G_t} S_0ᵀ q_t), G_t = Σ_{i≤t} g_i */
function quadratic(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  s: LinearAttentionShape,
  scale: number,
  gates: Float64Array,
  s0: Float32Array,
): Float64Array {
  const { batch: B, tokens: T, heads: H, keyDim: K, valueDim: V } = s;
  const out = new Float64Array(B * T * H * V);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const cum = new Float64Array(T);
      let acc = 0;
      for (let t = 0; t < T; t++) {
        acc += gates[(b * T + t) * H + h]!;
        cum[t] = acc;
      }
      for (let t = 0; t < T; t++) {
        const rt = (b * T + t) * H + h;
        for (let c = 0; c < V; c++) {
          let o = 0;
          for (let j = 0; j <= t; j++) {
            const rj = (b * T + j) * H + h;
            let dot = 0;
            for (let i = 0; i < K; i++) dot += q[rt * K + i]! * k[rj * K + i]!;
            o += Math.exp(cum[t]! - cum[j]!) * dot * v[rj * V + c]!;
          }
          let fromState = 0;
          for (let i = 0; i < K; i++) fromState += s0[((b * H + h) * K + i) * V + c]! * q[rt * K + i]!;
          out[rt * V + c] = scale * (o + Math.exp(cum[t]!) * fromState);
        }
      }
    }
  }
  return out;
}

describe('reference.linearAttention', () => {
  it('two tokens by hand (K = V = 1, scale 1, decay log ½)', () => {
    const one = { batch: 1, tokens: 2, heads: 1, keyDim: 1, valueDim: 1 };
    const r = reference.linearAttention([1, 2], [3, 4], [5, 6], one, { scale: 1, decay: [Math.log(0.5)] });
    // S₁ = 3·5 = 15, o₁ = 15·1; S₂ = ½·15 + 4·6 = 31.5, o₂ = 31.5·2
    expect(Array.from(r.output)).toEqual([15, 63]);
    expect(Array.from(r.finalState)).toEqual([31.5]);
  });

  it('matches the quadratic attention form, with per-token gates and an initial state', () => {
    const s = { batch: 2, tokens: 9, heads: 3, keyDim: 4, valueDim: 5 };
    const rng = random(11);
    const q = rng.normals(2 * 9 * 3 * 4);
    const k = rng.normals(2 * 9 * 3 * 4);
    const v = rng.normals(2 * 9 * 3 * 5);
    const s0 = rng.normals(2 * 3 * 4 * 5);
    const gates = Float64Array.from({ length: 2 * 9 * 3 }, () => -rng.next());
    const r = reference.linearAttention(q, k, v, s, { scale: 0.3, decay: gates, initialState: s0 });
    expect(maxDiff(r.output, quadratic(q, k, v, s, 0.3, gates, s0))).toBeLessThan(1e-12);
  });

  it('running T in two parts with the state passed between them equals one run', () => {
    const s = { batch: 2, tokens: 13, heads: 2, keyDim: 3, valueDim: 4 };
    const rng = random(12);
    const q = rng.normals(2 * 13 * 2 * 3);
    const k = rng.normals(2 * 13 * 2 * 3);
    const v = rng.normals(2 * 13 * 2 * 4);
    const gates = Float32Array.from({ length: 2 * 13 * 2 }, () => -rng.next());
    const whole = reference.linearAttention(q, k, v, s, { decay: gates });
    const first = { ...s, tokens: 5 };
    const second = { ...s, tokens: 8 };
    const gs = { ...s, keyDim: 1, heads: 1, tokens: 13 };
    const a = reference.linearAttention(slice(q, s, 3, 0, 5), slice(k, s, 3, 0, 5), slice(v, s, 4, 0, 5), first, {
      decay: Float64Array.from(slice(gates, gs, 2, 0, 5)),
    });
    const b = reference.linearAttention(slice(q, s, 3, 5, 13), slice(k, s, 3, 5, 13), slice(v, s, 4, 5, 13), second, {
      decay: Float64Array.from(slice(gates, gs, 2, 5, 13)),
      initialState: a.finalState,
    });
    expect(maxDiff(b.finalState, whole.finalState)).toBeLessThan(1e-12);
    expect(maxDiff(slice(whole.output, s, 4, 0, 5), a.output)).toBeLessThan(1e-12);
    expect(maxDiff(slice(whole.output, s, 4, 5, 13), b.output)).toBeLessThan(1e-12);
  });

  it('decay 0 (per head or per token) equals no decay; a per-head list equals the same gate on every token', () => {
    const s = { batch: 2, tokens: 7, heads: 3, keyDim: 4, valueDim: 2 };
    const rng = random(13);
    const q = rng.normals(2 * 7 * 3 * 4);
    const k = rng.normals(2 * 7 * 3 * 4);
    const v = rng.normals(2 * 7 * 3 * 2);
    const plain = reference.linearAttention(q, k, v, s);
    expect(maxDiff(reference.linearAttention(q, k, v, s, { decay: [0, 0, 0] }).output, plain.output)).toBe(0);
    expect(maxDiff(reference.linearAttention(q, k, v, s, { decay: new Float32Array(42) }).output, plain.output)).toBe(
      0,
    );
    const perHead = [-0.1, -0.5, Math.log(0.97)];
    const asTokens = Float64Array.from({ length: 42 }, (_, i) => perHead[i % 3]!);
    const a = reference.linearAttention(q, k, v, s, { decay: perHead });
    const b = reference.linearAttention(q, k, v, s, { decay: asTokens });
    expect(maxDiff(a.output, b.output)).toBe(0);
    expect(maxDiff(a.output, plain.output)).toBeGreaterThan(1e-3);
  });
});
