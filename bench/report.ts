import { readFileSync } from 'node:fs';
import type { CaseResult } from './bench-page.js';

export interface BenchReport {
  date: string;
  quick: boolean;
  adapter: { vendor: string; architecture: string; device: string; description: string; features: string[]; tfjs: string; software: boolean };
  software: boolean;
  /** The better of the two measurements below (FMA and copy: max; empty dispatch: min). */
  roofline: { fmaGflops: number; copyGBps: number; emptyMs: number };
  /** Measured at the start and at the end of the run. */
  rooflineRuns: { fmaGflops: number; copyGBps: number; emptyMs: number }[];
  timing: string;
  cases: (CaseResult & { ratio: number | null; pctRoofline: number; verdict: string })[];
  targets: { name: string; measured: string; met: boolean }[];
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A self-contained HTML report (Chart.js inlined from node_modules, data embedded): opens offline. */
export function renderReport(report: BenchReport, chartJsPath: string): string {
  const chartJs = readFileSync(chartJsPath, 'utf8');
  const a = report.adapter;
  const rows = report.cases
    .map(
      (c) => `<tr><td>${escape(c.op)}</td><td>${escape(c.config)}</td><td>${c.ours.medianMs.toFixed(3)}</td><td>${c.ours.gpuMedianMs === null ? '—' : c.ours.gpuMedianMs.toFixed(3)}</td><td>${c.ours.gflops.toFixed(2)}</td><td>${c.pctRoofline.toFixed(1)}%</td>` +
        `<td>${c.tf ? c.tf.medianMs.toFixed(3) : '—'}</td><td>${c.ratio === null ? '—' : c.ratio.toFixed(2) + '×'}</td><td>${c.ours.accuracy.maxAbs.toExponential(1)}</td><td class="${c.verdict === 'ok' ? 'ok' : 'bad'}">${escape(c.verdict)}</td></tr>`,
    )
    .join('\n');
  const targets = report.targets.map((t) => `<li class="${t.met ? 'ok' : 'bad'}">${t.met ? '✔' : '✘'} ${escape(t.name)}: ${escape(t.measured)}</li>`).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>lsa-newton benchmark — ${escape(a.architecture || a.vendor)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1200px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:nth-child(-n+2){text-align:left}.ok{color:#176117}.bad{color:#a11}.warn{background:#fff3cd;padding:8px;border:1px solid #e0c060}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:24px}.charts div{height:320px}</style></head>
<body>
<h1>lsa-newton benchmark</h1>
<p>Adapter: <b>${escape(a.vendor)} / ${escape(a.architecture)}</b> ${escape(a.description)} · TensorFlow.js ${escape(a.tfjs)} (WebGPU backend, same GPUDevice) · ${escape(report.date)}${report.quick ? ' · quick mode' : ''}</p>
${report.software ? '<p class="warn">Software adapter: absolute times describe this CPU, not a GPU. Ratios (same adapter, same run) are what carries over.</p>' : ''}
<p>Roofline (same run, the better of a measurement at the start and one at the end): FMA ${report.roofline.fmaGflops.toFixed(2)} GFLOP/s · copy ${report.roofline.copyGBps.toFixed(2)} GB/s · empty dispatch ${report.roofline.emptyMs.toFixed(3)} ms. ${escape(report.timing)}</p>
<h2>Targets</h2><ul>${targets}</ul>
<div class="charts">
<div><canvas id="gflops"></canvas></div><div><canvas id="roofline"></canvas></div>
<div><canvas id="ratio"></canvas></div><div><canvas id="lsa"></canvas></div>
</div>
<h2>Results</h2>
<table><tr><th>op</th><th>shape</th><th>ours ms (median)</th><th>ours GPU ms (timestamps)</th><th>GFLOP/s</th><th>% FMA roofline</th><th>TF.js ms</th><th>TF.js / ours</th><th>max abs err</th><th>check</th></tr>
${rows}</table>
<script>${chartJs}</script>
<script>
const report = ${JSON.stringify(report)};
const cases = report.cases;
const label = (c) => c.op.replace(/ \\(.*\\)/, '') + ' ' + c.config;
const ns = cases.filter((c) => c.id.startsWith('ns-step-B1-'));
const common = { responsive: true, maintainAspectRatio: false, animation: false };
new Chart(document.getElementById('gflops'), { type: 'line', data: { labels: ns.map((c) => c.size), datasets: [
  { label: 'lsa-newton', data: ns.map((c) => c.ours.gflops), borderColor: '#1f77b4' },
  { label: 'TensorFlow.js', data: ns.map((c) => c.tf ? c.tf.gflops : null), borderColor: '#ff7f0e' },
  { label: 'FMA roofline', data: ns.map(() => report.roofline.fmaGflops), borderColor: '#999', borderDash: [6, 4], pointRadius: 0 } ] },
  options: { ...common, plugins: { title: { display: true, text: 'Newton–Schulz step: GFLOP/s vs n' } }, scales: { x: { title: { display: true, text: 'n' } }, y: { beginAtZero: true, title: { display: true, text: 'GFLOP/s' } } } } });
new Chart(document.getElementById('roofline'), { type: 'bar', data: { labels: cases.map(label), datasets: [
  { label: 'lsa-newton, % of FMA roofline', data: cases.map((c) => c.pctRoofline), backgroundColor: '#1f77b4' },
  { label: 'TensorFlow.js, % of FMA roofline', data: cases.map((c) => c.tf ? 100 * c.tf.gflops / report.roofline.fmaGflops : null), backgroundColor: '#ff7f0e' } ] },
  options: { ...common, indexAxis: 'y', plugins: { title: { display: true, text: 'Share of the measured FMA roofline' } } } });
new Chart(document.getElementById('ratio'), { type: 'bar', data: { labels: cases.filter((c) => c.ratio).map(label), datasets: [
  { label: 'TF.js time / lsa-newton time', data: cases.filter((c) => c.ratio).map((c) => c.ratio), backgroundColor: '#2ca02c' } ] },
  options: { ...common, indexAxis: 'y', plugins: { title: { display: true, text: 'Speed-up over TensorFlow.js (same device, same run)' } }, scales: { x: { type: 'logarithmic' } } } });
const long = cases.filter((c) => c.op === 'LSA layer (long)');
new Chart(document.getElementById('lsa'), { type: 'line', data: { labels: long.map((c) => c.size), datasets: [
  { label: 'lsa-newton ms', data: long.map((c) => c.ours.medianMs), borderColor: '#1f77b4' },
  { label: 'TensorFlow.js ms', data: long.map((c) => c.tf ? c.tf.medianMs : null), borderColor: '#ff7f0e' } ] },
  options: { ...common, plugins: { title: { display: true, text: 'LSA layer, D 64, B 4: time vs N (linear in N)' } }, scales: { x: { title: { display: true, text: 'N tokens' } } } } });
window.reportReady = true;
</script>
</body></html>
`;
}
