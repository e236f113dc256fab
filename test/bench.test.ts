import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Keeps `npm run bench` working: the quick mode end to end, asserting nothing about timings —
// only that every case ran for us and both peers, every result passed its accuracy check, start-up was
// measured, the FMA roofline is the best of its kernels, and the report draws.
describe('benchmark (quick mode)', () => {
  it('runs every quick case for us, TF.js and jax-js, checks accuracy, writes JSON + HTML, and the report shows its charts', async () => {
    // The runner is compiled by `npm run build` (tsconfig.node.json) into .build/.
    const { runBench } = (await import(
      join(process.cwd(), '.build/bench/bench.js')
    )) as typeof import('../bench/bench.js');
    const outDir = mkdtempSync(join(tmpdir(), 'lsa-bench-'));
    const lines: string[] = [];
    const { report, json, html, png, chartVariance } = await runBench({
      quick: true,
      outDir,
      log: (l) => lines.push(l),
    });
    expect(report.cases.length).toBeGreaterThanOrEqual(7);
    for (const c of report.cases) {
      expect(c.verdict, `${c.op} ${c.config}`).toBe('ok');
      expect(c.ours.medianMs).toBeGreaterThan(0);
    }
    // Both peers ran and passed their float64 checks on every case they can run.
    for (const peer of ['tf', 'jax'] as const) {
      const ran = report.cases.filter((c) => c[peer] !== null);
      expect(ran.length, peer).toBeGreaterThanOrEqual(7);
      for (const c of ran) expect(c[peer]!.accuracy.ok, `${peer} ${c.op} ${c.config}`).toBe(true);
    }
    expect(report.startup.ms.length).toBeGreaterThanOrEqual(1);
    for (const t of report.startup.ms) expect(t).toBeGreaterThan(0);
    expect(report.roofline.fmaGflops).toBeGreaterThan(0);
    // The FMA roofline is the fastest of the FMA kernels, and says which one that was.
    const kernels = report.roofline.fmaKernels ?? {};
    expect(Object.keys(kernels).length).toBeGreaterThanOrEqual(2);
    expect(report.roofline.fmaGflops).toBe(Math.max(...Object.values(kernels)));
    expect(kernels[report.roofline.fmaKernel!]).toBe(report.roofline.fmaGflops);
    expect(JSON.parse(readFileSync(json, 'utf8')).cases.length).toBe(report.cases.length);
    expect(existsSync(html) && existsSync(png)).toBe(true);
    expect(chartVariance.length).toBe(4);
    for (const v of chartVariance) expect(v).toBeGreaterThan(10);
    expect(lines.some((l) => l.includes(report.adapter.architecture))).toBe(true);
  }, 600_000);
});
