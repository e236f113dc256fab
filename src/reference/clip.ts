import { checkLimit } from '../layers.js';

/** Float64 clamp of every entry to [−limit, limit]. */
export function clip(h: ArrayLike<number>, limit: number): Float64Array {
  checkLimit('reference.clip', limit);
  return Float64Array.from(h, (x) => Math.min(limit, Math.max(-limit, x)));
}

/** VJP of `clip`: the gradient passes where −limit ≤ x ≤ limit (PyTorch's convention at the bounds), else 0. */
export function clipBackward(h: ArrayLike<number>, limit: number, gradOutput: ArrayLike<number>): Float64Array {
  checkLimit('reference.clipBackward', limit);
  return Float64Array.from(h, (x, i) => (Math.abs(x) <= limit ? gradOutput[i]! : 0));
}
