import { readFileSync } from 'node:fs';
import type { CaseResult, PeerName } from './bench-page.js';

interface RooflineSummary {
  /** The fastest FMA kernel's GFLOP/s. */
  fmaGflops: number;
  /** Its entry point in shaders/roofline.wgsl (absent in runs before there were several). */
  fmaKernel?: string;
  /** Every FMA kernel's median GFLOP/s in that measurement. */
  fmaKernels?: Record<string, number>;
  copyGBps: number;
  emptyMs: number;
}

export interface BenchReport {
  date: string;
  /** ISO time the run finished (absent in runs before it was recorded). */
  time?: string;
  quick: boolean;
  adapter: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    features: string[];
    software: boolean;
    gemm: string;
    peers: Record<PeerName, { name: string; version: string; device: string }>;
  };
  software: boolean;
  /** createRuntime on fresh devices: each time, and their median. */
  startup: { ms: number[]; medianMs: number; gemm: string };
  /** The better of the two measurements below (FMA and copy: max; empty dispatch: min). */
  roofline: RooflineSummary;
  /** Measured at the start and at the end of the run. */
  rooflineRuns: RooflineSummary[];
  timing: string;
  cases: (CaseResult & { ratios: Record<PeerName, number | null>; pctRoofline: number; verdict: string })[];
  targets: { name: string; measured: string; met: boolean }[];
  /** Cases that threw (left out of `cases`), with the first line of their error. */
  failed?: string[];
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));
const seconds = (v: number) => `${(v / 1000).toFixed(2)} s`;
const SOFTWARE =
  'Software adapter: absolute times describe this CPU, not a GPU. ' +
  'Ratios (same adapter, same run) are what carries over.';
const HEAD = [
  'op',
  'shape',
  'ours ms (median)',
  'ours GPU ms (timestamps)',
  'GFLOP/s',
  '% FMA roofline',
  'TF.js ms',
  'TF.js / ours',
  'jax-js ms',
  'jax-js / ours',
  'ORT Web ms',
  'ORT Web / ours',
  'max abs err',
  'check',
];
const times = (v: number | null) => (v === null ? '—' : `${v >= 0.1 ? v.toFixed(2) : v.toPrecision(2)}×`);

/** A self-contained HTML report (Chart.js inlined from node_modules, data embedded): opens offline. */
export function renderReport(report: BenchReport, chartJsPath: string): string {
  const chartJs = readFileSync(chartJsPath, 'utf8');
  const a = report.adapter;
  const rows = report.cases
    .map((c) => {
      const cells = [
        escapeHtml(c.op),
        escapeHtml(c.config),
        ms(c.ours.medianMs),
        ms(c.ours.gpuMedianMs),
        c.ours.gflops.toFixed(2),
        `${c.pctRoofline.toFixed(1)}%`,
        ms(c.tf?.medianMs),
        times(c.ratios.tf),
        ms(c.jax?.medianMs),
        times(c.ratios.jax),
        ms(c.ort?.medianMs),
        times(c.ratios.ort),
        c.ours.accuracy.maxAbs.toExponential(1),
      ];
      const verdict = `<td class="${c.verdict === 'ok' ? 'ok' : 'bad'}">${escapeHtml(c.verdict)}</td>`;
      return `<tr>${cells.map((x) => `<td>${x}</td>`).join('')}${verdict}</tr>`;
    })
    .join('\n');
  const targets = report.targets
    .map(
      (t) => `<li class="${t.met ? 'ok' : 'bad'}">${t.met ? '✔' : '✘'} ${escapeHtml(`${t.name}: ${t.measured}`)}</li>`,
    )
    .join('\n');
  const peers = Object.values(a.peers)
    .map((p) => `${escapeHtml(p.name)} ${escapeHtml(p.version)} (${escapeHtml(p.device)})`)
    .join(' · ');
  const startup = report.startup.ms.map(seconds).join(', ');
  const r = report.roofline;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>lsa-newton benchmark — ${escapeHtml(a.architecture || a.vendor)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1280px}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:nth-child(-n+2){text-align:left}.ok{color:#176117}
.bad{color:#a11}.warn{background:#fff3cd;padding:8px;border:1px solid #e0c060}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:24px}.charts div{height:320px}</style></head>
<body>
<h1>lsa-newton benchmark</h1>
<p>Adapter: <b>${escapeHtml(a.vendor)} / ${escapeHtml(a.architecture)}</b> ${escapeHtml(a.description)}
· our GEMM schedule ${escapeHtml(a.gemm)} · peers: ${peers} · ${escapeHtml(report.date)}
${report.quick ? ' · quick mode' : ''}</p>
${report.software ? `<p class="warn">${SOFTWARE}</p>` : ''}
<p>Start-up, <code>createRuntime</code> on fresh devices: ${startup} (median ${seconds(report.startup.medianMs)}).
Roofline (same run, the better of a measurement at the start and one at the end):
FMA ${r.fmaGflops.toFixed(2)} GFLOP/s${r.fmaKernel ? ` (the fastest of the FMA kernels: ${escapeHtml(r.fmaKernel)})` : ''} · copy ${r.copyGBps.toFixed(2)} GB/s · empty dispatch ${r.emptyMs.toFixed(3)} ms.
${escapeHtml(report.timing)}</p>
<h2>Targets</h2><ul>${targets}</ul>
<div class="charts">
<div><canvas id="gflops"></canvas></div><div><canvas id="roofline"></canvas></div>
<div><canvas id="ratio"></canvas></div><div><canvas id="lsa"></canvas></div>
</div>
<h2>Results</h2>
<table><tr>${HEAD.map((h) => `<th>${h}</th>`).join('')}</tr>
${rows}</table>
<script>${chartJs}</script>
<script>(${drawCharts.toString()})(${JSON.stringify(report)}, Chart); window.reportReady = true;</script>
</body></html>
`;
}

type ChartConstructor = new (canvas: HTMLElement, config: object) => unknown;

/** Runs inside the report page (inlined as source): the four charts, from the embedded report. */
function drawCharts(report: BenchReport, Chart: ChartConstructor): void {
  const cases = report.cases;
  const label = (c: BenchReport['cases'][number]) => `${c.op.replace(/ \(.*\)/, '')} ${c.config}`;
  const canvas = (id: string) => document.getElementById(id)!;
  const common = { responsive: true, maintainAspectRatio: false, animation: false };
  const title = (text: string) => ({ title: { display: true, text } });
  const colors = { ours: '#1f77b4', tf: '#ff7f0e', jax: '#9467bd', ort: '#2ca02c' };
  const peers = [
    ['tf', 'TensorFlow.js'],
    ['jax', 'jax-js'],
    ['ort', 'ONNX Runtime Web'],
  ] as const;
  const roof = report.roofline.fmaGflops;
  const ns = cases.filter((c) => c.id.startsWith('ns-step-B1-'));
  new Chart(canvas('gflops'), {
    type: 'line',
    data: {
      labels: ns.map((c) => c.size),
      datasets: [
        { label: 'lsa-newton', data: ns.map((c) => c.ours.gflops), borderColor: colors.ours },
        ...peers.map(([p, name]) => ({
          label: name,
          data: ns.map((c) => c[p]?.gflops ?? null),
          borderColor: colors[p],
        })),
        { label: 'FMA roofline', data: ns.map(() => roof), borderColor: '#999', borderDash: [6, 4], pointRadius: 0 },
      ],
    },
    options: {
      ...common,
      plugins: title('Newton–Schulz step: GFLOP/s vs n'),
      scales: {
        x: { title: { display: true, text: 'n' } },
        y: { beginAtZero: true, title: { display: true, text: 'GFLOP/s' } },
      },
    },
  });
  new Chart(canvas('roofline'), {
    type: 'bar',
    data: {
      labels: cases.map(label),
      datasets: [
        { label: 'lsa-newton, % of FMA roofline', data: cases.map((c) => c.pctRoofline), backgroundColor: colors.ours },
        ...peers.map(([p, name]) => ({
          label: `${name}, % of FMA roofline`,
          data: cases.map((c) => (c[p] ? (100 * c[p]!.gflops) / roof : null)),
          backgroundColor: colors[p],
        })),
      ],
    },
    options: { ...common, indexAxis: 'y', plugins: title('Share of the measured FMA roofline') },
  });
  const compared = cases.filter((c) => c.ratios.tf || c.ratios.jax || c.ratios.ort);
  new Chart(canvas('ratio'), {
    type: 'bar',
    data: {
      labels: compared.map(label),
      datasets: peers.map(([p, name]) => ({
        label: `${name} time / lsa-newton time`,
        data: compared.map((c) => c.ratios[p]),
        backgroundColor: colors[p],
      })),
    },
    options: {
      ...common,
      indexAxis: 'y',
      plugins: title('Speed-up over each peer (same adapter, same run; > 1: lsa-newton faster)'),
      scales: { x: { type: 'logarithmic' } },
    },
  });
  const long = cases.filter((c) => c.op === 'LSA layer (long)');
  new Chart(canvas('lsa'), {
    type: 'line',
    data: {
      labels: long.map((c) => c.size),
      datasets: [
        { label: 'lsa-newton ms', data: long.map((c) => c.ours.medianMs), borderColor: colors.ours },
        ...peers.map(([p, name]) => ({
          label: `${name} ms`,
          data: long.map((c) => c[p]?.medianMs ?? null),
          borderColor: colors[p],
        })),
      ],
    },
    options: {
      ...common,
      plugins: title('LSA layer, D 64, B 4: time vs N (linear in N)'),
      scales: { x: { title: { display: true, text: 'N tokens' } } },
    },
  });
}
