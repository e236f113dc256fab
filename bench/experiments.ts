// `npm run experiments [-- NAME…] [--full] [--render] [--KEY=VALUE…]`: the paper's experiments in headless
// Chromium (the benchmark's runner), with a progress bar and time estimate; writes
// bench/results/experiments/NAME.json, screenshots each figure to docs/experiments/NAME.png and
// regenerates docs/experiments.md from every saved result. --KEY=VALUE overrides a size
// (e.g. --prompts=512 --layers=3) so a short run can be measured before a long one; --out=DIR writes
// the results, figures and experiments.md under DIR instead, leaving the repository's untouched.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { callPage, launchBrowser, openPage } from '../tools/browser.js';
import { serveStatic } from '../tools/server.js';
import { headline, renderFigure, renderMarkdown, type Saved } from './experiments/render.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ALL = ['fig2', 'fig3', 'fig7', 'cost', 'powers'];
const args = process.argv.slice(2);
const outArg = args.find((a) => a.startsWith('--out='))?.slice('--out='.length);
const out = outArg ? `${outArg.replace(/\/$/, '')}/` : null;
const resultsDir = out ? `${out}results` : `${root}bench/results/experiments`;
const figuresDir = out ? `${out}experiments` : `${root}docs/experiments`;
const docFile = out ? `${out}experiments.md` : `${root}docs/experiments.md`;

const full = args.includes('--full');
// --render: redraw every figure and docs/experiments.md from the saved results, running nothing.
const renderOnly = args.includes('--render');
const overrides = Object.fromEntries(
  args
    .filter((a) => /^--[a-zA-Z]+=/.test(a) && !a.startsWith('--out='))
    .map((a) => {
      const [key, value] = a.slice(2).split('=') as [string, string];
      if (!Number.isFinite(Number(value))) throw new Error(`--${key}=${value}: expected a number`);
      return [key, Number(value)];
    }),
);
const names = args.filter((a) => !a.startsWith('--'));
for (const name of names)
  if (!ALL.includes(name)) throw new Error(`unknown experiment ${name}; expected one of ${ALL.join(', ')}`);
const chosen = names.length > 0 ? names : ALL;

const clock = (s: number) =>
  s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
function bar(name: string, done: number, total: number, seconds: number) {
  const width = 30;
  const f = total > 0 ? done / total : 0;
  const eta = f > 0 ? clock((seconds * (1 - f)) / f) : '?';
  const line = `${name.padEnd(7)} [${'#'.repeat(Math.round(f * width)).padEnd(width, '.')}] ${(100 * f).toFixed(0).padStart(3)}% ${done}/${total}  ${clock(seconds)} elapsed, ETA ${eta}`;
  process.stderr.write(`\r${line}`);
}

const server = await serveStatic(root);
const browser = await launchBrowser();
try {
  const page = await openPage(browser, `${server.url}/bench/experiments.html`, 'experiments', 300_000);
  mkdirSync(resultsDir, { recursive: true });
  mkdirSync(figuresDir, { recursive: true });
  for (const name of renderOnly ? [] : chosen) {
    const started = performance.now();
    const scale = { full, ...overrides };
    // fig3 draws fig2's trained models when they are saved.
    const weightsFile = `${resultsDir}/fig2-weights.json`;
    const trained =
      name === 'fig3' && existsSync(weightsFile) ? JSON.parse(readFileSync(weightsFile, 'utf8')) : undefined;
    await callPage(page, 'experiments', 'start', name, { ...scale, weights: trained });
    while (true) {
      const p = await callPage<{ done: number; total: number; running: boolean; error: string | null }>(
        page,
        'experiments',
        'progress',
      );
      bar(name, p.done, p.total, (performance.now() - started) / 1000);
      if (p.error) throw new Error(`${name}: ${p.error}`);
      if (!p.running) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`\n`);
    const { weights, ...result } = await callPage<Record<string, unknown>>(page, 'experiments', 'result');
    const saved: Saved = {
      name,
      generated: 'npm run experiments',
      scale,
      seconds,
      ...headline(name, result),
      ...result,
    };
    writeFileSync(`${resultsDir}/${name}.json`, `${JSON.stringify(saved, null, 2)}\n`);
    // Trained weights (serializeLayers), so figures can be redrawn without retraining.
    if (weights && Object.keys(weights).length > 0) {
      writeFileSync(`${resultsDir}/${name}-weights.json`, `${JSON.stringify(weights)}\n`);
    }
    console.log(`${name}: ${clock(seconds)}; wrote ${resultsDir}/${name}.json`);
  }
  // Figures and the page, from every saved result (a partial run keeps the others' figures).
  const saved = ALL.filter((n) => existsSync(`${resultsDir}/${n}.json`)).map(
    (n) => JSON.parse(readFileSync(`${resultsDir}/${n}.json`, 'utf8')) as Saved,
  );
  const chartJs = readFileSync(`${root}node_modules/chart.js/dist/chart.umd.min.js`, 'utf8');
  for (const s of saved.filter((x) => renderOnly || chosen.includes(x.name))) {
    const html = renderFigure(s, chartJs);
    if (!html) continue;
    // A fresh page per figure: setContent rewrites the document but keeps the window, so a reused
    // page still has the previous figure's `figureReady` and was screenshotted before drawing.
    const view = await browser.newPage();
    await view.setViewport({ width: 1200, height: 800 });
    await view.setContent(html);
    await view.waitForFunction('window.figureReady === true', { timeout: 30_000 });
    await view.screenshot({ path: `${figuresDir}/${s.name}.png`, fullPage: true });
    await view.close();
    console.log(`wrote ${figuresDir}/${s.name}.png`);
  }
  writeFileSync(docFile, renderMarkdown(saved));
  console.log(`wrote ${docFile}`);
} finally {
  await browser.close();
  await server.close();
}
