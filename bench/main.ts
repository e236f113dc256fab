// The main job (`npm start`): in headless Chromium, run an LSA stack at paper scale,
// check it against the float64 reference and print the adapter, the error and the time.
import { fileURLToPath } from 'node:url';
import { callPage, launchBrowser, openPage } from '../tools/browser.js';
import { serveStatic } from '../tools/server.js';
import { median } from '../tools/stats.js';
import type { ConstructionReport, InvertConfig, InvertReport, MainConfig, MainResult } from './page.js';

const TOLERANCE = 1e-5;

const config: MainConfig = {
  batch: Number(process.env.LSA_BATCH ?? 128),
  width: 43,
  tokens: 51,
  heads: 2,
  pattern: 'amamam',
  runs: 5,
  seed: 2024,
};

const root = fileURLToPath(new URL('../..', import.meta.url));
const server = await serveStatic(root);
const browser = await launchBrowser();
let failed = false;
try {
  const page = await openPage(browser, `${server.url}/bench/main.html`, 'mainJob');
  console.log(
    `lsa-newton main job: LSA stack '${config.pattern}' (a = LSA, ${config.heads} heads; m = ReLU MLP), B ${config.batch} prompts × D ${config.width} × N ${config.tokens} tokens`,
  );
  const r = await callPage<MainResult>(page, 'mainJob', 'main', config);
  const a = r.adapter;
  console.log(
    `adapter: ${a.vendor || '(vendor n/a)'} / ${a.architecture || '(architecture n/a)'}${a.description ? ` / ${a.description}` : ''}`,
  );
  if (a.software) console.log('warning: software adapter — times describe this CPU, not a GPU');
  const med = median(r.gpuMs);
  const spread = `${Math.min(...r.gpuMs).toFixed(1)}–${Math.max(...r.gpuMs).toFixed(1)}`;
  console.log(`layers: ${r.layers}, submits per forward pass: ${r.submitsPerRun}`);
  console.log(
    `gpu time (submit → done, median of ${r.gpuMs.length}): ${med.toFixed(2)} ms [${spread}], ${(r.flops / med / 1e6).toFixed(2)} GFLOP/s`,
  );
  console.log(`float64 reference (CPU, same page): ${r.referenceMs.toFixed(0)} ms`);
  const ok = r.nonFinite === 0 && r.rmsRelative <= TOLERANCE && r.validation === null;
  console.log(
    `error vs float64: rms-relative ${r.rmsRelative.toExponential(2)}, max-abs ${r.maxAbs.toExponential(2)}, non-finite ${r.nonFinite} → ${ok ? 'OK' : 'FAILED'} (tolerance ${TOLERANCE})`,
  );
  if (r.validation) console.log(`WebGPU validation error: ${r.validation}`);
  failed = !ok;

  const inv: InvertConfig = { n: 64, kappas: [10, 100, 1000], seed: 7 };
  console.log(`\nNewton–Schulz: B ${inv.kappas.length} matrices ${inv.n}×${inv.n}, κ = ${inv.kappas.join(', ')}`);
  const q = await callPage<InvertReport>(page, 'mainJob', 'invert', inv);
  const stepOk = q.step.nonFinite === 0 && q.step.rmsRelative <= TOLERANCE;
  console.log(
    `one step X(2I − AX): ${q.step.ms.toFixed(1)} ms, error vs float64: rms-relative ${q.step.rmsRelative.toExponential(2)}, max-abs ${q.step.maxAbs.toExponential(2)} → ${stepOk ? 'OK' : 'FAILED'}`,
  );
  console.log(`invert (default options): ${q.ms.toFixed(0)} ms, ${q.submits} submits, ${q.readbacks} status readbacks`);
  let invOk = q.validation === null;
  for (const m of q.matrices) {
    const good = m.converged && m.relativeError <= m.bound;
    invOk &&= good;
    console.log(
      `  κ ${String(m.kappa).padStart(4)}: converged ${m.converged}, iterations ${m.iterations} (theory ${m.theory} for the residual reached), ‖I − AX‖_F ${m.residual.toExponential(2)}, ` +
        `‖X − A⁻¹‖_F/‖A⁻¹‖_F ${m.relativeError.toExponential(2)} (bound 1e-6·κ·√n = ${m.bound.toExponential(1)}) → ${good ? 'OK' : 'FAILED'}`,
    );
  }
  if (q.validation) console.log(`WebGPU validation error: ${q.validation}`);
  failed ||= !stepOk || !invOk;

  console.log(`\nThe paper's constructions through runtime.transformer (details: docs/claims.md, npm run claims)`);
  const cs = await callPage<ConstructionReport[]>(page, 'mainJob', 'constructions');
  for (const c of cs) {
    const ok = c.gpuVsFloat64 <= 1e-5 && c.validation === null && c.submits === 1;
    failed ||= !ok;
    console.log(
      `${c.name}: ${c.layers} layers, width ${c.width}, ${c.prompts} prompts in ${c.submits} submit; GPU vs float64 run ${c.gpuVsFloat64.toExponential(1)} → ${ok ? 'OK' : 'FAILED'}`,
    );
    console.log(
      `  vs the exact algorithm: ${c.gpuVsAlgorithm.map((e, i) => `${c.labels[i]} ${e.toExponential(1)}`).join(', ')}`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
process.exitCode = failed ? 1 : 0;
