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

/** LayerNorm over the D rows of each token column: `gain ⊙ (x − mean) / sqrt(var + eps) + bias`, length D each. */
export interface NormParams {
  gain: Weights;
  bias: Weights;
}

/** The variance floor of every LayerNorm (PyTorch's default). */
export const LAYER_NORM_EPS = 1e-5;

export type Layer =
  | ({ kind: 'lsa'; heads: LsaHead[]; norm?: NormParams } & LsaOptions)
  | ({ kind: 'mlp' } & MlpLayer)
  | ({ kind: 'layerNorm' } & NormParams)
  | { kind: 'clip'; limit: number };

export type LsaLayer = Extract<Layer, { kind: 'lsa' }>;

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

export function checkNorm(what: string, norm: NormParams, width: number): void {
  if (norm === null || typeof norm !== 'object') {
    throw new ValueError(`${what}: expected { gain, bias }, got ${String(norm)}`);
  }
  checkValues(`${what} gain (width ${width})`, norm.gain, width);
  checkValues(`${what} bias (width ${width})`, norm.bias, width);
}

export function checkLimit(what: string, limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isFinite(limit) || limit <= 0) {
    throw new ValueError(`${what}: expected limit to be a finite number > 0, got ${String(limit)}`);
  }
  return limit;
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
      if (l.norm !== undefined) checkNorm(`${what} norm`, l.norm, shape.width);
    } else if (kind === 'mlp') {
      checkMlp(what, layer as MlpLayer, shape.width);
    } else if (kind === 'layerNorm') {
      checkNorm(what, layer as NormParams, shape.width);
    } else if (kind === 'clip') {
      checkLimit(what, (layer as { limit?: unknown }).limit);
    } else {
      throw new ValueError(`${what}: expected kind 'lsa', 'mlp', 'layerNorm' or 'clip', got ${JSON.stringify(kind)}`);
    }
  });
}
