import type { Step } from '../gpu/op.js';
import type { TokenShape } from '../layers.js';

/**
 * A layer's part of a plan: its steps over named buffers, the scratch it needs (element
 * counts; layers run one after another, so a stack shares scratch of the same name), and the
 * data it uploads (weights). A single-layer op turns one into a plan; a stack concatenates them.
 */
export interface Fragment {
  readonly steps: readonly Step[];
  readonly scratch: Readonly<Record<string, number>>;
  readonly data: Readonly<Record<string, ArrayLike<number>>>;
}

/** Buffer names a layer fragment reads and writes: tokens in, tokens out, its weights. */
export interface LayerIo {
  readonly input: string;
  readonly output: string;
  readonly weights: string;
}

export const LAYER_IO: LayerIo = { input: 'input', output: 'output', weights: 'weights' };

export function tokenCount(shape: TokenShape): number {
  return shape.batch * shape.width * shape.tokens;
}

/** Weights as one array, parts laid end to end (offsets are the running sums). */
export function concat(parts: readonly ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
