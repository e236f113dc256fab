import { ShapeError, ValueError } from '../errors.js';
import type { Layer, LsaHead, MlpLayer } from '../layers.js';

/** Named row ranges of a token matrix: `rows.x = [offset, size]`. */
export type Rows = Record<string, readonly [number, number]>;

/** Lays out named blocks of rows one after another; returns the ranges and the total width. */
export function stackRows(sizes: Readonly<Record<string, number>>): { rows: Rows; width: number } {
  const rows: Record<string, readonly [number, number]> = {};
  let offset = 0;
  for (const [name, size] of Object.entries(sizes)) {
    rows[name] = [offset, size];
    offset += size;
  }
  return { rows, width: offset };
}

/**
 * A width×width weight built from block copies: `copy(W, rows.dst, rows.src, s)` sets the
 * block (dst, src) to s·I, i.e. W·H writes s × (rows src of H) into rows dst.
 */
export class Weight {
  readonly data: Float64Array;
  constructor(readonly width: number) {
    this.data = new Float64Array(width * width);
  }

  copy(dst: readonly [number, number], src: readonly [number, number], scale = 1): this {
    if (dst[1] !== src[1]) throw new ShapeError(`block copy: expected equal sizes, got ${dst[1]} ← ${src[1]}`);
    for (let i = 0; i < dst[1]; i++) this.data[(dst[0] + i) * this.width + src[0] + i]! += scale;
    return this;
  }

  /** Sets one entry: W[row, col] += value. */
  add(row: number, col: number, value: number): this {
    this.data[row * this.width + col]! += value;
    return this;
  }
}

export function head(wv: Weight, wk: Weight, wq: Weight): LsaHead {
  return { wv: wv.data, wk: wk.data, wq: wq.data };
}

export function lsaLayer(heads: LsaHead[], keys?: number): Layer {
  return keys === undefined ? { kind: 'lsa', heads } : { kind: 'lsa', heads, keys };
}

export function mlpLayer(layer: MlpLayer): Layer {
  return { kind: 'mlp', ...layer };
}

/** Writes a rows×cols block (row-major `m`) into the token matrix at (rowOffset, colOffset). */
export function writeBlock(
  h: Float64Array,
  tokens: number,
  rowOffset: number,
  colOffset: number,
  m: ArrayLike<number>,
  rows: number,
  cols: number,
): void {
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) h[(rowOffset + i) * tokens + colOffset + j] = m[i * cols + j]!;
}

/** Reads a rows×cols block of the token matrix. */
export function readBlock(
  h: ArrayLike<number>,
  tokens: number,
  rowOffset: number,
  colOffset: number,
  rows: number,
  cols: number,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[i * cols + j] = h[(rowOffset + i) * tokens + colOffset + j]!;
  return out;
}

/** Readouts accept any values (a diverged run should be measurable), but not a wrong size. */
export function checkLength(what: string, h: ArrayLike<number>, count: number): void {
  if (!h || h.length !== count) throw new ShapeError(`${what}: expected ${count} values, got ${h?.length}`);
}

export function checkPositiveInteger(what: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new ShapeError(`${what}: expected ${name} to be a positive integer, got ${String(v)}`);
  return v;
}

export function checkNonNegativeInteger(what: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new ValueError(`${what}: expected ${name} to be a non-negative integer, got ${String(v)}`);
  return v;
}

export function checkFinite(what: string, name: string, v: unknown, min = -Infinity, strict = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (strict ? v <= min : v < min)) {
    throw new ValueError(
      `${what}: expected ${name} to be a finite number ${strict ? '>' : '≥'} ${min}, got ${String(v)}`,
    );
  }
  return v;
}

/** What every constructor returns: plain data any LSA implementation can run. */
export interface Construction<Embed extends unknown[], Out> {
  width: number;
  tokens: number;
  layers: Layer[];
  embed(...args: Embed): Float64Array;
  readout(h: ArrayLike<number>): Out;
  /** Layers, heads per layer (max) and ReLU hidden units (total), for budget reports. */
  counts: { layers: number; lsaLayers: number; mlpLayers: number; maxHeads: number; hiddenUnits: number };
}

export function countLayers(layers: readonly Layer[]): Construction<[], unknown>['counts'] {
  let lsa = 0;
  let mlp = 0;
  let maxHeads = 0;
  let hiddenUnits = 0;
  for (const l of layers) {
    if (l.kind === 'lsa') {
      lsa++;
      maxHeads = Math.max(maxHeads, l.heads.length);
    } else if (l.kind === 'mlp') {
      mlp++;
      hiddenUnits += l.hidden;
    }
  }
  return { layers: layers.length, lsaLayers: lsa, mlpLayers: mlp, maxHeads, hiddenUnits };
}
