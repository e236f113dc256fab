import { describe, expect, it } from 'vitest';
import { reference } from '../src/index.js';
import { mlp, random, tokens } from './harness/cases.js';
import { expectClose, KERNELS, report, useGpuPage } from './harness/gpu.js';

// [B, D, N, hidden, biases]
const CASES: [number, number, number, number, boolean][] = [
  [1, 1, 1, 1, false],
  [2, 2, 3, 2, true],
  [3, 17, 63, 33, true],
  [4, 43, 51, 64, false],
  [1, 128, 300, 130, true],
  [64, 8, 17, 5, true],
  [2, 3, 127, 1, false],
  // 65600 one-token prompts, direct schedule only (1025 workgroups there; the tiled schedule would
  // dispatch 65600 mostly idle ones). Folded grids are asserted in test/matmul.gpu.test.ts.
  [65600, 1, 1, 1, true],
];

describe('reluMlp on the GPU vs the float64 reference', () => {
  const gpu = useGpuPage();

  const named = KERNELS.flatMap((gemm) =>
    CASES.filter(([b]) => gemm === 'direct' || b < 65536).map(([b, d, n, f, biases]) => ({
      name: `${gemm} B${b}-D${d}-N${n}-F${f}${biases ? '-bias' : ''}`,
      gemm,
      b,
      d,
      n,
      f,
      biases,
    })),
  );
  it.each(named)('$name', async ({ name, gemm, b, d, n, f, biases }) => {
    const rng = random(5000 + b * 7919 + d * 104729 + n * 31 + f);
    const x = tokens(rng, b, d, n);
    const layer = mlp(rng, d, f, biases);
    const r = await gpu().runKernel({ op: 'reluMlp', gemm, h: x, shape: [b, d, n], layer });
    expect(r.validation).toBeNull();
    report(name, expectClose(name, r.out, reference.reluMlp(x, [b, d, n], layer)));
  });

  it('runtime.reluMlp: the ReLU is exercised (some hidden units are negative before it)', async () => {
    const rng = random(11);
    const x = tokens(rng, 2, 6, 9);
    const layer = mlp(rng, 6, 10, true);
    const r = await gpu().runApi({ op: 'reluMlp', h: x, shape: [2, 6, 9], layer });
    expect(r.validation).toBeNull();
    const expected = reference.reluMlp(x, [2, 6, 9], layer);
    expectClose('api-B2-D6-N9-F10', r.out, expected);
    // The same layer without the ReLU (plain loops here) must differ, or the case proves nothing.
    const noRelu = Float64Array.from(x);
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < 9; t++) {
        for (let o = 0; o < 6; o++) {
          let s = layer.b2![o]!;
          for (let i = 0; i < 10; i++) {
            let z = layer.b1![i]!;
            for (let c = 0; c < 6; c++) z += layer.w1[i * 6 + c]! * x[b * 54 + c * 9 + t]!;
            s += layer.w2[o * 10 + i]! * z;
          }
          noRelu[b * 54 + o * 9 + t]! += s;
        }
      }
    }
    let differs = 0;
    for (let i = 0; i < noRelu.length; i++) if (Math.abs(noRelu[i]! - r.out[i]!) > 1e-3) differs++;
    expect(differs).toBeGreaterThan(0);
  });
});
