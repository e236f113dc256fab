import { describe, expect, it } from 'vitest';
import { parseLayers, reference, serializeLayers, ShapeError, ValueError, type Layer } from '../src/index.js';
import { heads, mlp, random, tokens } from './harness/cases.js';

function stack(): Layer[] {
  const rng = random(21);
  const d = 5;
  return [
    { kind: 'lsa', heads: heads(rng, 2, d, 7), keys: 6, norm: { gain: rng.normals(d), bias: rng.normals(d) } },
    { kind: 'clip', limit: 10 },
    { kind: 'mlp', ...mlp(rng, d, 3, true) },
    { kind: 'mlp', ...mlp(rng, d, 4, false) },
    { kind: 'lsa', heads: heads(rng, 1, d, 7) },
    { kind: 'layerNorm', gain: rng.normals(d), bias: rng.normals(d) },
  ];
}

describe('serializeLayers / parseLayers', () => {
  it('round-trips through JSON text with every kind, bit for bit, and runs the same', () => {
    const layers = stack();
    const parsed = parseLayers(JSON.parse(JSON.stringify(serializeLayers(layers))));
    expect(parsed.map((l) => l.kind)).toEqual(layers.map((l) => l.kind));
    const mlpNoBias = parsed[3] as Extract<Layer, { kind: 'mlp' }>;
    expect(mlpNoBias.b1).toBeUndefined();
    expect((parsed[0] as Extract<Layer, { kind: 'lsa' }>).keys).toBe(6);
    expect((parsed[0] as Extract<Layer, { kind: 'lsa' }>).heads[1]!.wq).toEqual((layers[0] as Extract<Layer, { kind: 'lsa' }>).heads[1]!.wq);
    const h = tokens(random(3), 2, 5, 7);
    expect(Array.from(reference.transformer(h, [2, 5, 7], parsed))).toEqual(Array.from(reference.transformer(h, [2, 5, 7], layers)));
  });

  it('rejects malformed input with typed errors that say what was expected', () => {
    const good = serializeLayers(stack()) as { layers: Record<string, unknown>[] };
    const edit = (i: number, patch: Record<string, unknown>) => ({ ...good, layers: good.layers.map((l, k) => (k === i ? { ...l, ...patch } : l)) });
    expect(() => parseLayers(null as never)).toThrow(ValueError);
    expect(() => parseLayers({ ...good, format: 'other' })).toThrow(/expected format 'lsa-newton\/layers' version 1/);
    expect(() => parseLayers({ ...good, layers: [] })).toThrow(ValueError);
    expect(() => parseLayers(edit(1, { kind: 'softmax' }))).toThrow(/layer 1: expected kind/);
    expect(() => parseLayers(edit(1, { limit: -1 }))).toThrow(/expected limit to be a finite number > 0, got -1/);
    expect(() => parseLayers(edit(2, { w1: [1, 'x'] }))).toThrow(/expected finite numbers, got "x" at index 1/);
    expect(() => parseLayers(edit(2, { hidden: 2.5 }))).toThrow(ValueError);
    expect(() => parseLayers(edit(2, { b2: [1, 2] }))).toThrow(ShapeError);
    expect(() => parseLayers(edit(5, { gain: [1, 2, 3] }))).toThrow(/expected width 5 like the layers before, got 3/);
    expect(() => parseLayers(edit(0, { norm: { gain: [1], bias: [1] } }))).toThrow(ShapeError);
    expect(() => parseLayers(edit(0, { heads: [{ wv: [1, 2, 3], wk: [], wq: [] }] }))).toThrow(ShapeError);
  });

  it('the Layer checks refuse a bad limit and a norm of the wrong width', () => {
    const h = tokens(random(4), 1, 3, 2);
    expect(() => reference.transformer(h, [1, 3, 2], [{ kind: 'clip', limit: Number.NaN }])).toThrow(ValueError);
    expect(() => reference.transformer(h, [1, 3, 2], [{ kind: 'clip', limit: 0 }])).toThrow(/expected limit to be a finite number > 0, got 0/);
    expect(() => reference.transformer(h, [1, 3, 2], [{ kind: 'layerNorm', gain: new Float32Array(2), bias: new Float32Array(3) }])).toThrow(/gain \(width 3\): expected 3 values, got 2/);
  });
});
