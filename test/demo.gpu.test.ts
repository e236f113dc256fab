import { mkdirSync, writeFileSync } from 'node:fs';
import puppeteer from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { reference } from '../src/index.js';
import { DEFAULTS, runLayers, scenario, type Problem } from '../demo/problems.js';
import type { DemoResult } from '../demo/main.js';
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

  it.each(['inverse', 'ridge', 'logistic'] as Problem[])('%s: the plotted GPU errors equal the float64 transformer run within float32 accuracy', async (problem) => {
    const r = (await page.evaluate((p) => (window as unknown as { demo: { run(p: string): Promise<DemoResult> } }).demo.run(p), problem)) as DemoResult;
    expect(r.params).toEqual(DEFAULTS[problem]);
    // Recompute every GPU series in float64, from the same definitions, with reference.transformer.
    const s = scenario(problem, r.params);
    const f64: { x: number[]; y: number[] }[] = [];
    for (const run of s.runs) f64.push(await runLayers(run, async (h, layer) => reference.transformer(h, [1, run.width, run.tokens], [layer])));
    const gpu = r.series.filter((x) => x.gpu);
    const expected = problem === 'ridge' ? [{ x: f64.slice(0, -1).flatMap((f) => f.x), y: f64.slice(0, -1).flatMap((f) => f.y) }, f64[f64.length - 1]!] : f64;
    expect(gpu.length).toBe(expected.length);
    gpu.forEach((series, i) => {
      expect(series.x).toEqual(expected[i]!.x);
      series.y.forEach((e, j) => {
        // Errors are relative quantities (or a loss gap): float32 leaves about 1e-6 of noise on them.
        expect(Math.abs(e - expected[i]!.y[j]!), `${series.label} at layer ${series.x[j]}: gpu ${e}, f64 ${expected[i]!.y[j]}`).toBeLessThanOrEqual(2e-5);
      });
    });
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
