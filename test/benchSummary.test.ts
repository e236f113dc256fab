import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSummary } from '../bench/summary.js';

/** A minimal result file: one case, one roofline target, a roofline with or without its kernels. */
function result(time: string, pct: number, kernels: boolean) {
  return {
    date: time.slice(0, 10),
    time,
    quick: false,
    adapter: { vendor: 'v', architecture: 'a', description: 'd', gemm: 'direct' },
    roofline: { fmaGflops: kernels ? 40 : 10, copyGBps: 1, emptyMs: 1, ...(kernels ? { fmaKernel: 'fma_x' } : {}) },
    timing: 'Times: one method for every library — test fixture',
    cases: [
      {
        id: 'ns-step-B1-n512',
        op: 'Newton–Schulz step',
        config: 'n 512',
        ours: { medianMs: 100 },
        ratios: { jax: 2, tf: null, ort: null },
        pctRoofline: pct,
        verdict: 'ok',
      },
    ],
    targets: [{ name: 'step: ≥ 45% of the FMA roofline', measured: `${pct}%`, met: false }],
  };
}

describe('bench summary', () => {
  it('shows roofline percentages only from runs whose roofline is the best of several FMA kernels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsa-summary-'));
    writeFileSync(join(dir, 'old.json'), JSON.stringify(result('2026-01-01T00:00:00.000Z', 44, false)));
    writeFileSync(join(dir, 'new.json'), JSON.stringify(result('2026-01-02T00:00:00.000Z', 11, true)));
    const text = renderSummary(dir);
    const row = text.split('\n').find((l) => l.startsWith('| Newton–Schulz step'))!;
    expect(row.split('|').map((c) => c.trim())[4]).toBe('11%');
    expect(text).toContain('- step: ≥ 45% of the FMA roofline: 11% — not met');
    expect(text).not.toContain('44%');
    // With only old runs, the cell is empty rather than a percentage of the old ceiling.
    const oldOnly = mkdtempSync(join(tmpdir(), 'lsa-summary-'));
    writeFileSync(join(oldOnly, 'old.json'), JSON.stringify(result('2026-01-01T00:00:00.000Z', 44, false)));
    expect(
      renderSummary(oldOnly)
        .split('\n')
        .find((l) => l.startsWith('| Newton–Schulz step')),
    ).toContain('| — |');
  });
});
