// `npm run bench [-- --quick]`: the benchmark in headless Chromium. Prints progress and a table,
// writes bench/results/<date>-<adapter>.json and .html, then opens the report, screenshots it
// and checks that its charts are not blank.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { callPage, launchBrowser, openPage } from '../tools/browser.js';
import { serveStatic } from '../tools/server.js';
import { median } from '../tools/stats.js';
import type { CaseResult, Measured, PeerName } from './bench-page.js';
import { ratioText } from './format.js';
import { linearAttentionModels } from './peers/onnx-model.js';
import { type BenchReport, renderReport } from './report.js';
import { renderSummary, writeSummary } from './summary.js';

export interface BenchOptions {
  quick: boolean;
  /** Only the cases whose id contains this (e.g. 'la-'), or any of several separated by commas. */
  only?: string;
  /** Adam steps per training run (default 50). */
  trainSteps?: number;
  outDir: string;
  log?: (line: string) => void;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const PEERS: PeerName[] = ['tf', 'jax', 'ort'];
const LABEL: Record<PeerName, string> = { tf: 'TF.js', jax: 'jax-js', ort: 'ORT Web' };
/** The start-up target (issue 9): createRuntime on the software adapter, median of fresh devices. */
const STARTUP_TARGET_MS = 5_000;

type Page = Awaited<ReturnType<typeof openPage>>;
const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> => callPage<T>(page, 'bench', fn, ...args);

/** Peer time / our time, both measured the same way, when both results passed their checks. */
function ratio(c: CaseResult, peer: PeerName): number | null {
  const p = c[peer];
  return p?.accuracy.ok && c.ours.accuracy.ok ? p.medianMs / c.ours.medianMs : null;
}

const ms = (v: number) => v.toFixed(3);
const seconds = (v: number) => `${(v / 1000).toFixed(2)} s`;
const rooflineText = (r: BenchReport['roofline']) =>
  `FMA ${r.fmaGflops.toFixed(2)} GFLOP/s (${r.fmaKernel}; ` +
  Object.entries(r.fmaKernels ?? {})
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ') +
  `), copy ${r.copyGBps.toFixed(2)} GB/s, empty dispatch ${ms(r.emptyMs)} ms`;
const peerText = (name: string, m: Measured | null, r: number | null) =>
  m
    ? ` | ${name} ${ms(m.medianMs)} ms` +
      (m.accuracy.ok ? '' : ` (result off: rms-rel ${m.accuracy.rmsRelative.toExponential(1)})`) +
      `, ratio ${r === null ? '—' : ratioText(r)}`
    : '';

export async function runBench(options: BenchOptions): Promise<{
  report: BenchReport;
  json: string;
  html: string;
  png: string;
  chartVariance: number[];
}> {
  const log = options.log ?? console.log;
  const server = await serveStatic(root);
  const browser = await launchBrowser();
  try {
    const query = options.trainSteps === undefined ? '' : `?trainSteps=${options.trainSteps}`;
    const page = await openPage(browser, `${server.url}/bench/bench.html${query}`, 'bench', 300_000);
    const adapter = await call<BenchReport['adapter']>(page, 'info');
    const software = adapter.software;
    log(
      `adapter: ${adapter.vendor} / ${adapter.architecture} ${adapter.description}; our GEMM schedule: ${adapter.gemm}`,
    );
    for (const p of Object.values(adapter.peers)) log(`peer: ${p.name} ${p.version} on ${p.device}`);
    if (software) log('warning: software adapter — absolute times describe this CPU, not a GPU; compare ratios');

    const devices = options.quick ? 1 : 3;
    log(`start-up: createRuntime on ${devices} fresh device${devices > 1 ? 's' : ''} …`);
    const started = await call<{ ms: number[]; gemm: string }>(page, 'startup', devices);
    const startup: BenchReport['startup'] = { ...started, medianMs: median(started.ms) };
    log(
      `start-up: ${startup.ms.map(seconds).join(', ')} (median ${seconds(startup.medianMs)}, ${startup.gemm} schedule)`,
    );

    log('roofline …');
    const rooflineStart = await call<BenchReport['roofline']>(page, 'roofline', options.quick);
    log(`roofline: ${rooflineText(rooflineStart)} (measured again at the end)`);
    // Percentages are taken against the better of the two measurements, so a roofline measured
    // while something else loaded the machine cannot flatter the kernels.
    const roofline = { ...rooflineStart };
    await call(page, 'setOnnxModels', linearAttentionModels());
    const all = await call<{ id: string; op: string; config: string }[]>(page, 'list', options.quick);
    // --only=a,b: the cases whose id contains any of the comma-separated parts.
    const parts = options.only?.split(',').filter((p) => p.length > 0);
    const list = all.filter((c) => parts === undefined || parts.some((p) => c.id.includes(p)));
    const cases: BenchReport['cases'] = [];
    const failed: string[] = [];
    for (const [i, c] of list.entries()) {
      log(`[${i + 1}/${list.length}] ${c.op}, ${c.config} …`);
      let r: CaseResult;
      try {
        r = await call<CaseResult>(page, 'run', c.id, options.quick);
      } catch (e) {
        // One failing case must not lose the others' results: it is reported and left out.
        failed.push(`${c.id}: ${String(e instanceof Error ? e.message : e).split('\n')[0]}`);
        log(`    FAILED: ${failed[failed.length - 1]}`);
        continue;
      }
      const ok = r.ours.accuracy.ok;
      const verdict = ok
        ? 'ok'
        : `WRONG (rms-rel ${r.ours.accuracy.rmsRelative.toExponential(1)}, ${r.ours.accuracy.nonFinite} non-finite)`;
      const ratios = { tf: ratio(r, 'tf'), jax: ratio(r, 'jax'), ort: ratio(r, 'ort') };
      const pctRoofline = (100 * r.ours.gflops) / roofline.fmaGflops;
      cases.push({ ...r, ratios, pctRoofline, verdict });
      const gpu = r.ours.gpuMedianMs === null ? '' : ` (GPU timestamps ${ms(r.ours.gpuMedianMs)} ms)`;
      log(
        `    ours ${ms(r.ours.medianMs)} ms [${ms(r.ours.minMs)}–${ms(r.ours.maxMs)}]${gpu}` +
          ` ${r.ours.gflops.toFixed(2)} GFLOP/s` +
          PEERS.map((p) => peerText(LABEL[p], r[p], ratios[p])).join('') +
          ` | max-abs err ${r.ours.accuracy.maxAbs.toExponential(1)} → ${verdict}` +
          ` [${adapter.architecture || adapter.vendor}]`,
      );
      for (const note of r.notes) log(`    note: ${note}`);
    }

    const rooflineEnd = await call<BenchReport['roofline']>(page, 'roofline', options.quick);
    log(`roofline (end): ${rooflineText(rooflineEnd)}`);
    if (rooflineEnd.fmaGflops > roofline.fmaGflops) {
      roofline.fmaGflops = rooflineEnd.fmaGflops;
      roofline.fmaKernel = rooflineEnd.fmaKernel;
      roofline.fmaKernels = rooflineEnd.fmaKernels;
    }
    roofline.copyGBps = Math.max(rooflineStart.copyGBps, rooflineEnd.copyGBps);
    roofline.emptyMs = Math.min(rooflineStart.emptyMs, rooflineEnd.emptyMs);
    for (const c of cases) c.pctRoofline = (100 * c.ours.gflops) / roofline.fmaGflops;

    const targets = measureTargets(cases, startup, software);
    const now = new Date();
    const date = now.toISOString().slice(0, 10);
    const report: BenchReport = {
      date,
      time: now.toISOString(),
      quick: options.quick,
      adapter,
      software,
      startup,
      roofline,
      rooflineRuns: [rooflineStart, rooflineEnd],
      timing:
        'Times: one method for every library — wall clock of one run of the op plus one readback of its whole ' +
        'result, after one untimed warm-up (compilation); median of at least 3 measurements (up to 15 within 8 s; ' +
        'quick mode: up to 5 within 1.5 s, one when the warm-up took longer). Ratios, GFLOP/s and % of roofline ' +
        'use it. Our kernels also report ' +
        'GPU time from timestamp queries around their passes when the device has timestamp-query. invert: its ' +
        'own status readbacks are inside its time. The roofline itself is submit → onSubmittedWorkDone, no readback. ' +
        'Training cases: one measured run per side after a 2-step warm-up.',
      cases,
      targets,
      failed,
    };
    mkdirSync(options.outDir, { recursive: true });
    const adapterSlug = (adapter.architecture || adapter.vendor || 'adapter').replace(/[^a-z0-9]+/gi, '-');
    const only = options.only ? `-only-${options.only.replace(/[^a-z0-9]+/gi, '')}` : '';
    // Date and time: every run keeps its file, so the summary can show the range over runs.
    const slug = `${date}-${now.toISOString().slice(11, 19).replaceAll(':', '')}-${adapterSlug}${options.quick ? '-quick' : ''}${only}`;
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
        const ctx = canvas.getContext('2d')!;
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
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

/** Every target is a measurement of this run; a case whose result is wrong meets none. */
function measureTargets(cases: BenchReport['cases'], startup: BenchReport['startup'], software: boolean) {
  const targets: BenchReport['targets'] = [];
  const target = (name: string, id: string, check: (c: BenchReport['cases'][number]) => [boolean, string]) => {
    const c = cases.find((x) => x.id === id);
    if (!c) return;
    const [met, measured] = check(c);
    targets.push({ name, measured, met: met && c.verdict === 'ok' });
  };
  const times = (r: number | null) => (r === null ? 'no ratio (a result failed its check)' : ratioText(r));
  if (software) {
    targets.push({
      name: `createRuntime ≤ ${STARTUP_TARGET_MS / 1000} s on the software adapter (median of fresh devices)`,
      measured: `${seconds(startup.medianMs)} over ${startup.ms.length} device${startup.ms.length > 1 ? 's' : ''}`,
      met: startup.medianMs <= STARTUP_TARGET_MS,
    });
  }
  // Issue 12's bars against jax-js (the strongest peer), and the earlier ones against TF.js.
  const jaxTarget = (name: string, id: string, want: number) =>
    target(`${name}: ≥ ${want}× jax-js`, id, (c) => [(c.ratios.jax ?? 0) >= want, times(c.ratios.jax)]);
  target('Newton–Schulz step n = 512: ≥ 45% of the FMA roofline', 'ns-step-B1-n512', (c) => [
    c.pctRoofline >= 45,
    `${c.pctRoofline.toFixed(1)}%`,
  ]);
  jaxTarget('Newton–Schulz step n = 512', 'ns-step-B1-n512', 1.5);
  jaxTarget('invert, 2048 batched 8×8 (κ ≤ 100) to 1e-4', 'invert-B2048-n8-k100-tol0.0001', 3);
  jaxTarget('20 chained Newton–Schulz steps, 2048 batched 8×8', 'ns-chain-B2048-n8-T20', 2);
  jaxTarget('LSA layer B 128, D 43, N 51, 2 heads', 'lsa-B128-D43-N51', 4);
  target('LSA layer B 128, D 43, N 51, 2 heads: ≥ 10× TensorFlow.js', 'lsa-B128-D43-N51', (c) => [
    (c.ratios.tf ?? 0) >= 10,
    times(c.ratios.tf),
  ]);
  target('Newton–Schulz step, 2048 batched 8×8: ≥ 10× TensorFlow.js', 'ns-step-B2048-n8', (c) => [
    (c.ratios.tf ?? 0) >= 10,
    times(c.ratios.tf),
  ]);
  const long = cases.filter((c) => c.op === 'LSA layer (long)');
  if (long.length >= 2) {
    const first = long[0]!;
    const last = long[long.length - 1]!;
    const growth = last.ours.medianMs / first.ours.medianMs;
    const nGrowth = last.size / first.size;
    targets.push({
      name: 'LSA time grows linearly in N (D 64, B 4)',
      measured: `N ×${nGrowth} → time ×${growth.toFixed(2)}`,
      met: growth <= 1.5 * nGrowth,
    });
  }
  for (const [id, what] of [
    ['la-linear-B1-T2048-H8-K64-V64', 'B 1, T 2048, H 8, 64'],
    ['la-linear-B4-T512-H8-K64-V64', 'B 4, T 512, H 8, 64'],
    ['la-linear-B1-T4096-H4-K128-V128', 'B 1, T 4096, H 4, 128'],
    ['la-gated-B1-T2048-H8-K64-V64', 'gated, B 1, T 2048, H 8, 64'],
    ['la-gated-B4-T512-H8-K64-V64', 'gated, B 4, T 512, H 8, 64'],
    ['la-gated-B1-T4096-H4-K128-V128', 'gated, B 1, T 4096, H 4, 128'],
  ] as const) {
    target(`linear attention ${what}: ≥ 5× ONNX Runtime Web`, id, (c) => [
      (c.ratios.ort ?? 0) >= 5,
      times(c.ratios.ort),
    ]);
  }
  target(
    'linear attention, 100-token generation loop: at least as fast as ONNX Runtime Web',
    'la-decode-100-H8-K64',
    (c) => [(c.ratios.ort ?? 0) >= 1, times(c.ratios.ort)],
  );
  const small = cases.find((c) => c.id === 'la-linear-B1-T512-H8-K64-V64');
  const large = cases.find((c) => c.id === 'la-linear-B1-T4096-H8-K64-V64');
  if (small && large) {
    const growth = large.ours.medianMs / small.ours.medianMs;
    targets.push({
      name: 'linear attention time from T = 512 to T = 4096 (B 1, H 8, 64): grows ≤ 8.5×',
      measured: `×${growth.toFixed(2)}`,
      met: growth <= 8.5 && small.verdict === 'ok' && large.verdict === 'ok',
    });
  }
  // Training (issue 10): both sides run the same number of steps, so the ratio is per step.
  for (const c of cases.filter((x) => x.id.startsWith('train-') && x.id.includes('-B512-'))) {
    for (const [peer, want] of [
      ['jax', 3],
      ['tf', 10],
    ] as const) {
      if (c[peer] === null) continue; // not run (TF.js beyond one layer: bench/training.ts)
      targets.push({
        name: `training, ${c.config}: ≥ ${want}× ${LABEL[peer]} per step`,
        measured: times(c.ratios[peer]),
        met: (c.ratios[peer] ?? 0) >= want && c.verdict === 'ok',
      });
    }
  }
  for (const c of cases.filter((x) => x.counts)) {
    const { layers, submits, maps } = c.counts!;
    targets.push({
      name: `a transformer of L layers: one submit, zero intermediate readbacks (${c.config})`,
      measured:
        `${layers} layers: ${submits} submit${submits === 1 ? '' : 's'}, ${maps} buffer maps ` +
        '(counted in runtime.transformer)',
      met: submits === 1 && maps === 0,
    });
  }
  return targets;
}

function table(report: BenchReport): string {
  const head = [
    'op',
    'shape',
    'ours ms',
    'GPU ms (ts)',
    'GFLOP/s',
    '% roof',
    'TF.js ms',
    '×TF',
    'jax-js ms',
    '×jax',
    'ORT ms',
    '×ORT',
    'max err',
    'check',
  ];
  const peerCells = (c: BenchReport['cases'][number], p: PeerName) => [
    c[p] ? ms(c[p]!.medianMs) : '—',
    c.ratios[p] === null ? '—' : ratioText(c.ratios[p]!),
  ];
  const rows = report.cases.map((c) => [
    c.op,
    c.config,
    ms(c.ours.medianMs),
    c.ours.gpuMedianMs === null ? '—' : ms(c.ours.gpuMedianMs),
    c.ours.gflops.toFixed(2),
    c.pctRoofline.toFixed(1),
    ...peerCells(c, 'tf'),
    ...peerCells(c, 'jax'),
    ...peerCells(c, 'ort'),
    c.ours.accuracy.maxAbs.toExponential(1),
    c.verdict,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const r = report.roofline;
  return [
    `${report.adapter.vendor} / ${report.adapter.architecture}: ` +
      `FMA roofline ${r.fmaGflops.toFixed(2)} GFLOP/s, copy ${r.copyGBps.toFixed(2)} GB/s`,
    line(head),
    ...rows.map(line),
  ].join('\n');
}

/** Re-renders the performance summary in the README and docs/kernels.md from bench/results. */
export function updateSummaries(resultsDir: string): void {
  const summary = renderSummary(resultsDir);
  for (const file of ['README.md', 'docs/kernels.md']) writeSummary(`${root}${file}`, summary);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--summary')) {
  updateSummaries(`${root}bench/results`);
  console.log('README.md and docs/kernels.md: performance summary re-rendered from bench/results');
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const steps = process.argv.find((a) => a.startsWith('--train-steps='))?.slice('--train-steps='.length);
  const trainSteps = steps === undefined ? undefined : Number(steps);
  if (trainSteps !== undefined && !(Number.isInteger(trainSteps) && trainSteps > 0))
    throw new Error(`--train-steps: expected a positive integer, got ${steps}`);
  const { report, chartVariance } = await runBench({ quick, only, trainSteps, outDir: `${root}bench/results` });
  if (!quick) {
    updateSummaries(`${root}bench/results`);
    console.log('README.md and docs/kernels.md: performance summary updated');
  }
  const wrong = report.cases.filter((c) => c.verdict !== 'ok');
  if (wrong.length > 0 || (report.failed?.length ?? 0) > 0 || chartVariance.some((v) => v < 10)) process.exitCode = 1;
}
