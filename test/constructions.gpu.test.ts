import { describe, expect, it } from 'vitest';
import { constructions, type Layer, reference } from '../src/index.js';
import { random } from './harness/cases.js';
import { type GpuPage, KERNELS, useGpuPage } from './harness/gpu.js';
import { logisticData } from './harness/logistic.js';

interface Runnable<Out> {
  width: number;
  tokens: number;
  layers: Layer[];
  readout(h: ArrayLike<number>): Out;
}

const relErr = reference.relativeError;

/**
 * Runs B embedded prompts through runtime.transformer (one submit) and through the float64
 * reference, and returns the read-out of both for every prompt.
 */
async function both<Out>(
  gpu: GpuPage,
  gemm: (typeof KERNELS)[number],
  c: Runnable<Out>,
  prompts: Float64Array[],
): Promise<{ gpu: Out[]; f64: Out[]; submits: number }> {
  const size = c.width * c.tokens;
  const h = new Float32Array(prompts.length * size);
  for (const [b, p] of prompts.entries()) h.set(p, b * size);
  const r = await gpu.runApi({
    op: 'transformer',
    gemm,
    h,
    shape: [prompts.length, c.width, c.tokens],
    layers: c.layers,
  });
  expect(r.validation).toBeNull();
  // The float64 run starts from the same f32-rounded embedding the GPU saw.
  const f64 = prompts.map((_, b) =>
    c.readout(reference.transformer(h.subarray(b * size, (b + 1) * size), [1, c.width, c.tokens], c.layers)),
  );
  const out = prompts.map((_, b) => c.readout(r.out.subarray(b * size, (b + 1) * size)));
  return { gpu: out, f64, submits: r.submits };
}

describe.each(KERNELS)(
  "the paper's constructions through runtime.transformer (float32, %s GEMM schedule) vs the float64 run",
  (gemm) => {
    const gpu = useGpuPage();

    // Bound: Newton–Schulz damps perturbations of X once it converges (the residual squares), so
    // f32 rounding leaves X within about κ(A)·√d·ε₃₂·(few) of the float64 iterate: 1e-5 for κ ≤ 10, d ≤ 8.
    it.each([
      { d: 2, steps: 6, symmetric: false },
      { d: 5, steps: 12, symmetric: false },
      { d: 8, steps: 12, symmetric: true },
    ])(
      'newtonSchulz d $d, $steps steps, symmetric $symmetric: 4 prompts, one submit',
      async ({ d, steps, symmetric }) => {
        const rng = random(40 + d);
        const c = constructions.newtonSchulz({ d, steps, symmetric });
        const prompts = Array.from({ length: 4 }, () => {
          const base = reference.conditioned(rng, d, 3).a;
          const a = symmetric ? reference.gram(base, d, d, 0) : base;
          const x0 = reference.initialInverse(a, d);
          return c.embed(a, x0);
        });
        const r = await both(gpu(), gemm, c, prompts);
        expect(r.submits).toBe(1);
        for (const [b, x] of r.gpu.entries()) {
          const err = relErr(x, r.f64[b]!);
          console.info(
            `${gemm} newtonSchulz d${d} T${steps}${symmetric ? ' sym' : ''} prompt ${b}: rel. error ${err.toExponential(2)}`,
          );
          expect(err).toBeLessThanOrEqual(1e-5);
        }
      },
    );

    // Bound: ŷ is a ratio of sums of O(1) terms after T convergent steps: 1e-5 relative (κ(R) ≤ ~20 here).
    it.each([
      { d: 3, steps: 4, mu: 0.1 },
      { d: 8, steps: 10, mu: 0.5 },
    ])('ridgeNewton d $d, T $steps, μ $mu: 8 prompts', async ({ d, steps, mu }) => {
      const n = 2 * d + 4;
      const rng = random(60 + d);
      const c = constructions.ridgeNewton({ d, n, steps, mu, alpha: 0.02 });
      const prompts = Array.from({ length: 8 }, () => {
        const { a, y, aTest } = reference.ridgeData(rng, d, n, { scale: 1 / Math.sqrt(d) });
        return c.embed(a, y, aTest);
      });
      const r = await both(gpu(), gemm, c, prompts);
      for (const [b, yHat] of r.gpu.entries()) {
        const err = Math.abs(yHat - r.f64[b]!) / Math.abs(r.f64[b]!);
        console.info(
          `${gemm} ridgeNewton d${d} T${steps} prompt ${b}: ŷ ${yHat.toFixed(6)} vs ${r.f64[b]!.toFixed(6)}, rel. error ${err.toExponential(2)}`,
        );
        expect(err).toBeLessThanOrEqual(1e-5);
      }
    });

    // Bound: each ReLU interpolant is anchored at its flattest knot (src/constructions/relu.ts), so
    // no term is large and f32 sums stay near ε₃₂ relative; u = ((φ+a)² − (φ−a)²)/4 loses about a
    // digit. Measured ~1e-7; we require 1e-5. (Ramps anchored at the left end lost 1e-3 to
    // cancellation in the step size 2√μ/(2√μ + √λ²), whose slope is unbounded near λ² = 0.)
    it('logisticNewton d 3, n 12, μ 0.1, 2 Newton steps, nsSteps 10, ε 1e-4: 3 prompts', async () => {
      const [d, n, mu] = [3, 12, 0.1];
      const c = constructions.logisticNewton({ d, n, mu, steps: 2, nsSteps: 10, epsilon: 1e-4 });
      const prompts = [1, 2, 3].map((seed) => {
        const { a, y } = logisticData(seed, d, n);
        return c.embed(a, y, new Float64Array(d));
      });
      const r = await both(gpu(), gemm, c, prompts);
      for (const [b, w] of r.gpu.entries()) {
        const err = relErr(w, r.f64[b]!);
        console.info(`${gemm} logisticNewton prompt ${b}: rel. error ${err.toExponential(2)}`);
        expect(err).toBeLessThanOrEqual(1e-5);
      }
    });
  },
);
