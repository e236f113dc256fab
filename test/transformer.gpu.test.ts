import { describe, expect, it } from 'vitest';
import { type Layer, reference } from '../src/index.js';
import { heads, mlp, random, tokens } from './harness/cases.js';
import { expectClose, KERNELS, report, useGpuPage } from './harness/gpu.js';

function stack(seed: number, d: number, n: number, pattern: string): Layer[] {
  const rng = random(seed);
  const norm = () => ({ gain: rng.normals(d, 0.3).map((v) => 1 + v), bias: rng.normals(d, 0.3) });
  return [...pattern].map((c, i): Layer => {
    if (c === 'a') return { kind: 'lsa', heads: heads(rng, 1 + (i % 3), d, n) };
    if (c === 'n') return { kind: 'lsa', heads: heads(rng, 1 + (i % 3), d, n), norm: norm() };
    if (c === 'l') return { kind: 'layerNorm', ...norm() };
    if (c === 'c') return { kind: 'clip', limit: 1.5 };
    return { kind: 'mlp', ...mlp(rng, d, 2 * d + 1, i % 2 === 0) };
  });
}

// [B, D, N, layer pattern: a = LSA, n = LSA with pre-LN, m = ReLU MLP, l = LayerNorm, c = clip]
const CASES: [number, number, number, string][] = [
  [1, 1, 1, 'a'],
  [2, 3, 2, 'am'],
  [3, 17, 17, 'ama'],
  [16, 43, 51, 'amam'],
  [1, 63, 127, 'aaaaa'],
  [4, 9, 300, 'mam'],
  [1, 5, 1, 'ncl'],
  [3, 12, 21, 'ncmcnl'],
  [2, 43, 7, 'nanl'],
];

describe('transformer stacks on the GPU vs the float64 reference', () => {
  const gpu = useGpuPage();

  const named = KERNELS.flatMap((gemm) =>
    CASES.map(([b, d, n, pattern]) => ({ name: `${gemm} B${b}-D${d}-N${n}-${pattern}`, gemm, b, d, n, pattern })),
  );
  it.each(named)('$name', async ({ name, gemm, b, d, n, pattern }) => {
    const rng = random(9000 + b * 7919 + d * 104729 + n);
    const x = tokens(rng, b, d, n);
    const layers = stack(b + d + n, d, n, pattern);
    const r = await gpu().runKernel({ op: 'transformer', gemm, h: x, shape: [b, d, n], layers });
    expect(r.validation).toBeNull();
    expect(r.submits).toBe(1);
    report(name, expectClose(name, r.out, reference.transformer(x, [b, d, n], layers)));
  });

  it('runtime.transformer submits once and maps nothing for a 6-layer stack (with a key range)', async () => {
    const rng = random(77);
    const x = tokens(rng, 8, 12, 25);
    const layers = stack(78, 12, 24, 'amamaa');
    layers[0] = { ...(layers[0] as Extract<Layer, { kind: 'lsa' }>), keys: 24 };
    const r = await gpu().runApi({ op: 'transformer', h: x, shape: [8, 12, 25], layers });
    expect(r.validation).toBeNull();
    expect(r.submits).toBe(1);
    expect(r.maps).toBe(0);
    expectClose('api-B8-D12-N25-amamaa', r.out, reference.transformer(x, [8, 12, 25], layers));
  });

  it('layer by layer through runtime.lsa / reluMlp equals the stack', async () => {
    const rng = random(91);
    const x = tokens(rng, 2, 7, 13);
    const layers = stack(92, 7, 13, 'am');
    const whole = await gpu().runApi({ op: 'transformer', h: x, shape: [2, 7, 13], layers });
    const first = await gpu().runApi({
      op: 'lsa',
      h: x,
      shape: [2, 7, 13],
      heads: (layers[0] as Extract<Layer, { kind: 'lsa' }>).heads,
    });
    const second = await gpu().runApi({ op: 'reluMlp', h: first.out, shape: [2, 7, 13], layer: layers[1] });
    const c = expectClose('stack-vs-layers', second.out, Float64Array.from(whole.out), 1e-6);
    expect(c.maxAbs).toBeLessThan(1e-4);
  });
});
