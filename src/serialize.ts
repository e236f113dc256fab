import { ShapeError, ValueError } from './errors.js';
import { checkHeads, checkLimit, checkMlp, checkNorm, type Layer, type LsaHead, type NormParams } from './layers.js';

const FORMAT = 'lsa-newton/layers';
const VERSION = 1;

/** JSON-safe weights: `JSON.stringify(serializeLayers(layers))` round-trips through `parseLayers`. */
export function serializeLayers(layers: readonly Layer[]): object {
  if (!Array.isArray(layers)) throw new ValueError(`serializeLayers: expected an array of layers, got ${String(layers)}`);
  const list = (w: ArrayLike<number>) => Array.from(w, Number);
  return {
    format: FORMAT,
    version: VERSION,
    layers: layers.map((layer: Layer, i) => {
      if (layer === null || typeof layer !== 'object') throw new ValueError(`serializeLayers: layer ${i}: expected an object, got ${String(layer)}`);
      switch (layer.kind) {
        case 'lsa':
          return {
            kind: 'lsa',
            ...(layer.keys !== undefined && { keys: layer.keys }),
            heads: layer.heads.map((h) => ({ wv: list(h.wv), wk: list(h.wk), wq: list(h.wq) })),
            ...(layer.norm && { norm: { gain: list(layer.norm.gain), bias: list(layer.norm.bias) } }),
          };
        case 'mlp':
          return {
            kind: 'mlp',
            hidden: layer.hidden,
            w1: list(layer.w1),
            ...(layer.b1 && { b1: list(layer.b1) }),
            w2: list(layer.w2),
            ...(layer.b2 && { b2: list(layer.b2) }),
          };
        case 'layerNorm':
          return { kind: 'layerNorm', gain: list(layer.gain), bias: list(layer.bias) };
        case 'clip':
          return { kind: 'clip', limit: layer.limit };
        default:
          throw new ValueError(`serializeLayers: layer ${i}: expected kind 'lsa', 'mlp', 'layerNorm' or 'clip', got ${JSON.stringify((layer as { kind?: unknown })?.kind)}`);
      }
    }),
  };
}

/**
 * Layers from `serializeLayers` output (or its JSON text parsed), weights as Float32Array.
 * Malformed input throws ValueError (wrong types) or ShapeError (lengths that disagree).
 */
export function parseLayers(json: object): Layer[] {
  const what = 'parseLayers';
  const root = json as { format?: unknown; version?: unknown; layers?: unknown } | null;
  if (root === null || typeof root !== 'object') throw new ValueError(`${what}: expected an object, got ${String(json)}`);
  if (root.format !== FORMAT || root.version !== VERSION) {
    throw new ValueError(`${what}: expected format '${FORMAT}' version ${VERSION}, got ${JSON.stringify(root.format)} version ${JSON.stringify(root.version)}`);
  }
  if (!Array.isArray(root.layers) || root.layers.length === 0) {
    throw new ValueError(`${what}: expected a non-empty layers array, got ${JSON.stringify(root.layers)?.slice(0, 40)}`);
  }
  let width: number | undefined;
  const widthFrom = (where: string, inferred: number) => {
    if (!Number.isInteger(inferred) || inferred < 1) throw new ShapeError(`${where}: expected weights of a whole width, got length implying width ${inferred}`);
    if (width !== undefined && inferred !== width) throw new ShapeError(`${where}: expected width ${width} like the layers before, got ${inferred}`);
    width = inferred;
    return inferred;
  };
  return (root.layers as unknown[]).map((raw, i): Layer => {
    const where = `${what} layer ${i}`;
    if (raw === null || typeof raw !== 'object') throw new ValueError(`${where}: expected an object, got ${String(raw)}`);
    const l = raw as Record<string, unknown>;
    switch (l.kind) {
      case 'lsa': {
        if (!Array.isArray(l.heads) || l.heads.length === 0) throw new ValueError(`${where}: expected a non-empty heads array, got ${JSON.stringify(l.heads)?.slice(0, 40)}`);
        const heads: LsaHead[] = l.heads.map((h: unknown, k: number) => {
          const o = object(`${where} head ${k}`, h);
          return { wv: floats(`${where} head ${k} wv`, o.wv), wk: floats(`${where} head ${k} wk`, o.wk), wq: floats(`${where} head ${k} wq`, o.wq) };
        });
        const d = widthFrom(where, Math.sqrt(heads[0]!.wv.length));
        checkHeads(where, heads, d);
        const layer: Layer = { kind: 'lsa', heads };
        if (l.keys !== undefined) {
          if (typeof l.keys !== 'number' || !Number.isInteger(l.keys) || l.keys < 1) throw new ValueError(`${where}: expected keys to be a positive integer, got ${String(l.keys)}`);
          layer.keys = l.keys;
        }
        if (l.norm !== undefined) layer.norm = norm(`${where} norm`, l.norm, d);
        return layer;
      }
      case 'mlp': {
        const hidden = l.hidden;
        if (typeof hidden !== 'number' || !Number.isInteger(hidden) || hidden < 1) throw new ValueError(`${where}: expected hidden to be a positive integer, got ${String(hidden)}`);
        const layer: Layer = { kind: 'mlp', hidden, w1: floats(`${where} w1`, l.w1), w2: floats(`${where} w2`, l.w2) };
        if (l.b1 !== undefined) layer.b1 = floats(`${where} b1`, l.b1);
        if (l.b2 !== undefined) layer.b2 = floats(`${where} b2`, l.b2);
        checkMlp(where, layer, widthFrom(where, layer.w1.length / hidden));
        return layer;
      }
      case 'layerNorm': {
        const gain = floats(`${where} gain`, l.gain);
        return { kind: 'layerNorm', ...norm(where, l, widthFrom(where, gain.length)) };
      }
      case 'clip':
        return { kind: 'clip', limit: checkLimit(where, l.limit) };
      default:
        throw new ValueError(`${where}: expected kind 'lsa', 'mlp', 'layerNorm' or 'clip', got ${JSON.stringify(l.kind)}`);
    }
  });
}

function object(where: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object') throw new ValueError(`${where}: expected an object, got ${String(value)}`);
  return value as Record<string, unknown>;
}

function norm(where: string, value: unknown, width: number): NormParams {
  const o = object(where, value);
  const n = { gain: floats(`${where} gain`, o.gain), bias: floats(`${where} bias`, o.bias) };
  checkNorm(where, n, width);
  return n;
}

/** A JSON array of finite numbers → Float32Array. */
function floats(where: string, value: unknown): Float32Array {
  if (!Array.isArray(value)) throw new ValueError(`${where}: expected an array of numbers, got ${JSON.stringify(value)?.slice(0, 40)}`);
  const out = new Float32Array(value.length);
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${where}: expected finite numbers, got ${JSON.stringify(v)} at index ${i}`);
    out[i] = v;
  });
  return out;
}
