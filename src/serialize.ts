import { ShapeError, ValueError } from './errors.js';
import { checkLayers, type Layer } from './layers.js';

const FORMAT = 'lsa-newton/layers';
const WEIGHTS = new Set(['wv', 'wk', 'wq', 'w1', 'b1', 'w2', 'b2', 'gain', 'bias']);

/** JSON-safe weights: `JSON.stringify(serializeLayers(layers))` round-trips through `parseLayers`. */
export function serializeLayers(layers: readonly Layer[]): object {
  if (!Array.isArray(layers))
    throw new ValueError(`serializeLayers: expected an array of layers, got ${String(layers)}`);
  return { format: FORMAT, version: 1, layers: map(layers, (w) => Array.from(w as ArrayLike<number>, Number)) };
}

/**
 * Layers from `serializeLayers` output (or its JSON text parsed), weights as Float32Array, checked
 * like any stack (the width is read from the weights): ValueError / ShapeError on malformed input.
 */
export function parseLayers(json: object): Layer[] {
  const root = json as { format?: unknown; version?: unknown; layers?: unknown } | null;
  if (root?.format !== FORMAT || root.version !== 1 || !Array.isArray(root.layers)) {
    throw new ValueError(
      `parseLayers: expected { format: '${FORMAT}', version: 1, layers: [...] }, got ${JSON.stringify(json)?.slice(0, 60)}`,
    );
  }
  const layers = map(root.layers, (w, where) => {
    if (!Array.isArray(w))
      throw new ValueError(
        `parseLayers ${where}: expected an array of numbers, got ${JSON.stringify(w)?.slice(0, 40)}`,
      );
    const i = w.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (i >= 0)
      throw new ValueError(`parseLayers ${where}: expected finite numbers, got ${JSON.stringify(w[i])} at index ${i}`);
    return Float32Array.from(w as number[]);
  }) as Layer[];
  // The width D from the first weight that fixes it; checkLayers then checks every length against it.
  const first = layers.find((l) => l?.kind !== 'clip') as Record<string, { length: number }> | undefined;
  const l0 = first as unknown as Layer | undefined;
  const width = !l0
    ? 1
    : l0.kind === 'lsa'
      ? Math.sqrt(l0.heads?.[0]?.wv?.length ?? 0)
      : l0.kind === 'mlp'
        ? l0.w1?.length / l0.hidden
        : (l0 as { gain?: { length: number } }).gain?.length;
  if (!Number.isInteger(width) || (width as number) < 1)
    throw new ShapeError(`parseLayers: expected weights of a whole width D, got a first layer implying D = ${width}`);
  const keys = Math.max(1, ...layers.map((l) => (l?.kind === 'lsa' && typeof l.keys === 'number' ? l.keys : 1)));
  checkLayers(layers, { batch: 1, width: width as number, tokens: keys });
  return layers;
}

/** Copies a layer list, replacing every weight array (by key) with `f(weights, where)`. */
function map(value: unknown, f: (w: unknown, where: string) => unknown, where = '', key = ''): unknown {
  if (WEIGHTS.has(key)) return f(value, where);
  if (Array.isArray(value)) return value.map((v, i) => map(v, f, `${where}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, map(v, f, `${where}.${k}`, k)]));
  }
  return value;
}
