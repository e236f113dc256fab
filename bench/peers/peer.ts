// What the benchmark asks of a peer library for one case: run the op once and read the result
// back (one measurement, timed as a whole), and free what it holds.

export interface PeerOp {
  /** Runs the op once on the peer's device and reads the whole result back. */
  once(): Promise<Float32Array>;
  /** The accuracy of this peer's result when the case checks something other than `once()`'s output. */
  verify?(): Promise<{ maxAbs: number; rmsRelative: number; nonFinite: number; ok: boolean }>;
  /** A shorter untimed warm-up than `once()` (compilation, first allocations), when `once()` is long. */
  warm?(): Promise<void>;
  dispose(): void;
}

/** LSA heads as row-major D×D weights (what the bench cases hold). */
export interface PeerHead {
  wv: ArrayLike<number>;
  wk: ArrayLike<number>;
  wq: ArrayLike<number>;
}

/** The ops both peers implement, with the math of the matching lsa-newton op. */
export interface Peer {
  name: string;
  version: string;
  /** X' = 2X − X(AX) on [B, n, n]. */
  nsStep(a: Float32Array, x: Float32Array, shape: [number, number, number]): PeerOp;
  /** `steps` chained Newton–Schulz steps from X, one readback at the end. */
  nsChain(a: Float32Array, x: Float32Array, shape: [number, number, number], steps: number): PeerOp;
  /** X₀ = Aᵀ/(‖A‖₁‖A‖∞) per matrix, then `steps` Newton–Schulz steps, one readback. */
  invert(a: Float32Array, shape: [number, number, number], steps: number): PeerOp;
  /** A stack of LSA layers H ← H + Σ_heads (W_V H)(W_K H)ᵀ (W_Q H) on [B, D, N]. */
  lsaStack(h: Float32Array, shape: [number, number, number], layers: PeerHead[][]): PeerOp;
  /**
   * Causal linear attention composed of whole-tensor ops (the T×T form): per (b, h),
   * o = scale · (Q Kᵀ ⊙ causal mask ⊙ exp(G_i − G_j)) V with G the cumulative log-gates (none: 0).
   * q, k [B, T, H, K]; v [B, T, H, V]; gates [B, T, H] or null; returns [B, T, H, V].
   */
  linearAttention(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    gates: Float32Array | null,
    shape: [number, number, number, number, number],
    scale: number,
  ): PeerOp;
}

/** The causal mask as a T×T 0/1 matrix (row i keeps columns j ≤ i). */
export function causalMask(t: number): Float32Array {
  const m = new Float32Array(t * t);
  for (let i = 0; i < t; i++) m.fill(1, i * t, i * t + i + 1);
  return m;
}

/** One layer of the benchmark's training model: LSA heads, with an optional pre-LayerNorm. */
export interface PeerTrainLayer {
  heads: PeerHead[];
  /** Pre-LayerNorm of the layer's input (gain, bias: D each); the residual stays the input. */
  norm?: { gain: ArrayLike<number>; bias: ArrayLike<number> };
}

/**
 * The training model both peers build: LSA layers `H + Σ W_V N_K (W_K N_K)ᵀ W_Q N` (N = LN(H) or
 * H, N_K its first `keys` tokens), an optional final LayerNorm, then MSE (mean over the batch) of
 * entry [row, token] against one target per prompt; Adam with bias correction.
 */
export interface PeerTrainSpec {
  shape: [number, number, number];
  keys: number;
  layers: PeerTrainLayer[];
  finalNorm?: { gain: ArrayLike<number>; bias: ArrayLike<number> };
  row: number;
  token: number;
  adam: { learningRate: number; beta1: number; beta2: number; epsilon: number };
}

export interface PeerTrainOp {
  /** `steps` Adam steps on (h, target), then one readback of the last step's loss. */
  train(steps: number): Promise<number>;
  /**
   * Gradients of the loss at the initial weights on another batch, flattened per layer as
   * (per head W_V, W_K, W_Q), then norm gain, bias; then the final norm's gain, bias.
   */
  gradients(h: Float32Array, target: Float32Array, batch: number): Promise<Float32Array>;
  dispose(): void;
}

/** A peer that trains the benchmark's model (created with its initial weights and one batch). */
export interface PeerTrainer {
  train(spec: PeerTrainSpec, h: Float32Array, target: Float32Array): PeerTrainOp;
}
