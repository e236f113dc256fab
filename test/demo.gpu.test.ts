import { mkdirSync, writeFileSync } from 'node:fs';
import puppeteer from 'puppeteer';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DemoResult, TrainResult } from '../demo/main.js';
import { DEFAULTS, type Params, type Problem, runLayers, scenario } from '../demo/problems.js';
import { perLayerErrors } from '../demo/training.js';
import { parseLayers, reference } from '../src/index.js';
import { decodePng, pixelVariance } from './harness/png.js';

// The built page (.build/demo, from `npm run build`) opened as a visitor would, in headless Chromium.
describe('interactive page', () => {
  let browser: Awaited<ReturnType<typeof puppeteer.connect>>;
  let page: Awaited<ReturnType<typeof browser.newPage>>;
  beforeAll(async () => {
    browser = await puppeteer.connect({ browserWSEndpoint: inject('browserWSEndpoint') });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${inject('baseUrl')}/.build/demo/index.html`);
    await page.waitForFunction('window.demoReady === true || window.demoError !== undefined', { timeout: 120_000 });
    const failure = await page.evaluate(() => (window as unknown as { demoError?: string }).demoError);
    expect(failure, errors.join('; ')).toBeUndefined();
  });
  afterAll(async () => {
    await page?.close();
    await browser?.disconnect();
  });

  const run = async (problem: Problem, params?: Partial<Params>) =>
    (await page.evaluate(
      (p, q) =>
        (window as unknown as { demo: { run(p: string, q?: Partial<Params>): Promise<DemoResult> } }).demo.run(p, q),
      problem,
      params,
    )) as DemoResult;

  /** Recomputes every GPU series in float64, from the same definitions, with reference.transformer. */
  async function expectGpuEqualsFloat64(r: DemoResult): Promise<DemoResult['series']> {
    const s = scenario(r.problem, r.params);
    const f64: { x: number[]; y: number[] }[] = [];
    for (const run of s.runs)
      f64.push(await runLayers(run, async (h, layer) => reference.transformer(h, [1, run.width, run.tokens], [layer])));
    const gpu = r.series.filter((x) => x.gpu);
    const expected =
      r.problem === 'ridge'
        ? [{ x: f64.slice(0, -1).flatMap((f) => f.x), y: f64.slice(0, -1).flatMap((f) => f.y) }, f64[f64.length - 1]!]
        : f64;
    expect(gpu.length).toBe(expected.length);
    gpu.forEach((series, i) => {
      expect(series.x).toEqual(expected[i]!.x);
      series.y.forEach((e, j) => {
        // Errors are relative quantities (or a loss gap): float32 leaves about 1e-6 of noise on them.
        expect(
          Math.abs(e - expected[i]!.y[j]!),
          `${series.label} at layer ${series.x[j]}: gpu ${e}, f64 ${expected[i]!.y[j]}`,
        ).toBeLessThanOrEqual(2e-5);
      });
    });
    return gpu;
  }

  it.each(['inverse', 'ridge', 'logistic'] as Problem[])(
    '%s: the plotted GPU errors equal the float64 transformer run within float32 accuracy',
    async (problem) => {
      const r = await run(problem);
      expect(r.params).toEqual(DEFAULTS[problem]);
      const gpu = await expectGpuEqualsFloat64(r);
      // The algorithm lines are on the plot too. For inversion and ridge (condition number 10) the
      // second-order transformer ends far below the first-order one at equal depth; the default
      // logistic problem is so well conditioned (H ≈ μI) that gradient descent wins per layer, and the page shows that as it is.
      const algorithms = r.series.filter((x) => !x.gpu);
      expect(algorithms.length).toBe(2);
      if (problem !== 'logistic') {
        const firstOrder = problem === 'ridge' ? gpu[1]! : algorithms[1]!;
        expect(gpu[0]!.y[gpu[0]!.y.length - 1]!).toBeLessThan(firstOrder.y[firstOrder.y.length - 1]! / 10);
      }

      const png = await page.screenshot({ fullPage: true });
      mkdirSync('test-results', { recursive: true });
      writeFileSync(`test-results/demo-${problem}.png`, png);
      expect(pixelVariance(decodePng(png))).toBeGreaterThan(200);
    },
  );

  it('logistic: the κ control makes the rows ill-conditioned (κ = 50) and the GPU run still equals float64', async () => {
    const r = await run('logistic', { kappa: 50 });
    expect(r.params.kappa).toBe(50);
    await expectGpuEqualsFloat64(r);
    const { d, n, seed } = r.params;
    const condition = (kappa: number) => {
      const { a } = reference.logisticData(reference.random(seed), d, n, { kappa });
      const eig = reference.symmetricEigenvalues(reference.gram(a, n, d, 0), d);
      return eig[d - 1]! / eig[0]!;
    };
    expect(condition(50)).toBeGreaterThan(10 * condition(1));
  });

  it('log axes label powers of ten only, as 10 with a superscript exponent', async () => {
    await run('inverse');
    const ticks = await page.evaluate(() => (window as unknown as { demo: { yTicks(): string[] } }).demo.yTicks());
    const shown = ticks.filter((t) => t !== '');
    expect(shown.length).toBeGreaterThanOrEqual(2);
    for (const t of shown) expect(t).toMatch(/^10⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+$/);
  });

  it('training view: trains a 2-layer LSA on the adapter with a live loss curve, then per-layer errors equal float64', async () => {
    const r = (await page.evaluate(() =>
      (window as unknown as { demo: { train(p: object): Promise<TrainResult> } }).demo.train({
        layers: 2,
        steps: 120,
        seed: 3,
      }),
    )) as TrainResult;
    expect(r.params.layers).toBe(2);
    // The curve was read every 10 steps while training; Adam from a small random start lowers the loss.
    expect(r.curve.map((c) => c.step)).toEqual(Array.from({ length: 12 }, (_, i) => 10 * (i + 1)));
    for (const c of r.curve) expect(Number.isFinite(c.loss)).toBe(true);
    expect(r.curve.at(-1)!.loss).toBeLessThan(r.curve[0]!.loss);
    // The live chart drew every point it was given.
    const points = await page.evaluate(() =>
      (window as unknown as { demo: { chartPoints(): number } }).demo.chartPoints(),
    );
    expect(points).toBe(r.curve.length);
    // Per-layer errors: recomputed here from the returned weights on the same held-out prompts.
    const expected = perLayerErrors(r.params, parseLayers(r.weights));
    for (const key of ['lsa', 'newton2', 'newton3'] as const) {
      expect(r.perLayer[key].length).toBe(2);
      r.perLayer[key].forEach((e, i) => {
        expect(Math.abs(e - expected[key][i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, expected[key][i]!));
      });
    }
    expect(r.perLayer.newton3[1]!).toBeLessThan(r.perLayer.newton2[1]!);
    // Its log axis may span less than a decade: then it is labelled at 1, 2 and 5 × 10ᵏ, never in long decimals.
    const ticks = await page.evaluate(() =>
      (window as unknown as { demo: { perLayerTicks(): string[] } }).demo.perLayerTicks(),
    );
    const shown = ticks.filter((t) => t !== '');
    expect(shown.length).toBeGreaterThanOrEqual(1);
    for (const t of shown) expect(t).toMatch(/^([25]×)?10⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+$/);
    const png = await page.screenshot({ fullPage: true });
    writeFileSync('test-results/demo-train.png', png);
    expect(pixelVariance(decodePng(png))).toBeGreaterThan(200);
  });

  it('explains itself plainly without WebGPU', async () => {
    const plain = await browser.newPage();
    await plain.evaluateOnNewDocument(() => {
      Object.defineProperty(navigator, 'gpu', { value: undefined });
    });
    await plain.goto(`${inject('baseUrl')}/.build/demo/index.html`);
    await plain.waitForFunction('window.demoError !== undefined', { timeout: 60_000 });
    const text = await plain.$eval('#status', (e) => e.textContent ?? '');
    expect(text).toContain('no WebGPU');
    expect(text).toContain('--enable-unsafe-webgpu');
    await plain.close();
  });
});
