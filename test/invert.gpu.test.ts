import { describe, expect, it } from 'vitest';
import nsShader from '../shaders/newton_schulz.wgsl';
import { reference } from '../src/index.js';
import { random } from './harness/cases.js';
import { type InvertResult, KERNELS, useGpuPage } from './harness/gpu.js';
import { batchOf, relativeFrobenius, spd } from './harness/matrices.js';

const KAPPAS = [1, 10, 100, 1000];
const CHUNK = nsShader.constants.STEPS_PER_SUBMIT; // GEMM path: steps per submit

/** Checks every matrix of a batch against the exact inverse of its f32 entries (LU in float64). */
function checkBatch(
  name: string,
  r: InvertResult,
  mats: Float32Array[],
  kappas: readonly number[],
  n: number,
): number[] {
  expect(r.validation, name).toBeNull();
  return mats.map((m, i) => {
    const truth = reference.inverseLU(m, n);
    const x = r.out.subarray(i * n * n, (i + 1) * n * n);
    const err = relativeFrobenius(x, truth);
    const bound = 1e-6 * kappas[i]! * Math.sqrt(n);
    console.info(
      `${name} κ=${kappas[i]}: converged ${r.converged[i]}, iterations ${r.matrixIterations[i]}, residual ${r.residual[i]!.toExponential(2)}, rel. error ${err.toExponential(2)} (bound ${bound.toExponential(1)})`,
    );
    expect(r.converged[i], `${name} κ=${kappas[i]} converged`).toBe(true);
    expect(err, `${name} κ=${kappas[i]} relative error`).toBeLessThanOrEqual(bound);
    return err;
  });
}

describe.each(KERNELS)('invert on the GPU, %s GEMM schedule', (gemm) => {
  const gpu = useGpuPage();

  it.each([1, 2, 3, 4, 7, 8, 17, 31, 32])(
    'fused path, n %i, one batch with κ = 1, 10, 100, 1000, default options: one submit, one readback',
    async (n) => {
      const { a, mats } = batchOf(random(700 + n), n, KAPPAS);
      const r = await gpu().invert({ gemm, a, shape: [KAPPAS.length, n, n] });
      checkBatch(`fused ${gemm} n${n}`, r, mats, KAPPAS, n);
      expect([r.submits, r.readbacks, r.maps]).toEqual([1, 1, 1]);
      if (n > 1) expect(r.matrixIterations[0]).toBeLessThan(r.matrixIterations[3]!);
    },
  );

  it.each([
    [3, 3, false],
    [7, 4, false],
    [17, 5, false],
    [8, 2, true],
    [17, 3, true],
    [31, 5, true],
  ] as const)(
    'fused path, n %i, order %i, symmetric %s: κ up to 100 (SPD: eigenvalues 1 … 1/κ)',
    async (n, order, symmetric) => {
      const rng = random(750 + n + order);
      const kappas = [3, 10, 100];
      const mats = symmetric ? kappas.map((k) => spd(rng, n, Math.sqrt(k))) : batchOf(rng, n, kappas).mats;
      const a = new Float32Array(mats.length * n * n);
      for (const [i, m] of mats.entries()) a.set(m, i * n * n);
      const r = await gpu().invert({ gemm, a, shape: [mats.length, n, n], options: { order, symmetric } });
      checkBatch(`fused ${gemm} n${n} p${order}${symmetric ? ' sym' : ''}`, r, mats, kappas, n);
      expect(r.submits).toBe(1);
      // To a tolerance, the float64 Newton–Schulz reference of the same order takes the same steps (±1).
      const tolerance = 1e-3;
      const t = await gpu().invert({ gemm, a, shape: [mats.length, n, n], options: { order, symmetric, tolerance } });
      for (const [i, m] of mats.entries()) {
        const ref = reference.newtonSchulzInverse(m, n, { order, tolerance });
        expect(t.residual[i], `matrix ${i} residual`).toBeLessThanOrEqual(tolerance);
        expect(Math.abs(t.matrixIterations[i]! - ref.iterations), `matrix ${i} steps vs reference`).toBeLessThanOrEqual(
          1,
        );
      }
    },
  );

  it.each([1, 2, 3, 17, 64, 127, 130, 256])('GEMM path, n %i, one batch with κ = 1, 10, 100, 1000', async (n) => {
    const { a, mats } = batchOf(random(700 + n), n, KAPPAS);
    const r = await gpu().invert({ gemm, a, shape: [KAPPAS.length, n, n], options: { path: 'gemm' } });
    checkBatch(`gemm ${gemm} n${n}`, r, mats, KAPPAS, n);
    // Not one round trip per step: one status readback per chunk of steps, its copy in the same submit.
    expect(r.readbacks).toBeLessThanOrEqual(Math.ceil(r.iterations / CHUNK) + 1);
    expect(r.maps).toBe(r.readbacks);
    expect(r.submits).toBe(r.readbacks);
    // Matrices stop on their own: the well-conditioned ones take fewer steps.
    if (n > 1) expect(r.matrixIterations[0]).toBeLessThan(r.matrixIterations[3]!);
  });

  it.each([3, 17, 64, 130])(
    'n %i (fused path when n ≤ 32): iterations to ‖I − AX‖_F ≤ 1e-2 agree with ⌈log2(ln(1/ε) / −ln‖R₀‖₂)⌉ within 2',
    async (n) => {
      const tolerance = 1e-2;
      const { a } = batchOf(random(900 + n), n, KAPPAS);
      const r = await gpu().invert({ gemm, a, shape: [KAPPAS.length, n, n], options: { tolerance } });
      for (const [i, kappa] of KAPPAS.entries()) {
        // ‖R₀‖₂ = ‖I − α A Aᵀ‖₂ = 1 − α σ_min² for the α the GPU chose (α σ_max² ≤ 1 by construction).
        const r0 = 1 - r.alpha[i]! / kappa ** 2;
        const theory = reference.theoryIterations(r0, tolerance);
        console.info(
          `n${n} κ=${kappa}: α ${r.alpha[i]!.toExponential(3)}, ‖R₀‖₂ ${r0.toFixed(6)}, iterations ${r.matrixIterations[i]} vs theory ${theory}`,
        );
        expect(r.converged[i]).toBe(true);
        expect(r.residual[i]).toBeLessThanOrEqual(tolerance);
        expect(Math.abs(r.matrixIterations[i]! - theory)).toBeLessThanOrEqual(2);
      }
    },
  );

  it.each([17, 130])('n %i: symmetric positive definite input, symmetric option and order 3', async (n) => {
    const rng = random(810 + n);
    const sym = [spd(rng, n, 10), spd(rng, n, 30)];
    const s = new Float32Array(2 * n * n);
    for (const [i, m] of sym.entries()) s.set(m, i * n * n);
    const r = await gpu().invert({ gemm, a: s, shape: [2, n, n], options: { symmetric: true, order: 3 } });
    checkBatch(`${gemm} sym n${n}`, r, sym, [100, 900], n);
  });

  it('order 3 converges in fewer steps than order 2', async () => {
    const n = 40;
    const { a, mats } = batchOf(random(41), n, [100, 1000]);
    const two = await gpu().invert({ gemm, a, shape: [2, n, n] });
    const three = await gpu().invert({ gemm, a, shape: [2, n, n], options: { order: 3 } });
    checkBatch('order3', three, mats, [100, 1000], n);
    expect(three.matrixIterations[1]).toBeLessThan(two.matrixIterations[1]!);
  });

  it('symmetric option on symmetric positive definite input', async () => {
    const n = 70;
    const rng = random(70);
    const mats = [spd(rng, n, 10), spd(rng, n, 30)];
    const a = new Float32Array(2 * n * n);
    for (const [i, m] of mats.entries()) a.set(m, i * n * n);
    const r = await gpu().invert({ gemm, a, shape: [2, n, n], options: { symmetric: true } });
    // κ(A Aᵀ) = κ(A)² for the SPD construction: eigenvalues 1 … 1/κ².
    checkBatch('symmetric', r, mats, [100, 900], n);
  });

  it.each([
    ['fused', 17, undefined],
    ['gemm', 17, undefined],
    ['fused', 8, undefined],
    ['fused', 17, 3],
    ['fused', 8, 3],
    ['fused', 7, 5],
  ] as const)(
    '%s path, n %i, steps per dispatch %s: a singular matrix and a zero matrix end converged: false, beside one that converges',
    async (path, n, stepsPerDispatch) => {
      const rng = random(17);
      const good = Float32Array.from(reference.conditioned(rng, n, 10).a);
      const { a: base } = reference.conditioned(rng, n, 10);
      const singular = Float32Array.from(base);
      for (let j = 0; j < n; j++) singular[(n - 1) * n + j] = singular[j]!; // two equal rows
      const a = new Float32Array(3 * n * n);
      a.set(good, 0);
      a.set(singular, n * n);
      const options = { maxIterations: 40, path, ...(stepsPerDispatch ? { stepsPerDispatch } : {}) };
      const r = await gpu().invert({ gemm, a, shape: [3, n, n], options });
      expect(r.validation).toBeNull();
      expect(r.converged).toEqual([true, false, false]);
      if (stepsPerDispatch) expect([r.submits, r.readbacks]).toEqual([1, 1]);
      expect(relativeFrobenius(r.out.subarray(0, n * n), reference.inverseLU(good, n))).toBeLessThan(
        1e-6 * 10 * Math.sqrt(n),
      );
      expect(r.residual[1]).toBeGreaterThan(0.5);
      expect(r.alpha[2]).toBe(0); // the zero matrix cannot even start
      expect(r.matrixIterations[2]).toBe(0);
      expect(r.iterations).toBeLessThanOrEqual(40);
      for (const v of r.out.subarray(0, 2 * n * n)) expect(Number.isFinite(v)).toBe(true);
    },
  );

  it.each(['fused', 'gemm'] as const)(
    '%s path: a batch of 64 small matrices, each converging on its own',
    async (path) => {
      const n = 8;
      const kappas = Array.from({ length: 64 }, (_, i) => 10 ** ((i % 4) as number));
      const { a, mats } = batchOf(random(64), n, kappas);
      const r = await gpu().invert({ gemm, a, shape: [64, n, n], options: { path } });
      checkBatch(`${path} B64-n8`, r, mats, kappas, n);
    },
  );

  it.each(['fused', 'gemm'] as const)(
    '%s path: 70 matrices of 7×7, every fifth singular, to tolerance 1e-4',
    async (path) => {
      const n = 7;
      const rng = random(77);
      const count = 70;
      const a = new Float32Array(count * n * n);
      const mats = Array.from({ length: count }, (_, i) => {
        const m = Float32Array.from(reference.conditioned(rng, n, 1 + (i % 7) * 15).a);
        if (i % 5 === 2) for (let j = 0; j < n; j++) m[3 * n + j] = m[j]!; // rows 0 and 3 equal
        a.set(m, i * n * n);
        return m;
      });
      const tolerance = 1e-4;
      const r = await gpu().invert({ gemm, a, shape: [count, n, n], options: { tolerance, path } });
      expect(r.validation).toBeNull();
      if (path === 'fused') expect([r.submits, r.readbacks]).toEqual([1, 1]);
      for (const [i, m] of mats.entries()) {
        if (i % 5 === 2) {
          expect(r.converged[i], `singular ${i}`).toBe(false);
          expect(r.residual[i], `singular ${i}`).toBeGreaterThan(0.5);
          continue;
        }
        expect(r.converged[i], `matrix ${i}`).toBe(true);
        expect(r.residual[i], `matrix ${i}`).toBeLessThanOrEqual(tolerance);
        const x = r.out.subarray(i * n * n, (i + 1) * n * n);
        // ‖X − A⁻¹‖_F ≤ ‖A⁻¹‖₂ ‖A X − I‖_F: relative error ≤ tolerance, plus float32 rounding.
        expect(relativeFrobenius(x, reference.inverseLU(m, n)), `matrix ${i}`).toBeLessThanOrEqual(
          1e-6 * 100 * Math.sqrt(n) + tolerance,
        );
      }
    },
  );
});
