import Chart from 'chart.js/auto';
import { createRuntime, type Layer, type Runtime } from '../src/index.js';
import { DEFAULTS, type Params, type Problem, runLayers, scenario } from './problems.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const FIELDS = ['d', 'n', 'kappa', 'noise', 'steps', 'mu', 'epsilon', 'nsSteps', 'seed'] as const;
const USED: Record<Problem, readonly (typeof FIELDS)[number][]> = {
  inverse: ['d', 'kappa', 'steps', 'seed'],
  ridge: ['d', 'n', 'kappa', 'noise', 'steps', 'mu', 'seed'],
  logistic: ['d', 'n', 'steps', 'mu', 'epsilon', 'nsSteps', 'seed'],
};

export interface DemoResult {
  problem: Problem;
  params: Params;
  /** Every plotted series: [label, x (layers), y (error)]. */
  series: { label: string; x: number[]; y: number[]; gpu: boolean }[];
  ms: number;
  adapter: string;
}

let runtime: Runtime | null = null;
let adapterText = '';
let chart: Chart | null = null;
let snapshots: { layers: Layer[]; states: (Float32Array | Float64Array)[]; width: number; tokens: number } | null =
  null;

async function init(): Promise<void> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    throw new Error(
      'This browser has no WebGPU (navigator.gpu is missing). Use a current Chrome or Edge (113+) or Safari 26; on Linux, start Chromium with --enable-unsafe-webgpu (add --enable-features=Vulkan for a hardware GPU). The page needs a secure context: https or localhost.',
    );
  }
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter)
    throw new Error(
      'WebGPU is present but no adapter is available (blocklisted GPU or driver). In Chrome, chrome://gpu tells why; --enable-unsafe-webgpu enables a software adapter.',
    );
  const device = await adapter.requestDevice();
  runtime = await createRuntime(device);
  const i = adapter.info;
  adapterText = `${i.vendor || 'unknown vendor'} / ${i.architecture || 'unknown architecture'}${i.description ? ` (${i.description})` : ''}`;
}

function readParams(problem: Problem): Params {
  const p = { ...DEFAULTS[problem] };
  for (const f of USED[problem]) {
    const v = Number($<HTMLInputElement>(f).value);
    if (Number.isFinite(v) && $<HTMLInputElement>(f).value !== '') p[f] = v;
  }
  return p;
}

function showParams(problem: Problem, p: Params): void {
  for (const f of FIELDS) {
    const input = $<HTMLInputElement>(f);
    input.disabled = !USED[problem].includes(f);
    input.value = USED[problem].includes(f) ? String(p[f]) : '';
  }
}

/** Runs one scenario on the GPU, layer by layer, and plots it. */
async function run(problem: Problem, params?: Partial<Params>): Promise<DemoResult> {
  if (!runtime) throw new Error('no WebGPU runtime');
  const rt = runtime;
  const p = { ...DEFAULTS[problem], ...(params ?? readParams(problem)) };
  showParams(problem, p);
  status.textContent = `running ${problem} on ${adapterText} …`;
  const s = scenario(problem, p);
  const t0 = performance.now();
  const series: DemoResult['series'] = [];
  for (const [index, r] of s.runs.entries()) {
    const out = await runLayers(r, async (h, layer) => {
      const t = rt.tensor(Float32Array.from(h), [1, r.width, r.tokens]);
      const y = rt.transformer(t, [layer]);
      const data = await y.read();
      t.destroy();
      y.destroy();
      return data;
    });
    // Ridge runs one Newton transformer per T (each read out once): they form one series.
    const joins = index > 0 && r.checkpoints.length === 1;
    if (joins) {
      series[0]!.x.push(...out.x);
      series[0]!.y.push(...out.y);
    } else {
      series.push({ label: r.label, x: out.x, y: out.y, gpu: true });
    }
    if (index === 0 || index === s.runs.length - 2)
      snapshots = { layers: r.layers, states: out.states, width: r.width, tokens: r.tokens };
  }
  if (problem === 'ridge') series[0]!.label = 'Newton transformer, 3 + T layers (GPU)';
  const ms = performance.now() - t0;
  for (const a of s.algorithms) series.push({ ...a, gpu: false });
  plot(series, s.yLabel);
  const c = s.counts;
  $('counts').textContent =
    `second-order transformer: ${c.layers} layers (${c.perStep}), width ${c.width}, ${c.tokens} tokens, ≤ ${c.heads} heads per layer${c.hiddenUnits ? `, ${c.hiddenUnits} ReLU hidden units` : ''}`;
  status.textContent = `${problem}: ran on ${adapterText} in ${ms.toFixed(0)} ms (every layer submitted and read back separately, to plot it)`;
  fillLayers();
  return { problem, params: p, series, ms, adapter: adapterText };
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

function plot(series: DemoResult['series'], yLabel: string): void {
  chart?.destroy();
  chart = new Chart($<HTMLCanvasElement>('chart'), {
    type: 'line',
    data: {
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.x.map((x, j) => ({ x, y: Math.max(s.y[j]!, 1e-17) })),
        borderColor: COLORS[i % COLORS.length],
        backgroundColor: COLORS[i % COLORS.length],
        borderDash: s.gpu ? [] : [6, 4],
        pointRadius: s.gpu ? 3 : 1,
        showLine: true,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'layers' } },
        y: { type: 'logarithmic', title: { display: true, text: yLabel } },
      },
    },
  });
}

function fillLayers(): void {
  const select = $<HTMLSelectElement>('layer');
  select.innerHTML = '';
  snapshots?.layers.forEach((l, i) => {
    const o = document.createElement('option');
    o.value = String(i);
    o.textContent = `${i + 1}: ${l.kind === 'lsa' ? `LSA, ${l.heads.length} head${l.heads.length > 1 ? 's' : ''}` : l.kind === 'mlp' ? `ReLU, ${l.hidden} hidden` : l.kind}`;
    select.append(o);
  });
  drawLayer(0);
}

function heatmap(title: string, data: ArrayLike<number>, rows: number, cols: number): HTMLElement {
  const figure = document.createElement('figure');
  const canvas = document.createElement('canvas');
  canvas.width = cols;
  canvas.height = rows;
  const scale = Math.max(1, Math.min(8, Math.floor(320 / Math.max(rows, cols))));
  canvas.style.width = `${cols * scale}px`;
  canvas.style.height = `${Math.min(rows * scale, 480)}px`;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(cols, rows);
  let max = 1e-30;
  for (let i = 0; i < rows * cols; i++) max = Math.max(max, Math.abs(data[i]!));
  for (let i = 0; i < rows * cols; i++) {
    const v = data[i]! / max;
    const w = Math.round(255 * (1 - Math.min(1, Math.abs(v))));
    image.data.set(v >= 0 ? [255, w, w, 255] : [w, w, 255, 255], 4 * i);
  }
  ctx.putImageData(image, 0, 0);
  const caption = document.createElement('figcaption');
  caption.textContent = `${title} (${rows}×${cols}, max |·| ${max.toPrecision(3)})`;
  figure.append(canvas, caption);
  return figure;
}

function drawLayer(i: number): void {
  const box = $('heatmaps');
  box.innerHTML = '';
  if (!snapshots) return;
  const layer = snapshots.layers[i]!;
  const w = snapshots.width;
  if (layer.kind === 'lsa') {
    layer.heads.forEach((h, k) => {
      box.append(
        heatmap(`head ${k + 1} W_V`, h.wv, w, w),
        heatmap(`head ${k + 1} W_K`, h.wk, w, w),
        heatmap(`head ${k + 1} W_Q`, h.wq, w, w),
      );
    });
  } else if (layer.kind === 'mlp') {
    box.append(heatmap('W₁', layer.w1, layer.hidden, w), heatmap('W₂', layer.w2, w, layer.hidden));
  }
  box.append(
    heatmap(`tokens before layer ${i + 1}`, snapshots.states[i]!, w, snapshots.tokens),
    heatmap(`tokens after layer ${i + 1}`, snapshots.states[i + 1]!, w, snapshots.tokens),
  );
}

$<HTMLSelectElement>('layer').addEventListener('change', (e) =>
  drawLayer(Number((e.target as HTMLSelectElement).value)),
);
$<HTMLSelectElement>('problem').addEventListener('change', () => {
  const problem = $<HTMLSelectElement>('problem').value as Problem;
  showParams(problem, DEFAULTS[problem]);
});
$<HTMLButtonElement>('run').addEventListener('click', () => {
  const problem = $<HTMLSelectElement>('problem').value as Problem;
  run(problem).catch((e: unknown) => {
    status.className = 'error';
    status.textContent = String(e);
  });
});

(window as unknown as { demo: unknown }).demo = {
  /** Runs a scenario as the Run button does; without params, the problem's defaults. */
  run: async (problem: Problem, params?: Partial<Params>) => {
    $<HTMLSelectElement>('problem').value = problem;
    return run(problem, { ...DEFAULTS[problem], ...params });
  },
};

try {
  await init();
  showParams('inverse', DEFAULTS.inverse);
  await run('inverse', DEFAULTS.inverse);
  (window as unknown as { demoReady: boolean }).demoReady = true;
} catch (e) {
  status.className = 'error';
  status.textContent = String(e instanceof Error ? e.message : e);
  (window as unknown as { demoReady: boolean; demoError: string }).demoError = String(e);
}
