// Figures (self-contained Chart.js pages, screenshotted by bench/experiments.ts) and
// docs/experiments.md, both drawn from the saved results only.
import type { PowersRow } from './powers.js';
import { type ErrorSummary, effectiveOrder } from './stats.js';

export interface Saved {
  name: string;
  generated: string;
  scale: Record<string, unknown>;
  seconds: number;
  [field: string]: unknown;
}

interface Fig2Model {
  layers: number;
  testError: ErrorSummary;
  effectiveOrder: { order: number; outside: 'below' | 'above' | null };
  steps: number;
  msPerStep: number;
  curve: { step: number; loss: number }[];
}
interface Fig2Run {
  kappa: number;
  noise: number;
  newton: Record<string, ErrorSummary[]>;
  newtonNormBoundAlpha: Record<string, ErrorSummary[]>;
  gd: ErrorSummary[];
  lsa: Fig2Model[];
  /** The LSA-with-LayerNorm model (absent in results saved before it existed). */
  lsaLn?: Fig2Model[];
}
interface Fig2 extends Saved {
  d: number;
  n: number;
  prompts: number;
  maxLayers: number;
  heads: number;
  batch: number;
  stepsPerLayer: number;
  learningRate: number;
  dZeros?: number;
  curriculum?: string | null;
  orders: number[];
  runs: Fig2Run[];
}
interface Sweep {
  x: number[];
  truth: number[];
  newton: Record<string, number[][]>;
  /** Per x: the trained LSA's mean prediction per depth (null where no model was saved). */
  lsa: (number | null)[][];
}
interface Fig3 extends Saved {
  d: number;
  n: number;
  batch: number;
  maxLayers: number;
  inDistribution: Sweep;
  wide: Sweep;
}
/** One trained model of fig7, as the page records it. */
export interface Fig7Model {
  layers: number;
  loss: ErrorSummary;
  excess: ErrorSummary;
  wError: ErrorSummary;
  steps: number;
  msPerStep: number;
  curve: { step: number; loss: number }[];
}
interface Fig7 extends Saved {
  d: number;
  n: number;
  mu: number;
  prompts: number;
  nsSteps: number;
  maxLayers?: number;
  heads?: number;
  hidden?: number;
  batch?: number;
  stepsPerLayer?: number;
  learningRate?: number;
  targetSteps?: number;
  optimum?: ErrorSummary;
  newton: { step: number; layersHere: number; layersPaper: number; loss: ErrorSummary; excess?: ErrorSummary }[];
  lsa: Fig7Model[];
}
interface CostRow {
  scale: string;
  /** Steps averaged (after one warm-up step). */
  timed?: number;
  kind: string;
  layers: number;
  batch: number;
  width: number;
  tokens: number;
  msPerStep: number;
}
interface Cost extends Saved {
  rows: CostRow[];
}

/** fig2.json's summary fields, for κ = 5 and noise 0: mean test errors per depth (Newton orders 2–10). */
export function headline(name: string, result: Record<string, unknown>): Record<string, unknown> {
  if (name !== 'fig2') return {};
  const run = (result.runs as Fig2Run[]).find((r) => r.kappa === 5 && r.noise === 0);
  if (!run) return {};
  return {
    kappa: 5,
    lsa: run.lsa.map((r) => ({ layers: r.layers, testError: r.testError.mean })),
    lsaLn: (run.lsaLn ?? []).map((r) => ({
      layers: r.layers,
      testError: r.testError.mean,
      effectiveOrder: r.effectiveOrder.order,
      outside: r.effectiveOrder.outside,
    })),
    newton: Object.fromEntries(Object.entries(run.newton).map(([p, e]) => [p, e.map((x) => x.mean)])),
    gd: run.gd.map((x) => x.mean),
  };
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const fmt = (v: number) => (v === 0 ? '0' : v.toExponential(2));
const clock = (s: number) => (s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s.toFixed(0)} s`);
const escapeHtml = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

/** A page of charts; logarithmic axes label only powers of ten, as 10^k. */
function page(title: string, charts: { title: string; config: unknown }[], chartJs: string): string {
  const canvases = charts.map((_, i) => `<div><canvas id="c${i}"></canvas></div>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>body{font:14px system-ui,sans-serif;margin:16px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}.grid div{height:360px}</style></head><body>
<h2>${escapeHtml(title)}</h2><div class="grid">${canvases}</div><script>${chartJs}</script><script>
const charts = ${JSON.stringify(charts)};
const superscript = (k) => String(k).split('').map((c) => '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'['-0123456789'.indexOf(c)]).join('');
const pow10 = (v) => { const k = Math.round(Math.log10(v)); return Math.abs(Math.log10(v) - k) < 1e-9 ? '10' + superscript(k) : ''; };
charts.forEach((c, i) => {
  const cfg = c.config;
  cfg.options = { responsive: true, maintainAspectRatio: false, animation: false, ...cfg.options };
  cfg.options.plugins = { ...(cfg.options.plugins || {}), title: { display: true, text: c.title } };
  for (const axis of Object.values(cfg.options.scales || {})) if (axis.type === 'logarithmic') axis.ticks = { callback: pow10 };
  new Chart(document.getElementById('c' + i), cfg);
});
window.figureReady = true;
</script></body></html>`;
}

const axis = (title: string, type = 'linear') => ({ type, title: { display: true, text: title } });

function fig2Figure(s: Fig2, chartJs: string): string {
  const layers = Array.from({ length: s.maxLayers }, (_, l) => l + 1);
  const line = (label: string, values: ErrorSummary[], color: string, dash: number[] = []) => ({
    label,
    data: values.map((e, l) => ({ x: l + 1, y: e.mean })),
    borderColor: color,
    backgroundColor: color,
    borderDash: dash,
  });
  const errorChart = (title: string, datasets: unknown[]) => ({
    title,
    config: {
      type: 'line',
      data: { labels: layers, datasets },
      options: { scales: { x: axis('layers L (Newton: steps)', 'linear'), y: axis('MSE / d', 'logarithmic') } },
    },
  });
  const newtonLines = (run: Fig2Run, from: number, to: number) =>
    Object.entries(run.newton)
      .filter(([p]) => Number(p) >= from && Number(p) <= to)
      .map(([p, e], i) => line(`Newton order ${p}`, e, COLORS[i % COLORS.length]!));
  const charts: { title: string; config: unknown }[] = [];
  for (const run of s.runs) {
    const ln = run.lsaLn ?? [];
    charts.push(
      errorChart(`κ = ${run.kappa}, noise ${run.noise}: test error (MSE / d, mean over ${s.prompts} prompts)`, [
        ...newtonLines(run, 2, 5),
        ...Object.entries(run.newtonNormBoundAlpha).map(([p, e], i) =>
          line(`Newton order ${p}, α = 1/‖S‖₁²`, e, COLORS[i]!, [6, 4]),
        ),
        line('GD, exact line search', run.gd, COLORS[5]!),
        ...(run.lsa.length
          ? [
              line(
                'trained LSA',
                run.lsa.map((r) => r.testError),
                '#000',
              ),
            ]
          : []),
      ]),
    );
    if (ln.length > 0) {
      charts.push(
        errorChart(`κ = ${run.kappa}, noise ${run.noise}: LSA with LayerNorm beside Newton orders 4–10`, [
          ...newtonLines(run, 4, 10),
          line(
            'trained LSA + LayerNorm',
            ln.map((r) => r.testError),
            '#000',
          ),
          ...(run.lsa.length
            ? [
                line(
                  'trained LSA (no LayerNorm)',
                  run.lsa.map((r) => r.testError),
                  '#999',
                  [6, 4],
                ),
              ]
            : []),
        ]),
      );
    }
  }
  for (const run of s.runs.filter((r) => r.lsa.length > 0 || (r.lsaLn ?? []).length > 0)) {
    const curves = (models: Fig2Model[], name: string, dash: number[]) =>
      models.map((r, i) => ({
        label: `${name}, L = ${r.layers}`,
        data: r.curve.map((c) => ({ x: c.step, y: c.loss })),
        borderColor: COLORS[i % COLORS.length]!,
        backgroundColor: COLORS[i % COLORS.length]!,
        borderDash: dash,
        pointRadius: 0,
      }));
    charts.push({
      title: `κ = ${run.kappa}, noise ${run.noise}: training loss (MSE of the query's y, batch ${s.batch})`,
      config: {
        type: 'line',
        data: {
          labels: [],
          datasets: [...curves(run.lsa, 'LSA', []), ...curves(run.lsaLn ?? [], 'LSA + LN', [6, 4])],
        },
        options: { scales: { x: axis('Adam step', 'linear'), y: axis('training MSE', 'logarithmic') } },
      },
    });
  }
  return page(`fig2: in-context linear regression, d = ${s.d}, n = ${s.n}`, charts, chartJs);
}

function fig3Figure(s: Fig3, chartJs: string): string {
  const sweep = (name: string, w: Sweep) => ({
    title: `${name}: mean prediction over the batch vs x_test[0]`,
    config: {
      type: 'line',
      data: {
        datasets: [
          {
            label: 'true function',
            data: w.x.map((x, i) => ({ x, y: w.truth[i] })),
            borderColor: '#000',
            pointRadius: 0,
          },
          ...Object.entries(w.newton).flatMap(([p, rows], i) =>
            Array.from({ length: s.maxLayers }, (_, l) => ({
              label: `Newton order ${p}, ${l + 1} step${l ? 's' : ''}`,
              data: w.x.map((x, j) => ({ x, y: rows[j]![l] })),
              borderColor: COLORS[i]!,
              borderDash: l + 1 === s.maxLayers ? [] : [2 + 2 * l, 3],
              pointRadius: 0,
            })),
          ),
          ...Array.from({ length: s.maxLayers }, (_, l) => l)
            .filter((l) => w.lsa.length > 0 && w.lsa[0]![l] !== null)
            .map((l) => ({
              label: `trained LSA, L = ${l + 1}`,
              data: w.x.map((x, j) => ({ x, y: w.lsa[j]![l] })),
              borderColor: COLORS[4 + (l % 4)]!,
              pointRadius: 2,
            })),
        ],
      },
      options: { scales: { x: axis('x_test[0]'), y: axis('prediction') } },
    },
  });
  return page(
    `fig3/fig4: one batch of ${s.batch} prompts sharing w*, d = ${s.d}, n = ${s.n}`,
    [sweep('in distribution (0.5–99.5 % quantiles)', s.inDistribution), sweep('[−100, 100]', s.wide)],
    chartJs,
  );
}

function fig7Figure(s: Fig7, chartJs: string): string {
  const line = (label: string, key: 'layersHere' | 'layersPaper', color: string) => ({
    label,
    data: s.newton.map((r) => ({ x: r[key], y: r.loss.mean })),
    borderColor: color,
  });
  const lsa = s.lsa ?? [];
  const charts: { title: string; config: unknown }[] = [
    {
      title: `damped Newton, regularised loss (mean over ${s.prompts} prompts) at the layers each step costs`,
      config: {
        type: 'line',
        data: {
          datasets: [
            line(`8 + k layers per step (here, k = ${s.nsSteps})`, 'layersHere', COLORS[0]!),
            line(`11 + 2k layers per step (the paper, k = ${s.nsSteps})`, 'layersPaper', COLORS[1]!),
            ...(lsa.length
              ? [
                  {
                    label: 'trained LSA + ReLU, L blocks',
                    data: lsa.map((r) => ({ x: r.layers, y: r.loss.mean })),
                    borderColor: '#000',
                    backgroundColor: '#000',
                  },
                ]
              : []),
          ],
        },
        options: { scales: { x: axis('layers', 'linear'), y: axis('f(w)', 'linear') } },
      },
    },
  ];
  if (lsa.length && s.newton[0]?.excess) {
    charts.push({
      title: 'excess loss f(w) − f(w_N): damped Newton after k steps, trained LSA + ReLU with L blocks',
      config: {
        type: 'line',
        data: {
          datasets: [
            {
              label: 'damped Newton, k steps',
              data: s.newton.filter((r) => r.excess!.mean > 0).map((r) => ({ x: r.step, y: r.excess!.mean })),
              borderColor: COLORS[0]!,
              backgroundColor: COLORS[0]!,
            },
            {
              label: 'trained LSA + ReLU, L blocks',
              data: lsa.map((r) => ({ x: r.layers, y: Math.max(r.excess.mean, 1e-300) })),
              borderColor: '#000',
              backgroundColor: '#000',
            },
          ],
        },
        options: { scales: { x: axis('k (Newton steps) or L (blocks)', 'linear'), y: axis('f − f*', 'logarithmic') } },
      },
    });
    charts.push({
      title: `LSA + ReLU training loss (MSE of ŵ against damped Newton's w, batch ${s.batch})`,
      config: {
        type: 'line',
        data: {
          datasets: lsa.map((r, i) => ({
            label: `L = ${r.layers}`,
            data: r.curve.map((c) => ({ x: c.step, y: c.loss })),
            borderColor: COLORS[i % COLORS.length]!,
            backgroundColor: COLORS[i % COLORS.length]!,
            pointRadius: 0,
          })),
        },
        options: { scales: { x: axis('Adam step', 'linear'), y: axis('training MSE', 'logarithmic') } },
      },
    });
  }
  return page(`fig7: logistic regression, d = ${s.d}, n = ${s.n}, μ = ${s.mu}`, charts, chartJs);
}

export function renderFigure(s: Saved, chartJs: string): string | null {
  if (s.name === 'fig2') return fig2Figure(s as Fig2, chartJs);
  if (s.name === 'fig3') return fig3Figure(s as Fig3, chartJs);
  if (s.name === 'fig7') return fig7Figure(s as Fig7, chartJs);
  return null;
}

const summary = (e: ErrorSummary) => `${fmt(e.mean)} (median ${fmt(e.median)}; ${fmt(e.p5)}–${fmt(e.p95)})`;
const scaleText = (s: Saved) =>
  `${s.scale.full ? '`--full`' : 'default scale'}${Object.entries(s.scale)
    .filter(([k]) => k !== 'full')
    .map(([k, v]) => `, --${k}=${v}`)
    .join('')}; ran in ${clock(s.seconds)}`;

function fig2Markdown(s: Fig2): string[] {
  const highest = String(s.orders.at(-1));
  const lines = [
    '## fig2: in-context linear regression',
    '',
    `d = ${s.d}, n = ${s.n} examples + query, ${s.prompts} held-out prompts per setting (${scaleText(s)}).`,
    'Test error: (ŷ − y_q)² / d; each cell is the mean (median; 5–95 % bootstrap band of the mean).',
    "Newton of order p, the paper's baseline: S = XᵀX, α = 1/(λ_max(SSᵀ) + λ_min(SSᵀ)) per prompt, Z₀ = αSᵀ,",
    'L order-p steps, prediction x_qᵀ Z_L Xᵀy (`reference.newtonRegression`); the same from α = 1/‖S‖₁² (a',
    'smaller, norm-bound step) shows how much the baseline depends on α. GD: gradient descent on ½‖Xw − y‖²',
    'from w = 0 with exact line search (`reference.gradientDescentLineSearch`), L steps.',
    '',
    '![fig2](experiments/fig2.png)',
    '',
  ];
  for (const run of s.runs) {
    const rows: [string, ErrorSummary[]][] = [
      ...Object.entries(run.newton).map(([p, e]) => [`Newton order ${p}`, e] as [string, ErrorSummary[]]),
      ...Object.entries(run.newtonNormBoundAlpha).map(
        ([p, e]) => [`Newton order ${p}, α = 1/‖S‖₁²`, e] as [string, ErrorSummary[]],
      ),
      ['GD, exact line search', run.gd],
    ];
    if (run.lsa.length) rows.push(['trained LSA', run.lsa.map((r) => r.testError)]);
    if (run.lsaLn?.length) rows.push(['trained LSA + LayerNorm', run.lsaLn.map((r) => r.testError)]);
    lines.push(
      `### κ = ${run.kappa}, noise ${run.noise}`,
      '',
      `| method | ${Array.from({ length: s.maxLayers }, (_, l) => `L = ${l + 1}`).join(' | ')} |`,
      `|---|${Array.from({ length: s.maxLayers }, () => '---').join('|')}|`,
      ...rows.map(([label, e]) => `| ${label} | ${e.map(summary).join(' | ')} |`),
      '',
    );
  }
  const models = (run: Fig2Run): [string, Fig2Model[]][] =>
    (
      [
        ['LSA', run.lsa],
        ['LSA + LayerNorm', run.lsaLn ?? []],
      ] as [string, Fig2Model[]][]
    ).filter(([, m]) => m.length > 0);
  const trained = s.runs.filter((r) => models(r).length > 0);
  if (trained.length === 0) {
    lines.push(
      '**Trained LSA: not measured in this run** (`--train=0`); the rows above are the baselines it is placed among.',
      '',
    );
    return lines;
  }
  const where = (e: { order: number; outside: 'below' | 'above' | null }, lowest: string, top: string) =>
    e.outside === 'below'
      ? `above order ${lowest}'s error (worse than order ${lowest})`
      : e.outside === 'above'
        ? `below order ${top}'s error`
        : `effective order ${e.order.toFixed(2)}`;
  const lnRuns = s.runs.filter((r) => (r.lsaLn ?? []).length > 0);
  lines.push(
    '### Where the trained models land',
    '',
    `Theory-form LSA (tokens [${s.dZeros ? '0; ' : ''}x; y]${s.dZeros ? `, ${s.dZeros} zero rows on top` : ''}, ${s.heads} heads per layer, query not a key), one model per depth, Adam`,
    `(learning rate ${s.learningRate}, warm-up then cosine decay, gradient clipping at global norm 10), batch ${s.batch},`,
    `${s.stepsPerLayer} · L steps on fresh prompts${s.curriculum ? ` (curriculum: ${s.curriculum})` : ''}; test error on the same held-out prompts as the baselines, weights`,
    'run by the float64 reference (`bench/results/experiments/fig2-weights.json`, `serializeLayers`).',
    "The LayerNorm model (the paper's Fig. 2 right / Fig. 9) is the same stack with a LayerNorm before every",
    'LSA layer (the LSA reads LN(H), the residual stays H) and a final LayerNorm, gains 1 and biases 0 at',
    `initialisation, trained the same way${lnRuns.length > 0 ? ` (here at ${lnRuns.map((r) => `κ = ${r.kappa}, noise ${r.noise}`).join('; ')})` : ' (not trained in this run)'}.`,
    `Effective order: the p at which Newton after L steps has the model's mean error (log error interpolated between`,
    `integer orders 2–${highest}); the norm-bound column places the model among the α = 1/‖S‖₁² baselines instead.`,
    '',
    '| κ | noise | model | L | test error | vs Newton, paper α (orders 2–' +
      highest +
      ') | vs Newton, α = 1/‖S‖₁² (orders 2–3) | steps | ms per step |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const run of trained) {
    for (const [name, ms] of models(run)) {
      for (const r of ms) {
        const bound = Object.fromEntries(
          Object.entries(run.newtonNormBoundAlpha).map(([p, e]) => [p, e[r.layers - 1]!.mean]),
        );
        lines.push(
          `| ${run.kappa} | ${run.noise} | ${name} | ${r.layers} | ${summary(r.testError)} | ${where(r.effectiveOrder, '2', highest)} | ${where(effectiveOrder(r.testError.mean, bound), '2', '3')} | ${r.steps} | ${r.msPerStep.toFixed(0)} |`,
        );
      }
    }
  }
  lines.push('');
  for (const run of trained) {
    for (const [name, ms] of models(run)) {
      const text = ms.map((r) => `L = ${r.layers}: ${where(r.effectiveOrder, '2', highest)}`).join('; ');
      const bound = ms.map((r) => {
        const b = Object.fromEntries(
          Object.entries(run.newtonNormBoundAlpha).map(([p, e]) => [p, e[r.layers - 1]!.mean]),
        );
        return `L = ${r.layers}: ${where(effectiveOrder(r.testError.mean, b), '2', '3')}`;
      });
      lines.push(
        `**${name}, κ = ${run.kappa}, noise ${run.noise}.** Against the paper's baseline (α = 1/(λ_max(SSᵀ) + λ_min(SSᵀ))): ${text}. ` +
          `Against the same iteration from the smaller α = 1/‖S‖₁²: ${bound.join('; ')}.`,
        '',
      );
    }
  }
  for (const run of s.runs.filter((r) => r.noise > 0)) {
    const floor = run.newton[highest]!.at(-1)!;
    lines.push(
      `With noise ${run.noise} (κ = ${run.kappa}) every Newton order converges to the least-squares prediction, whose test`,
      `error is not zero (order ${highest} after ${s.maxLayers} step${s.maxLayers > 1 ? 's' : ''}: ${fmt(floor.mean)}); effective orders there are only`,
      'meaningful while the orders are still apart.',
      '',
    );
  }
  return lines;
}

function fig3Markdown(s: Fig3): string[] {
  const trained = s.inDistribution.lsa.length > 0;
  const lsaCells = (w: Sweep, i: number) =>
    trained ? ` | ${w.lsa[i]!.map((v) => (v === null ? '—' : fmt(v))).join(' | ')}` : '';
  const at = (w: Sweep, i: number) =>
    `| ${w.x[i]!.toFixed(2)} | ${fmt(w.truth[i]!)} | ${Object.values(w.newton)
      .map((rows) => fmt(rows[i]![s.maxLayers - 1]!))
      .join(' | ')}${lsaCells(w, i)} |`;
  const lsaHead = trained ? ` | ${Array.from({ length: s.maxLayers }, (_, l) => `LSA, L = ${l + 1}`).join(' | ')}` : '';
  const lsaRule = trained ? `|${Array.from({ length: s.maxLayers }, () => '---').join('|')}` : '';
  const ends = (w: Sweep) => [0, Math.floor(w.x.length / 2), w.x.length - 1];
  return [
    '## fig3 / fig4: predictions along one coordinate',
    '',
    `One batch of ${s.batch} prompts sharing w* (d = ${s.d}, n = ${s.n}, x ~ N(0, I), no noise; ${scaleText(s)}); the`,
    "query's first coordinate swept over its 0.5–99.5 % quantiles and over [−100, 100], the others fixed per prompt;",
    `mean prediction over the batch. Newton orders 2 and 3 after 1…${s.maxLayers} steps beside the true function.`,
    trained
      ? "The trained LSA of each depth is fig2's κ = 1 model (same distribution), loaded from its saved weights."
      : 'No trained models were saved when this ran (run fig2 first).',
    '',
    '![fig3](experiments/fig3.png)',
    '',
    `| x_test[0] | true | Newton 2, ${s.maxLayers} steps | Newton 3, ${s.maxLayers} steps${lsaHead} |`,
    `|---|---|---|---${lsaRule}|`,
    ...ends(s.inDistribution).map((i) => at(s.inDistribution, i)),
    ...ends(s.wide).map((i) => at(s.wide, i)),
    '',
  ];
}

function fig7Markdown(s: Fig7): string[] {
  const lsa = s.lsa ?? [];
  const hasExcess = s.newton[0]?.excess !== undefined;
  const lines = [
    '## fig7: logistic regression',
    '',
    `d = ${s.d}, n = ${s.n}, μ = ${s.mu}, labels sign(aᵀw*), ${s.prompts} prompts (${scaleText(s)}). Damped Newton`,
    '(exact solves, `reference.logisticNewton`) from w = 0; its regularised loss per step, placed at the layers a step',
    `costs in this package's construction (8 + k) and in the paper's (11 + 2k), k = ${s.nsSteps} Newton–Schulz steps.`,
    '',
    '![fig7](experiments/fig7.png)',
    '',
    `| Newton step | layers (8 + k) | layers (11 + 2k) | f(w) |${hasExcess ? ' f(w) − f(w_N) |' : ''}`,
    `|---|---|---|---|${hasExcess ? '---|' : ''}`,
    ...s.newton.map(
      (r) =>
        `| ${r.step} | ${r.layersHere} | ${r.layersPaper} | ${summary(r.loss)} |${r.excess ? ` ${summary(r.excess)} |` : ''}`,
    ),
    '',
  ];
  if (lsa.length === 0) {
    lines.push('**Trained LSA + ReLU model: not trained in this run.**', '');
    return lines;
  }
  // The Newton step whose mean excess loss the model's lies between.
  const among = (excess: number) => {
    const k = s.newton.findIndex((r) => r.excess!.mean <= excess);
    if (k === 0) return 'no better than w = 0';
    if (k < 0) return `below step ${s.newton.at(-1)!.step}`;
    return `between steps ${k - 1} and ${k}`;
  };
  lines.push(
    '### The trained LSA + ReLU model',
    '',
    `L blocks of [LSA (${s.heads} heads, read-out column not a key), ReLU MLP (${s.hidden} hidden units, biases)], tokens of width`,
    `2d + 2 = ${2 * s.d + 2}: rows [w (zero); a; y; 1], the n examples then a read-out column [0; 0; 0; 1] whose first d rows`,
    `are the prediction ŵ. Trained per depth with Adam (learning rate ${s.learningRate}, warm-up, cosine decay, clipping at`,
    `global norm 10), batch ${s.batch}, ${s.stepsPerLayer} · L steps on fresh prompts, on the MSE of ŵ against damped Newton's w`,
    `after ${s.targetSteps} steps from w = 0 (float64 reference, uploaded as the target; f(w_N) = ${summary(s.optimum!)}).`,
    'Evaluated by the float64 reference on the same prompts as the baselines; weights in',
    '`bench/results/experiments/fig7-weights.json`.',
    '',
    '| L | f(ŵ) | f(ŵ) − f(w_N) | ‖ŵ − w_N‖² / d | excess loss vs damped Newton | steps | ms per step |',
    '|---|---|---|---|---|---|---|',
    ...lsa.map(
      (r) =>
        `| ${r.layers} | ${summary(r.loss)} | ${summary(r.excess)} | ${summary(r.wError)} | ${hasExcess ? among(r.excess.mean) : '—'} | ${r.steps} | ${r.msPerStep.toFixed(0)} |`,
    ),
    '',
  );
  return lines;
}

function costMarkdown(s: Cost): string[] {
  const label: Record<string, string> = { lsa: 'LSA', lsaLn: 'LSA + LayerNorm', lsaRelu: 'LSA + ReLU (fig7)' };
  return [
    '## Cost per training step',
    '',
    `Measured by \`npm run experiments -- cost\` (${scaleText(s)}): one warm-up step, then the mean of the`,
    'steps counted in the table, each with its prompts generated on the CPU and uploaded as in the runs (fig7:',
    'damped-Newton targets included), ending in a loss readback. Shapes: the default scale and the `--full` scale',
    "(fig7's d and n are the paper's at both). The times are those of the machine when it ran, shared or not.",
    '',
    '| scale | model | L | batch × width × tokens | steps timed | ms per step |',
    '|---|---|---|---|---|---|',
    ...s.rows.map(
      (r) =>
        `| ${r.scale} | ${label[r.kind] ?? r.kind} | ${r.layers} | ${r.batch} × ${r.width} × ${r.tokens} | ${r.timed ?? '—'} | ${r.msPerStep.toFixed(0)} |`,
    ),
    '',
  ];
}

function powersMarkdown(s: Saved & { rows: PowersRow[] }): string[] {
  const orders = Object.keys(s.rows[0]!.newton);
  return [
    '## powers: what L layers can form',
    '',
    'Each LSA layer adds Σᵢ W_V hᵢ hᵢᵀ W_Kᵀ W_Q hⱼ to token j, a cubic in the tokens, so after L layers the',
    'prediction x_qᵀ P(A) Xᵀy (A = XᵀX) has P of degree at most (3^L − 3)/2. Newton of order p on S = A from',
    'Z₀ = αS forms S^(2p^L − 1) after L steps. Computed by `bench/experiments/powers.ts` (tested in',
    '`test/powers.test.ts`); the last column is the real p at which the two powers agree.',
    '',
    `| L | highest power of A, L LSA layers | ${orders.map((p) => `Newton order ${p}, L steps`).join(' | ')} | matching order |`,
    `|---|---|${orders.map(() => '---').join('|')}|---|`,
    ...s.rows.map(
      (r) =>
        `| ${r.layers} | ${r.lsa} | ${orders.map((p) => r.newton[p]).join(' | ')} | ${r.matchingOrder.toFixed(2)} |`,
    ),
    '',
    'The LSA power grows by a factor 3 per layer, Newton of order p by p per step: by power count alone a deep',
    'LSA stack keeps pace with order 3, but the first layers form less than one order-2 step.',
    '',
  ];
}

/**
 * What each scale is and what --full would cost, from the saved results: the default sizes from
 * fig2 and fig7 as run, the --full cost from the measured L = 1 step times (cost grows about linearly
 * in L, so an L-layer run of stepsPerLayer · L steps costs about stepsPerLayer · L² · ms(L = 1)).
 */
function scalesText(saved: Saved[]): string[] {
  const f2 = saved.find((s) => s.name === 'fig2') as Fig2 | undefined;
  const f7 = saved.find((s) => s.name === 'fig7') as Fig7 | undefined;
  const cost = saved.find((s) => s.name === 'cost') as Cost | undefined;
  const lines: string[] = [];
  if (f2 && !f2.scale.full) {
    lines.push(
      `**Default scale** (as saved): fig2 d = ${f2.d}, n = ${f2.n}, ${f2.heads} heads, L = 1…${f2.maxLayers}, batch ${f2.batch}, ${f2.stepsPerLayer} · L Adam`,
      `steps per depth${f7?.lsa?.length ? `; fig7 L = 1…${f7.maxLayers}, ${f7.heads} heads, batch ${f7.batch}, ${f7.stepsPerLayer} · L steps` : ''}. Scaled linearly from fig2's`,
      `run time (${clock(f2.seconds)} at ${f2.stepsPerLayer} · L steps, baselines included), 3000 · L steps would take roughly`,
      `${clock((f2.seconds * 3000) / f2.stepsPerLayer)} here; the models train for a fixed budget and the numbers below say how far they got.`,
      '',
    );
  }
  lines.push(
    '**`--full`** (sizes in `bench/experiments/page.ts`): fig2 at d = 10, n = 50, dZeros = 10 zero rows on top of',
    'each token, 4 heads, L = 1…6, batch 2000, 3000 · L steps, κ ∈ {1, 5, 10}, noise 0 and 0.1, the LayerNorm model at',
    'every setting; a curriculum on d (5 → 10) and n (10 → 50) over the first half of each run, done by zero',
    'padding inside the fixed trainer shape, for the LSA model only (a zero token column stays zero through a',
    "plain LSA layer and adds nothing to its key sums, but a LayerNorm turns it into the norm's bias, so the",
    'LayerNorm model trains on full-size prompts throughout); fig7 at L = 1…6, 4 heads, batch 2000, 3000 · L steps.',
    "Not done: the paper's staged schedule (we grow linearly), and any curriculum for the LayerNorm model.",
    '`--full` has not been run to completion here; a slice (`-- fig2 fig7 --full --layers=1 --stepsPerLayer=3',
    '--prompts=64 --kappa=5 --noise=0.1 --out=DIR`) starts and runs end to end.',
  );
  const full = (kind: string) => cost?.rows.find((r) => r.scale === 'full' && r.kind === kind && r.layers === 1);
  const lsa = full('lsa');
  const ln = full('lsaLn');
  const relu = full('lsaRelu');
  if (lsa && ln && relu) {
    // fig2: 3 κ × 2 noises, each an LSA and a LayerNorm model per depth; fig7: one model per depth.
    const sumL2 = Array.from({ length: 6 }, (_, l) => (l + 1) ** 2).reduce((a, b) => a + b, 0);
    const seconds = (3000 * sumL2 * (6 * (lsa.msPerStep + ln.msPerStep) + relu.msPerStep)) / 1000;
    lines.push(
      `Measured on this adapter (table "Cost per training step"), a --full step at L = 1 costs ${(lsa.msPerStep / 1000).toFixed(1)} s (LSA),`,
      `${(ln.msPerStep / 1000).toFixed(1)} s (LSA + LayerNorm) and ${(relu.msPerStep / 1000).toFixed(1)} s (fig7's LSA + ReLU); with cost linear in L, --full's training`,
      `would take about ${(seconds / 86400).toFixed(0)} days here, so it is for hardware GPUs.`,
    );
  }
  lines.push('');
  return lines;
}

export function renderMarkdown(saved: Saved[]): string {
  const lines = [
    "# The paper's experiments, reproduced",
    '',
    'Generated by `npm run experiments` (`bench/experiments.ts` drives `bench/experiments/page.ts` in headless',
    'Chromium, the same runner as the benchmark); raw results in `bench/results/experiments/`. Nothing here is',
    'typed by hand: rerun the command to regenerate every table and figure.',
    '',
    `**Run time.** The saved results took ${clock(saved.reduce((s, x) => s + x.seconds, 0))} in all on the adapter they ran on`,
    `(${saved.map((s) => `${s.name} ${clock(s.seconds)}`).join(', ')}); the scale of each is stated in its section.`,
    '',
    ...scalesText(saved),
  ];
  for (const s of saved) {
    if (s.name === 'fig2') lines.push(...fig2Markdown(s as Fig2));
    if (s.name === 'fig3') lines.push(...fig3Markdown(s as Fig3));
    if (s.name === 'fig7') lines.push(...fig7Markdown(s as Fig7));
    if (s.name === 'cost') lines.push(...costMarkdown(s as Cost));
    if (s.name === 'powers') lines.push(...powersMarkdown(s as Saved & { rows: PowersRow[] }));
  }
  return lines.join('\n');
}
