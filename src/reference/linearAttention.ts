/** Sizes of a causal linear attention call: q, k [B, T, H, K]; v, output [B, T, H, V]; state [B, H, K, V]. */
export interface LinearAttentionShape {
  batch: number;
  tokens: number;
  heads: number;
  keyDim: number;
  valueDim: number;
}

export interface ReferenceLinearAttentionOptions {
  /** Default 1/√K. */
  scale?: number;
  /** [B, H, K, V]; default zeros. */
  initialState?: ArrayLike<number>;
  /** Per-head log-decays (H numbers ≤ 0) or per-token log-gates [B, T, H]. */
  decay?: readonly number[] | Float32Array | Float64Array;
}

/**
 * The plain recurrence, token by token in float64:
 * `S_t = exp(g_t) S_{t−1} + k_t v_tᵀ`, `o_t = scale · S_tᵀ q_t` (causal, the current token included).
 * A `number[]` decay is per head (g_t = decay[h]); a typed array is per token ([B, T, H]).
 */
export function linearAttention(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  shape: LinearAttentionShape,
  options: ReferenceLinearAttentionOptions = {},
): { output: Float64Array; finalState: Float64Array } {
  const { batch: B, tokens: T, heads: H, keyDim: K, valueDim: V } = shape;
  const scale = options.scale ?? 1 / Math.sqrt(K);
  const decay = options.decay;
  const perHead = Array.isArray(decay);
  const output = new Float64Array(B * T * H * V);
  const finalState = new Float64Array(B * H * K * V);
  const s = new Float64Array(K * V);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const base = (b * H + h) * K * V;
      for (let i = 0; i < K * V; i++) s[i] = options.initialState ? options.initialState[base + i]! : 0;
      for (let t = 0; t < T; t++) {
        const row = (b * T + t) * H + h;
        const g = decay === undefined ? 0 : perHead ? decay[h]! : decay[row]!;
        const factor = Math.exp(g);
        for (let i = 0; i < K; i++) {
          const ki = k[row * K + i]!;
          for (let j = 0; j < V; j++) s[i * V + j] = factor * s[i * V + j]! + ki * v[row * V + j]!;
        }
        for (let j = 0; j < V; j++) {
          let o = 0;
          for (let i = 0; i < K; i++) o += s[i * V + j]! * q[row * K + i]!;
          output[row * V + j] = scale * o;
        }
      }
      finalState.set(s, base);
    }
  }
  return { output, finalState };
}
