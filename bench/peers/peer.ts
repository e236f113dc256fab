// What the benchmark asks of a peer library for one case: run the op once and read the result
// back (one measurement, timed as a whole), and free what it holds.

export interface PeerOp {
  /** Runs the op once on the peer's device and reads the whole result back. */
  once(): Promise<Float32Array>;
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
}
