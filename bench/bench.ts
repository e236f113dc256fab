// `npm run bench [-- --quick]`: the benchmark in headless Chromium. Prints progress and a table,
// writes bench/results/<date>-<adapter>.json and .html, then opens the report, screenshots it
// and checks that its charts are not blank.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchBrowser, openPage } from '../test/harness/browser.js';
import { serveStatic } from '../test/harness/server.js';
import type { CaseResult } from './bench-page.js';
import { linearAttentionModel } from './peers/onnx-model.js';
import { renderReport, type BenchReport } from './report.js';

export interface BenchOptions {
  quick: boolean;
  /** Only the cases whose id contains this (e.g. 'la-'). */
  only?: string;
  outDir: string;
  log?: (line: string) => void;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchBrowser>>['newPage']>>;
const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate((f, a) => (window as unknown as { bench: Record<string, (...x: unknown[]) => unknown> }).bench[f]!(...a), fn, args) as Promise<T>;

export async function runBench(options: BenchOptions): Promise<{ report: BenchReport; json: string; html: string; png: string; chartVariance: number[] }> {
  const log = options.log ?? console.log;
  const server = await serveStatic(root);
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser, `${server.url}/bench/bench.html`, 'bench', 120_000);
    const adapter = await call<BenchReport['adapter']>(page, 'info');
    const software = /swiftshader|software|llvmpipe|lavapipe|warp/i.test(`${adapter.vendor} ${adapter.architecture} ${adapter.description}`);
    log(`adapter: ${adapter.vendor} / ${adapter.architecture} ${adapter.description} (TensorFlow.js ${adapter.tfjs}, same device)`);
    if (software) log('warning: software adapter — absolute times describe this CPU, not a GPU; compare ratios');
    log('roofline …');
    const rooflineStart = await call<BenchReport['roofline']>(page, 'roofline', options.quick);
    log(`roofline: FMA ${rooflineStart.fmaGflops.toFixed(2)} GFLOP/s, copy ${rooflineStart.copyGBps.toFixed(2)} GB/s, empty dispatch ${rooflineStart.emptyMs.toFixed(3)} ms (measured again at the end)`);
    // Percentages are taken against the better of the two measurements, so a roofline measured
    // while something else loaded the machine cannot flatter the kernels.
    const roofline = { ...rooflineStart };
    const models: Record<string, string> = {};
    for (const rule of ['linear', 'gated'] as const) {
      for (const [heads, dim] of [[8, 64], [4, 128], [4, 32]] as const) {
        models[`${rule}-H${heads}`] = Buffer.from(linearAttentionModel(rule, heads, 1 / Math.sqrt(dim))).toString('base64');
      }
    }
    await call(page, 'setOnnxModels', models);
    const all = await call<{ id: string; op: string; config: string }[]>(page, 'list', options.quick);
    const list = all.filter((c) => options.only === undefined || c.id.includes(options.only));
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
      for (const p of r.peers) {
        const off = p.accuracy.ok ? '' : ` (result off: rms-rel ${p.accuracy.rmsRelative.toExponential(1)})`;
        log(
          `    ${p.name} ${p.medianMs.toFixed(3)} ms [${p.minMs.toFixed(3)}–${p.maxMs.toFixed(3)}]${off} | ` +
            `ours ${(p.medianMs / r.ours.medianMs).toFixed(2)}× faster`,
        );
      }
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
    for (const [id, what] of [
      ['la-linear-B1-T2048-H8-K64-V64', 'B 1, T 2048, H 8, 64'],
      ['la-linear-B4-T512-H8-K64-V64', 'B 4, T 512, H 8, 64'],
      ['la-linear-B1-T4096-H4-K128-V128', 'B 1, T 4096, H 4, 128'],
      ['la-gated-B1-T2048-H8-K64-V64', 'gated, B 1, T 2048, H 8, 64'],
      ['la-gated-B4-T512-H8-K64-V64', 'gated, B 4, T 512, H 8, 64'],
      ['la-gated-B1-T4096-H4-K128-V128', 'gated, B 1, T 4096, H 4, 128'],
    ] as const) {
      target(`linear attention ${what}: ≥ 5× ONNX Runtime Web`, id, (c) => {
        const ratio = c.peers[0] ? c.peers[0].medianMs / c.ours.medianMs : 0;
        return [ratio >= 5 && c.peers[0]!.accuracy.ok, `${ratio.toFixed(2)}×`];
      });
    }
    target('linear attention, 100-token generation loop: at least as fast as ONNX Runtime Web', 'la-decode-100-H8-K64', (c) => {
      const ratio = c.peers[0] ? c.peers[0].medianMs / c.ours.medianMs : 0;
      return [ratio >= 1, `${ratio.toFixed(2)}×`];
    });
    const small = find('la-linear-B1-T512-H8-K64-V64');
    const large = find('la-linear-B1-T4096-H8-K64-V64');
    if (small && large) {
      const growth = large.ours.medianMs / small.ours.medianMs;
      targets.push({
        name: 'linear attention time from T = 512 to T = 4096 (B 1, H 8, 64): grows ≤ 8.5×',
        measured: `×${growth.toFixed(2)}`,
        met: growth <= 8.5 && small.verdict === 'ok' && large.verdict === 'ok',
      });
    }
    targets.push({ name: 'a transformer of L layers: one submit, zero intermediate readbacks', measured: 'by construction (one encoder, one submit; tested in test/transformer.gpu.test.ts)', met: true });

    const date = new Date().toISOString().slice(0, 10);
    const report: BenchReport = {
      date, quick: options.quick, adapter, software, roofline, rooflineRuns: [rooflineStart, rooflineEnd],
      timing: 'Times: wall clock from submit to onSubmittedWorkDone after one untimed warm-up (the same method for both libraries: ratios, GFLOP/s and % of roofline use it; our kernels also report GPU time from timestamp queries around their passes when the device has timestamp-query); fast cases: K repetitions per sample (~150 ms samples), median of 5 samples (3 in quick mode); slow cases: one repetition per sample, as many samples as fit in 12 s (at least 1); no readback inside the timed region (invert: its own status readbacks included).',
      cases, targets,
    };
    mkdirSync(options.outDir, { recursive: true });
    const slug = `${date}-${(adapter.architecture || adapter.vendor || 'adapter').replace(/[^a-z0-9]+/gi, '-')}${options.quick ? '-quick' : ''}${options.only ? `-only-${options.only.replace(/[^a-z0-9]+/gi, '')}` : ''}`;
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
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const { report, chartVariance } = await runBench({ quick, only, outDir: `${root}bench/results` });
  const wrong = report.cases.filter((c) => c.verdict !== 'ok');
  if (wrong.length > 0 || chartVariance.some((v) => v < 10)) process.exitCode = 1;
}
