import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Keeps `npm run bench` working: the quick mode end to end, asserting nothing about timings —
// only that every case ran, every result passed its accuracy check, and the report draws.
describe('benchmark (quick mode)', () => {
  it('runs every quick case, checks accuracy, writes JSON + HTML, and the report shows its charts', async () => {
    // The runner is compiled by `npm run build` (tsconfig.node.json) into .build/.
    const { runBench } = (await import(join(process.cwd(), '.build/bench/bench.js'))) as typeof import('../bench/bench.js');
    const outDir = mkdtempSync(join(tmpdir(), 'lsa-bench-'));
    const lines: string[] = [];
    const { report, json, html, png, chartVariance } = await runBench({ quick: true, outDir, log: (l) => lines.push(l) });
    expect(report.cases.length).toBeGreaterThanOrEqual(7);
    for (const c of report.cases) {
      expect(c.verdict, `${c.op} ${c.config}`).toBe('ok');
      expect(c.ours.medianMs).toBeGreaterThan(0);
    }
    expect(report.cases.filter((c) => c.tf !== null).length).toBeGreaterThanOrEqual(5);
    expect(report.roofline.fmaGflops).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(json, 'utf8')).cases.length).toBe(report.cases.length);
    expect(existsSync(html) && existsSync(png)).toBe(true);
    expect(chartVariance.length).toBe(4);
    for (const v of chartVariance) expect(v).toBeGreaterThan(10);
    expect(lines.some((l) => l.includes(report.adapter.architecture))).toBe(true);
  }, 600_000);
});
