// `npm run bench [-- --quick]`: the benchmark in headless Chromium. Prints progress and a table,
// writes bench/results/<date>-<adapter>.json and .html, then opens the report, screenshots it
// and checks that its charts are not blank.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { callPage, launchBrowser, openPage } from '../tools/browser.js';
import { serveStatic } from '../tools/server.js';
import type { CaseResult } from './bench-page.js';
import { renderReport, type BenchReport } from './report.js';

export interface BenchOptions {
  quick: boolean;
  outDir: string;
  log?: (line: string) => void;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

type Page = Awaited<ReturnType<typeof openPage>>;
const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> => callPage<T>(page, 'bench', fn, ...args);

export async function runBench(options: BenchOptions): Promise<{ report: BenchReport; json: string; html: string; png: string; chartVariance: number[] }> {
  const log = options.log ?? console.log;
  const server = await serveStatic(root);
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser, `${server.url}/bench/bench.html`, 'bench', 120_000);
    const adapter = await call<BenchReport['adapter']>(page, 'info');
    const software = adapter.software;
    log(`adapter: ${adapter.vendor} / ${adapter.architecture} ${adapter.description} (TensorFlow.js ${adapter.tfjs}, same device)`);
    if (software) log('warning: software adapter — absolute times describe this CPU, not a GPU; compare ratios');
    log('roofline …');
    const rooflineStart = await call<BenchReport['roofline']>(page, 'roofline', options.quick);
    log(`roofline: FMA ${rooflineStart.fmaGflops.toFixed(2)} GFLOP/s, copy ${rooflineStart.copyGBps.toFixed(2)} GB/s, empty dispatch ${rooflineStart.emptyMs.toFixed(3)} ms (measured again at the end)`);
    // Percentages are taken against the better of the two measurements, so a roofline measured
    // while something else loaded the machine cannot flatter the kernels.
    const roofline = { ...rooflineStart };
    const list = await call<{ id: string; op: string; config: string }[]>(page, 'list', options.quick);
    const cases: BenchReport['cases'] = [];
    for (const [i, c] of list.entries()) {
      log(`[${i + 1}/${list.length}] ${c.op}, ${c.config} …`);
      const r = await call<CaseResult>(page, 'run', c.id, options.quick);
      const ok = r.ours.accuracy.ok;
      const ratio = r.tf && ok ? r.tf.medianMs / r.ours.medianMs : null;
      const verdict = ok ? 'ok' : `WRONG (rms-rel ${r.ours.accuracy.rmsRelative.toExponential(1)}, ${r.ours.accuracy.nonFinite} non-finite)`;
      cases.push({ ...r, ratio, pctRoofline: (100 * r.ours.gflops) / roofline.fmaGflops, verdict });
      log(
        `    ours ${r.ours.medianMs.toFixed(3)} ms [${r.ours.minMs.toFixed(3)}–${r.ours.maxMs.toFixed(3)}]${r.ours.gpuMedianMs === null ? '' : ` (GPU timestamps ${r.ours.gpuMedianMs.toFixed(3)} ms)`} ${r.ours.gflops.toFixed(2)} GFLOP/s (${((100 * r.ours.gflops) / roofline.fmaGflops).toFixed(1)}% of the starting FMA roofline)` +
          (r.tf ? ` | TF.js ${r.tf.medianMs.toFixed(3)} ms${r.tf.accuracy.ok ? '' : ' (TF.js result off: rms-rel ' + r.tf.accuracy.rmsRelative.toExponential(1) + ')'} | ratio ${ratio === null ? '—' : ratio.toFixed(2) + '×'}` : '') +
          ` | max-abs err ${r.ours.accuracy.maxAbs.toExponential(1)} → ${verdict} [${adapter.architecture || adapter.vendor}]`,
      );
      for (const note of r.notes) log(`    note: ${note}`);
    }

    const rooflineEnd = await call<BenchReport['roofline']>(page, 'roofline', options.quick);
    log(`roofline (end): FMA ${rooflineEnd.fmaGflops.toFixed(2)} GFLOP/s, copy ${rooflineEnd.copyGBps.toFixed(2)} GB/s, empty dispatch ${rooflineEnd.emptyMs.toFixed(3)} ms`);
    roofline.fmaGflops = Math.max(rooflineStart.fmaGflops, rooflineEnd.fmaGflops);
    roofline.copyGBps = Math.max(rooflineStart.copyGBps, rooflineEnd.copyGBps);
    roofline.emptyMs = Math.min(rooflineStart.emptyMs, rooflineEnd.emptyMs);
    for (const c of cases) c.pctRoofline = (100 * c.ours.gflops) / roofline.fmaGflops;
    const find = (id: string) => cases.find((c) => c.id === id);
    const targets: BenchReport['targets'] = [];
    const target = (name: string, id: string, check: (c: BenchReport['cases'][number]) => [boolean, string]) => {
      const c = find(id);
      if (!c) return;
      const [met, measured] = check(c);
      targets.push({ name, measured, met: met && c.verdict === 'ok' });
    };
    target('Newton–Schulz step n = 512: ≥ 50% of the FMA roofline', 'ns-step-B1-n512', (c) => [c.pctRoofline >= 50, `${c.pctRoofline.toFixed(1)}%`]);
    target('Newton–Schulz step n = 512: ≥ 8× TensorFlow.js', 'ns-step-B1-n512', (c) => [(c.ratio ?? 0) >= 8, `${c.ratio?.toFixed(2)}×`]);
    target('LSA layer B 128, D 43, N 51, 2 heads: ≥ 10× TensorFlow.js', 'lsa-B128-D43-N51', (c) => [(c.ratio ?? 0) >= 10, `${c.ratio?.toFixed(2)}×`]);
    target('Newton–Schulz step, 2048 batched 8×8: ≥ 10× TensorFlow.js', 'ns-step-B2048-n8', (c) => [(c.ratio ?? 0) >= 10, `${c.ratio?.toFixed(2)}×`]);
    const long = cases.filter((c) => c.op === 'LSA layer (long)');
    if (long.length >= 2) {
      const first = long[0]!;
      const last = long[long.length - 1]!;
      const growth = last.ours.medianMs / first.ours.medianMs;
      const nGrowth = last.size / first.size;
      targets.push({ name: 'LSA time grows linearly in N (D 64, B 4)', measured: `N ×${nGrowth} → time ×${growth.toFixed(2)}`, met: growth <= 1.5 * nGrowth });
    }
    targets.push({ name: 'a transformer of L layers: one submit, zero intermediate readbacks', measured: 'by construction (one encoder, one submit; tested in test/transformer.gpu.test.ts)', met: true });

    const date = new Date().toISOString().slice(0, 10);
    const report: BenchReport = {
      date, quick: options.quick, adapter, software, roofline, rooflineRuns: [rooflineStart, rooflineEnd],
      timing: 'Times: wall clock from submit to onSubmittedWorkDone after one untimed warm-up (the same method for both libraries: ratios, GFLOP/s and % of roofline use it; our kernels also report GPU time from timestamp queries around their passes when the device has timestamp-query); fast cases: K repetitions per sample (~150 ms samples), median of 5 samples (3 in quick mode); slow cases: one repetition per sample, as many samples as fit in 12 s (at least 1); no readback inside the timed region (invert: its own status readbacks included).',
      cases, targets,
    };
    mkdirSync(options.outDir, { recursive: true });
    const slug = `${date}-${(adapter.architecture || adapter.vendor || 'adapter').replace(/[^a-z0-9]+/gi, '-')}${options.quick ? '-quick' : ''}`;
    const json = `${options.outDir}/${slug}.json`;
    const html = `${options.outDir}/${slug}.html`;
    const png = `${options.outDir}/${slug}.png`;
    writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(html, renderReport(report, `${root}node_modules/chart.js/dist/chart.umd.min.js`));

    log('');
    log(table(report));
    for (const t of targets) log(`${t.met ? 'met    ' : 'NOT MET'}  ${t.name}: ${t.measured}`);

    // Open the report as a user would and check the charts drew something.
    const view = await browser.newPage();
    await view.setViewport({ width: 1280, height: 1100 });
    await view.goto(`file://${html}`);
    await view.waitForFunction('window.reportReady === true', { timeout: 30_000 });
    const chartVariance = await view.evaluate(() =>
      Array.from(document.querySelectorAll('canvas')).map((canvas) => {
        const ctx = (canvas as HTMLCanvasElement).getContext('2d')!;
        const { data } = ctx.getImageData(0, 0, (canvas as HTMLCanvasElement).width, (canvas as HTMLCanvasElement).height);
        let sum = 0;
        let sq = 0;
        let count = 0;
        for (let i = 0; i < data.length; i += 4) {
          const v = data[i + 3]! ? (data[i]! + data[i + 1]! + data[i + 2]!) / 3 : 255;
          sum += v;
          sq += v * v;
          count++;
        }
        const mean = sum / count;
        return sq / count - mean * mean;
      }),
    );
    await view.screenshot({ path: png as `${string}.png`, fullPage: true });
    log(`wrote ${json}, ${html}, ${png} (chart pixel variance: ${chartVariance.map((v) => v.toFixed(0)).join(', ')})`);
    return { report, json, html, png, chartVariance };
  } finally {
    await browser.close();
    await server.close();
  }
}

function table(report: BenchReport): string {
  const head = ['op', 'shape', 'ours ms', 'GPU ms (ts)', 'GFLOP/s', '% roof', 'TF.js ms', 'ratio', 'max err', 'check'];
  const rows = report.cases.map((c) => [
    c.op, c.config, c.ours.medianMs.toFixed(3), c.ours.gpuMedianMs === null ? '—' : c.ours.gpuMedianMs.toFixed(3), c.ours.gflops.toFixed(2), c.pctRoofline.toFixed(1),
    c.tf ? c.tf.medianMs.toFixed(3) : '—', c.ratio === null ? '—' : `${c.ratio.toFixed(2)}×`, c.ours.accuracy.maxAbs.toExponential(1), c.verdict,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [`${report.adapter.vendor} / ${report.adapter.architecture}: FMA roofline ${report.roofline.fmaGflops.toFixed(2)} GFLOP/s, copy ${report.roofline.copyGBps.toFixed(2)} GB/s`, line(head), ...rows.map(line)].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const { report, chartVariance } = await runBench({ quick, outDir: `${root}bench/results` });
  const wrong = report.cases.filter((c) => c.verdict !== 'ok');
  if (wrong.length > 0 || chartVariance.some((v) => v < 10)) process.exitCode = 1;
}
