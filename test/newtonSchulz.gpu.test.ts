import { describe, expect, it } from 'vitest';
import { reference } from '../src/index.js';
import { random } from './harness/cases.js';
import { expectClose, KERNELS, openGpuPage, report, useGpuPage } from './harness/gpu.js';
import { nsStepInputs } from './harness/matrices.js';

// [batch, n, order, symmetric]
const CASES: [number, number, number, boolean][] = [
  [1, 1, 2, false],
  [2, 2, 2, false],
  [3, 3, 3, false],
  [2, 17, 2, false],
  [2, 17, 3, false],
  [1, 17, 4, false],
  [1, 17, 5, false],
  [2, 64, 2, false],
  [1, 127, 3, false],
  [2, 130, 2, false],
  [1, 256, 2, false],
  [2, 17, 2, true],
  [3, 65, 2, true],
  [1, 130, 3, true],
  [1, 33, 5, true],
];

// Fused path (n ≤ 32): batches that fill a workgroup exactly, leave it partial, or span several.
const FUSED: [number, number, number, boolean][] = [
  [5, 1, 2, false],
  [3, 2, 3, false],
  [9, 3, 2, false],
  [4, 7, 4, false],
  [6, 4, 3, false],
  [5, 5, 2, false],
  [67, 8, 2, false],
  [3, 17, 5, false],
  [4, 17, 2, false],
  [2, 31, 3, false],
  [3, 32, 2, false],
  [2, 8, 2, true],
  [2, 4, 2, true],
  [3, 6, 4, true],
  [1, 7, 5, true],
  [3, 17, 3, true],
  [2, 31, 4, true],
  [2, 32, 5, true],
];

describe('newtonSchulzStep on the GPU vs the float64 reference', () => {
  const gpu = useGpuPage();

  const gemmCases = KERNELS.flatMap((gemm) => CASES.map(([b, n, p, sym]) => ({ path: 'gemm', gemm, b, n, p, sym })));
  const fusedCases = KERNELS.flatMap((gemm) => FUSED.map(([b, n, p, sym]) => ({ path: 'fused', gemm, b, n, p, sym })));
  const named = [...gemmCases, ...fusedCases].map((c) => ({
    ...c,
    name: `${c.path} ${c.gemm} B${c.b}-n${c.n}-p${c.p}${c.sym ? '-sym' : ''}`,
  }));
  it.each(named)('$name', async ({ name, path, gemm, b, n, p, sym }) => {
    const { a, x, expected } = nsStepInputs(random(300 + b * 31 + n * 7 + p), b, n, p, sym);
    const r = await gpu().newtonSchulzStep({
      gemm,
      a,
      x,
      shape: [b, n, n],
      options: { order: p, symmetric: sym, path },
    });
    expect(r.validation).toBeNull();
    report(name, expectClose(name, r.out, expected));
  });
});

describe('newtonSchulzStep at n = 2048', () => {
  it('one step on a 2048×2048 matrix matches float64 on sampled rows (X′[r, :] = 2X[r, :] − (X[r, :] A) X)', async () => {
    const own = await openGpuPage();
    try {
      const n = 2048;
      const rng = random(2048);
      const a = rng.normals(n * n, 1 / Math.sqrt(n));
      const x = Float32Array.from(reference.initialInverse(a, n));
      const r = await own.newtonSchulzStep({ a, x, shape: [1, n, n], options: {} });
      expect(r.validation).toBeNull();
      const rows = [0, 1, 777, 1024, 2046, 2047];
      const got = new Float32Array(rows.length * n);
      const want = new Float64Array(rows.length * n);
      rows.forEach((row, k) => {
        const xa = new Float64Array(n);
        for (let c = 0; c < n; c++) for (let j = 0; j < n; j++) xa[j]! += x[row * n + c]! * a[c * n + j]!;
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let c = 0; c < n; c++) s += xa[c]! * x[c * n + j]!;
          want[k * n + j] = 2 * x[row * n + j]! - s;
        }
        got.set(r.out.subarray(row * n, (row + 1) * n), k * n);
      });
      report('B1-n2048 (sampled rows)', expectClose('B1-n2048', got, want));
      // Every element was written (the output starts as NaN).
      expect(r.out.every((v) => Number.isFinite(v))).toBe(true);
    } finally {
      await own.close();
    }
  }, 300_000);
});
