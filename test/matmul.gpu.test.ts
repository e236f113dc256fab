import { describe, expect, it } from 'vitest';
import { expectClose, KERNELS, report, useGpuPage } from './harness/gpu.js';
import { type MatmulCase as Case, expectedMatmul as expected, matmulId as id } from './harness/matrices.js';

const gpu = useGpuPage();

const CASES: Case[] = [
  { aShape: [1, 1], bShape: [1, 1] },
  { aShape: [3, 17, 5], bShape: [3, 5, 2] },
  { aShape: [2, 63, 65], bShape: [2, 65, 33] },
  { aShape: [7, 4], bShape: [5, 4, 9] }, // a shared by every batch entry
  { aShape: [4, 31, 127], bShape: [127, 3] }, // b shared
  { aShape: [2, 33, 40], bShape: [2, 33, 17], options: { transposeA: true } },
  { aShape: [3, 9, 65], bShape: [3, 12, 65], options: { transposeB: true } },
  { aShape: [130, 70], bShape: [66, 130], options: { transposeA: true, transposeB: true } },
];

describe('matmul on the GPU vs the float64 reference', () => {
  for (const gemm of KERNELS) {
    CASES.forEach((c, i) => {
      it(`${gemm} ${id(c)}`, async () => {
        const r = await gpu().matmul({ ...c, seed: 100 + i, gemm });
        expect(r.validation).toBeNull();
        report(`${gemm} ${id(c)}`, expectClose(`${gemm} ${id(c)}`, r.out, expected(c, 100 + i)));
      });
    });
  }
});

describe('grids past 65535 workgroups are folded', () => {
  // One workgroup per 1×1 product on the tiled schedule; one invocation per product (64 per
  // workgroup) on the direct schedule's small-matrix kernel: batches just past 65535 workgroups.
  const batches = { tiled: 65_535 + 7, direct: 65_535 * 64 + 65 } as const;
  for (const gemm of KERNELS) {
    it(`${gemm}: a [${batches[gemm]}, 1, 1] batch dispatches more than 65535 workgroups as an x·y grid, every product correct`, async () => {
      const c: Case = { aShape: [1, 1], bShape: [batches[gemm], 1, 1] };
      const r = await gpu().matmul({ ...c, seed: 7, gemm });
      expect(r.validation).toBeNull();
      expect(r.grids).toHaveLength(1);
      const [x, y, z] = r.grids[0]!;
      expect(x * y * z).toBeGreaterThan(65_535);
      expect(y).toBeGreaterThan(1);
      expect(Math.max(x, y, z)).toBeLessThanOrEqual(65_535);
      report(`${gemm} fold [${x}, ${y}]`, expectClose(`${gemm} fold`, r.out, expected(c, 7)));
    });
  }
});
