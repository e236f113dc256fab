import { describe, expect, it } from 'vitest';
import { reference } from '../src/index.js';
import { heads, random, tokens } from './harness/cases.js';
import { expectClose, KERNELS, report, useGpuPage } from './harness/gpu.js';

// [B, D, N, heads, keys]: edge sizes, sizes one past the 32-wide tiles, paper scale (D 43, N 51).
const CASES: [number, number, number, number, number?][] = [
  [1, 1, 1, 1],
  [1, 2, 2, 1],
  [3, 3, 3, 2],
  [2, 17, 17, 2, 9],
  [4, 43, 51, 2],
  [2, 63, 63, 3],
  [5, 33, 65, 4, 64],
  [1, 128, 127, 2],
  [2, 5, 300, 1, 299],
  [1, 128, 300, 1, 1],
  [64, 8, 17, 2],
];

describe('lsa on the GPU vs the float64 reference', () => {
  const gpu = useGpuPage();

  const named = KERNELS.flatMap((gemm) =>
    CASES.map(([b, d, n, h, keys]) => ({
      name: `${gemm} B${b}-D${d}-N${n}-h${h}${keys ? `-K${keys}` : ''}`,
      gemm,
      b,
      d,
      n,
      h,
      keys,
    })),
  );
  it.each(named)('$name', async ({ name, gemm, b, d, n, h, keys }) => {
    const rng = random(1000 + b * 7919 + d * 104729 + n * 31 + h);
    const x = tokens(rng, b, d, n);
    const hs = heads(rng, h, d, keys ?? n);
    const options = keys === undefined ? {} : { keys };
    const expected = reference.lsa(x, [b, d, n], hs, options);
    const r = await gpu().runKernel({ op: 'lsa', gemm, h: x, shape: [b, d, n], heads: hs, options });
    expect(r.validation).toBeNull();
    expect(r.submits).toBe(1);
    report(name, expectClose(name, r.out, expected));
  });

  it('runtime.lsa (tensor in, tensor out) matches the reference, Float64Array weights included', async () => {
    const rng = random(7);
    const x = tokens(rng, 3, 11, 19);
    const hs = heads(rng, 2, 11, 19).map((hd) => ({
      wv: Float64Array.from(hd.wv),
      wk: Float64Array.from(hd.wk),
      wq: hd.wq,
    }));
    const r = await gpu().runApi({ op: 'lsa', h: x, shape: [3, 11, 19], heads: hs });
    expect(r.validation).toBeNull();
    expect(r.shape).toEqual([3, 11, 19]);
    expectClose('api-B3-D11-N19', r.out, reference.lsa(x, [3, 11, 19], hs));
  });
});
