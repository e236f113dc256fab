import { describe, expect, it } from 'vitest';
import { reference, type Layer } from '../src/index.js';
import { layerWeights, random, tokens, trainingStack } from './harness/cases.js';
import { expectClose, KERNELS, report, useGpuPage } from './harness/gpu.js';

// [B, D, N, heads, keys, pattern: a = LSA, n = LSA with pre-LN, m = ReLU MLP, l = LayerNorm, c = clip]
const CASES: [number, number, number, number, number | undefined, string][] = [
  [1, 5, 1, 1, undefined, 'a'],
  [3, 5, 7, 2, 6, 'n'],
  [2, 12, 21, 3, 20, 'acml'],
  [64, 12, 21, 4, undefined, 'ncnl'],
  [4, 43, 51, 2, 50, 'ma'],
  [2, 43, 7, 1, undefined, 'nmcl'],
];

describe('runtime.gradients vs reference.transformerBackward', () => {
  const gpu = useGpuPage();

  const named = KERNELS.flatMap((gemm) =>
    CASES.map(([b, d, n, h, keys, pattern]) => ({ name: `${gemm} B${b}-D${d}-N${n}-h${h}-K${keys ?? n}-${pattern}`, gemm, b, d, n, h, keys, pattern })),
  );
  it.each(named)('$name', async ({ name, gemm, b, d, n, h, keys, pattern }) => {
    const rng = random(500 + b * 7919 + d * 104729 + n * 31 + h);
    const x = tokens(rng, b, d, n);
    const g = tokens(rng, b, d, n);
    const layers = trainingStack(rng, d, n, pattern, { heads: h, ...(keys !== undefined && { keys }) });
    const r = await gpu().gradients({ gemm, h: x, g, shape: [b, d, n], layers });
    expect(r.validation).toBeNull();
    expect(r.submits).toBe(1);
    const expected = reference.transformerBackward(x, [b, d, n], layers, g);
    report(`${name} dL/dh`, expectClose(`${name} dL/dh`, r.input, expected.input, 1e-4));
    const got = r.layers as Layer[];
    expect(got.map((l) => l.kind)).toEqual(layers.map((l) => l.kind));
    got.forEach((layer, i) => {
      const want = layerWeights(expected.layers[i]!);
      const have = layerWeights(layer);
      expect(have.length).toBe(want.length);
      want.forEach((w, k) => {
        const what = `${name} layer ${i} (${layer.kind}) weight ${k}`;
        const e = expectClose(what, have[k] as Float32Array, Float64Array.from(w), 1e-4);
        if (k === 0) report(what, e);
      });
    });
  });
});
