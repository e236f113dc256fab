import { ShapeError, ValueError } from './errors.js';
import { checkValues } from './shape.js';

/** Weights may be single or double precision; the GPU rounds them to f32 at upload. */
export type Weights = Float32Array | Float64Array;

/** One attention head: `W_V`, `W_K`, `W_Q`, each D×D row-major. */
export interface LsaHead {
  wv: Weights;
  wk: Weights;
  wq: Weights;
}

/** `H + W_2 ReLU(W_1 H + b_1) + b_2` with `W_1` hidden×D and `W_2` D×hidden, row-major. */
export interface MlpLayer {
  w1: Weights;
  b1?: Weights;
  w2: Weights;
  b2?: Weights;
  hidden: number;
}

export interface LsaOptions {
  /** Only the first `keys` tokens act as keys and values (1..N); default all N. */
  keys?: number;
}

export type Layer =
  | ({ kind: 'lsa'; heads: LsaHead[] } & LsaOptions)
  | ({ kind: 'mlp' } & MlpLayer);

/** Token matrices are `[batch, width, tokens]`: tokens are the columns of each D×N slice. */
export interface TokenShape {
  batch: number;
  width: number;
  tokens: number;
}

export function checkHeads(what: string, heads: readonly LsaHead[], width: number): void {
  if (!Array.isArray(heads) || heads.length === 0) {
    throw new ShapeError(`${what}: expected at least one head, got ${Array.isArray(heads) ? 0 : String(heads)}`);
  }
  heads.forEach((head, i) => {
    if (head === null || typeof head !== 'object') {
      throw new ValueError(`${what}: expected head ${i} to be { wv, wk, wq }, got ${String(head)}`);
    }
    for (const name of ['wv', 'wk', 'wq'] as const) {
      checkValues(`${what} head ${i} ${name} (width ${width})`, head[name], width * width);
    }
  });
}

/** Resolves the key range, defaulting to all tokens. */
export function resolveKeys(what: string, keys: number | undefined, tokens: number): number {
  if (keys === undefined) return tokens;
  if (!Number.isInteger(keys) || keys < 1 || keys > tokens) {
    throw new ShapeError(`${what}: expected keys to be an integer in 1..${tokens}, got ${keys}`);
  }
  return keys;
}

export function checkMlp(what: string, layer: MlpLayer, width: number): void {
  if (layer === null || typeof layer !== 'object') {
    throw new ValueError(`${what}: expected { w1, w2, hidden }, got ${String(layer)}`);
  }
  const f = layer.hidden;
  if (!Number.isInteger(f) || f < 1) {
    throw new ShapeError(`${what}: expected hidden to be a positive integer, got ${String(f)}`);
  }
  checkValues(`${what} w1 (hidden ${f} × width ${width})`, layer.w1, f * width);
  checkValues(`${what} w2 (width ${width} × hidden ${f})`, layer.w2, width * f);
  if (layer.b1 !== undefined) checkValues(`${what} b1 (hidden ${f})`, layer.b1, f);
  if (layer.b2 !== undefined) checkValues(`${what} b2 (width ${width})`, layer.b2, width);
}

/** Validates a whole stack against the token shape before anything is built. */
export function checkLayers(layers: readonly Layer[], shape: TokenShape): void {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new ShapeError(`transformer: expected at least one layer, got ${Array.isArray(layers) ? 0 : String(layers)}`);
  }
  layers.forEach((layer, i) => {
    const what = `transformer layer ${i}`;
    const kind = (layer as { kind?: unknown } | null)?.kind;
    if (kind === 'lsa') {
      const l = layer as Extract<Layer, { kind: 'lsa' }>;
      checkHeads(what, l.heads, shape.width);
      resolveKeys(what, l.keys, shape.tokens);
    } else if (kind === 'mlp') {
      checkMlp(what, layer as MlpLayer, shape.width);
    } else {
      throw new ValueError(`${what}: expected kind 'lsa' or 'mlp', got ${JSON.stringify(kind)}`);
    }
  });
}
