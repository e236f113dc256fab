import { describe, expect, it } from 'vitest';
import { reference } from '../src/index.js';
import { random } from './harness/cases.js';
import { expectClose, LARGE_FORMS, report, useGpuPage } from './harness/gpu.js';
import { expectedMatmul, type MatmulCase, matmulId, nsStepInputs, relativeFrobenius } from './harness/matrices.js';

// The direct schedule's large kernel (parts/gemm_large.wgsl: 64 × 64 blocks, 8 steps of k per
// trip, compiled by runtime.prepare('large')) in both of its forms: 'large' on a device created
// without `subgroups` (gemm.wgsl's fallback) and 'subgroups' on a device created with it
// (gemm_subgroups.wgsl). Every case asserts which pipeline ran, compares with float64, and
// compares the two forms bit for bit.

const gpu = useGpuPage();

/** The pipeline label of the large kernel in the form a runtime runs. */
const LARGE = {
  large: /^gemm\.gemm_direct_large\{/,
  subgroups: /^gemm_subgroups\.gemm_direct_large\{/,
} as const;

function ranLarge(form: (typeof LARGE_FORMS)[number], pipelines: string[]): void {
  expect(
    pipelines.some((p) => LARGE[form].test(p)),
    `${form}: ${pipelines.join(', ')}`,
  ).toBe(true);
  const other = form === 'large' ? LARGE.subgroups : LARGE.large;
  expect(pipelines.some((p) => other.test(p))).toBe(false);
}

it('the page has a device created with the subgroups feature (the adapter offers it)', () => {
  expect(gpu().subgroups).toBe(true);
});

// Odd m and n (partial blocks on both edges), k a multiple of 8, at least 8 blocks.
const MATMUL: MatmulCase[] = [
  { aShape: [3, 97, 72], bShape: [3, 72, 131] },
  { aShape: [3, 72, 101], bShape: [3, 72, 129], options: { transposeA: true } },
  { aShape: [4, 129, 40], bShape: [4, 67, 40], options: { transposeB: true } },
  { aShape: [6, 65, 8], bShape: [8, 127] }, // b shared by every batch entry
];

describe('large direct GEMM: matmul vs float64, with and without subgroups, the same bits', () => {
  MATMUL.forEach((c, i) => {
    it(matmulId(c), async () => {
      const want = expectedMatmul(c, 500 + i);
      const outs: Float32Array[] = [];
      for (const gemm of LARGE_FORMS) {
        const r = await gpu().matmul({ ...c, seed: 500 + i, gemm });
        expect(r.validation).toBeNull();
        ranLarge(gemm, r.pipelines);
        report(`${gemm} ${matmulId(c)}`, expectClose(`${gemm} ${matmulId(c)}`, r.out, want));
        outs.push(r.out);
      }
      expect(Buffer.from(outs[1]!.buffer).equals(Buffer.from(outs[0]!.buffer))).toBe(true);
    });
  });

  it('the 8 × 32 kernel runs instead when k is not a multiple of 8, with fewer than 8 blocks, or before prepare', async () => {
    const cases: [MatmulCase, string][] = [
      [{ aShape: [3, 97, 68], bShape: [3, 68, 131] }, 'large'], // k = 68
      [{ aShape: [128, 128], bShape: [128, 128] }, 'large'], // 2 × 2 blocks
      [{ aShape: [3, 97, 72], bShape: [3, 72, 131] }, 'direct'], // qualifies, but 'large' not prepared
    ];
    for (const [c, gemm] of cases) {
      const r = await gpu().matmul({ ...c, seed: 9, gemm });
      expect(r.validation).toBeNull();
      expect(r.pipelines.some((p) => p.startsWith('gemm.gemm_direct{'))).toBe(true);
      expect(r.pipelines.some((p) => LARGE.large.test(p) || LARGE.subgroups.test(p))).toBe(false);
      report(`${gemm} ${matmulId(c)}`, expectClose(`${gemm} ${matmulId(c)}`, r.out, expectedMatmul(c, 9)));
    }
  });
});

// [batch, n, order, symmetric]: every epilogue the step uses (plain, residual, diagonal, symmetric
// mirror); n a multiple of 8 (k = n) that leaves partial blocks.
const STEPS: [number, number, number, boolean][] = [
  [6, 72, 2, false],
  [6, 72, 3, false],
  [6, 72, 4, false],
  [3, 136, 5, false],
  [6, 72, 2, true],
  [4, 104, 3, true],
];

describe('large direct GEMM: Newton–Schulz steps vs float64, with and without subgroups, the same bits', () => {
  it.each(STEPS)('B%i n%i order %i symmetric %s', async (b, n, p, sym) => {
    const { a, x, expected: want } = nsStepInputs(random(900 + b * 31 + n * 7 + p), b, n, p, sym);
    const outs: Float32Array[] = [];
    for (const gemm of LARGE_FORMS) {
      const name = `${gemm} B${b}-n${n}-p${p}${sym ? '-sym' : ''}`;
      const r = await gpu().newtonSchulzStep({
        gemm,
        a,
        x,
        shape: [b, n, n],
        options: { order: p, symmetric: sym, path: 'gemm' },
      });
      expect(r.validation).toBeNull();
      ranLarge(gemm, r.pipelines);
      report(name, expectClose(name, r.out, want));
      outs.push(r.out);
    }
    expect(Buffer.from(outs[1]!.buffer).equals(Buffer.from(outs[0]!.buffer))).toBe(true);
  });
});

describe('large direct GEMM: invert with gated (finished) matrices, with and without subgroups', () => {
  it('32 matrices of 64 × 64, every fourth singular: the others converge to 1e-4, the singular ones do not', async () => {
    const n = 64;
    const count = 32;
    const rng = random(64_032);
    const a = new Float32Array(count * n * n);
    const mats = Array.from({ length: count }, (_, i) => {
      const m = Float32Array.from(reference.conditioned(rng, n, 1 + (i % 5) * 10).a);
      if (i % 4 === 1) for (let j = 0; j < n; j++) m[7 * n + j] = m[2 * n + j]!; // rows 2 and 7 equal
      a.set(m, i * n * n);
      return m;
    });
    const outs: Float32Array[] = [];
    for (const gemm of LARGE_FORMS) {
      const r = await gpu().invert({ gemm, a, shape: [count, n, n], options: { path: 'gemm', tolerance: 1e-4 } });
      expect(r.validation).toBeNull();
      ranLarge(gemm, r.pipelines);
      for (const [i, m] of mats.entries()) {
        if (i % 4 === 1) {
          expect(r.converged[i], `${gemm} singular ${i}`).toBe(false);
          continue;
        }
        expect(r.converged[i], `${gemm} matrix ${i}`).toBe(true);
        const x = r.out.subarray(i * n * n, (i + 1) * n * n);
        // ‖X − A⁻¹‖_F ≤ ‖A⁻¹‖₂ ‖A X − I‖_F: relative error ≤ tolerance, plus float32 rounding.
        expect(relativeFrobenius(x, reference.inverseLU(m, n)), `${gemm} matrix ${i}`).toBeLessThanOrEqual(
          1e-4 + 1e-6 * 50 * Math.sqrt(n),
        );
      }
      // Matrices stopped at different iterations, so gated steps ran beside active ones.
      expect(new Set(r.matrixIterations).size).toBeGreaterThan(1);
      outs.push(r.out);
    }
    expect(Buffer.from(outs[1]!.buffer).equals(Buffer.from(outs[0]!.buffer))).toBe(true);
  });
});
