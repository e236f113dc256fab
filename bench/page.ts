// Browser half of the main job: imports the built package the way a user page does and
// runs a paper-scale LSA stack, checked against the float64 reference from the same bundle.
import type * as Lib from '../src/index.js';
import type { Layer } from '../src/index.js';

const url = '/dist/index.js';
const lib = (await import(/* @vite-ignore */ url)) as typeof Lib;

export interface MainConfig {
  batch: number;
  width: number;
  tokens: number;
  heads: number;
  /** Layer pattern: 'a' = LSA, 'm' = ReLU MLP. */
  pattern: string;
  runs: number;
  seed: number;
}

export interface MainResult {
  adapter: { vendor: string; architecture: string; description: string };
  config: MainConfig;
  layers: number;
  submitsPerRun: number;
  gpuMs: number[];
  flops: number;
  referenceMs: number;
  rmsRelative: number;
  maxAbs: number;
  nonFinite: number;
  validation: string | null;
}

function stack(rng: Lib.reference.Random, c: MainConfig): Layer[] {
  const { width: d, tokens: n } = c;
  const scale = 0.5 / Math.sqrt(d) / Math.cbrt(n);
  return [...c.pattern].map((kind): Layer => {
    if (kind === 'a') {
      return {
        kind: 'lsa',
        heads: Array.from({ length: c.heads }, () => ({ wv: rng.normals(d * d, scale), wk: rng.normals(d * d, scale), wq: rng.normals(d * d, scale) })),
      };
    }
    const f = 2 * d;
    return { kind: 'mlp', hidden: f, w1: rng.normals(f * d, 1 / Math.sqrt(d)), b1: rng.normals(f, 0.5), w2: rng.normals(d * f, 0.5 / Math.sqrt(f)), b2: rng.normals(d, 0.5) };
  });
}

/** FLOPs of one forward pass, counting the associative order the kernels run. */
function stackFlops(c: MainConfig, layers: Layer[]): number {
  const { batch: b, width: d, tokens: n } = c;
  return layers.reduce((sum, l) => {
    if (l.kind === 'lsa') {
      const h = l.heads.length;
      return sum + b * (2 * n * d * d + 4 * h * d * d * d + 2 * d * d * n);
    }
    return sum + b * 4 * l.hidden * d * n;
  }, 0);
}

async function main(config: MainConfig): Promise<MainResult> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('WebGPU is not available here: no navigator.gpu adapter (Chromium needs --enable-unsafe-webgpu)');
  const device = await adapter.requestDevice();
  const runtime = await lib.createRuntime(device);
  const rng = lib.reference.random(config.seed);
  const shape = [config.batch, config.width, config.tokens];
  const data = rng.normals(config.batch * config.width * config.tokens);
  const layers = stack(rng, config);

  device.pushErrorScope('validation');
  const h = runtime.tensor(data, shape);
  let submits = 0;
  let submitsPerRun = 0;
  const submit = device.queue.submit.bind(device.queue);
  device.queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
    submits++;
    submit(buffers);
  };
  const gpuMs: number[] = [];
  let out: Float32Array | null = null;
  // One untimed warm-up run (first-use costs), then timed runs: submit → GPU done.
  for (let r = 0; r <= config.runs; r++) {
    submits = 0;
    const t0 = performance.now();
    const y = runtime.transformer(h, layers);
    submitsPerRun = submits;
    await device.queue.onSubmittedWorkDone();
    const t1 = performance.now();
    if (r > 0) gpuMs.push(t1 - t0);
    if (r === config.runs) out = await y.read();
    y.destroy();
  }
  device.queue.submit = submit;
  const error = await device.popErrorScope();

  const t0 = performance.now();
  const expected = lib.reference.transformer(data, shape, layers);
  const referenceMs = performance.now() - t0;
  const c = lib.reference.compare(out!, expected);
  runtime.destroy();
  device.destroy();
  const info = adapter.info;
  return {
    adapter: { vendor: info.vendor, architecture: info.architecture, description: info.description },
    config,
    layers: layers.length,
    submitsPerRun,
    gpuMs,
    flops: stackFlops(config, layers),
    referenceMs,
    rmsRelative: c.rmsRelative,
    maxAbs: c.maxAbs,
    nonFinite: c.nonFinite,
    validation: error ? error.message : null,
  };
}

export interface InvertConfig {
  n: number;
  kappas: number[];
  seed: number;
}

export interface InvertReport {
  n: number;
  step: { rmsRelative: number; maxAbs: number; nonFinite: number; ms: number };
  matrices: { kappa: number; converged: boolean; iterations: number; theory: number; residual: number; relativeError: number; bound: number }[];
  ms: number;
  submits: number;
  readbacks: number;
  validation: string | null;
}

/** One Newton–Schulz step and a batched inversion, checked against float64 (step) and LU (inverse). */
async function invertJob(config: InvertConfig): Promise<InvertReport> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('WebGPU is not available here');
  const device = await adapter.requestDevice();
  const runtime = await lib.createRuntime(device);
  const rng = lib.reference.random(config.seed);
  const { n, kappas } = config;
  const nn = n * n;
  const mats = kappas.map((k) => Float32Array.from(lib.reference.conditioned(rng, n, k).a));
  const data = new Float32Array(kappas.length * nn);
  mats.forEach((m, i) => data.set(m, i * nn));
  device.pushErrorScope('validation');
  const a = runtime.tensor(data, [kappas.length, n, n]);

  // One step from X₀ = α Aᵀ, against reference.newtonSchulzStep.
  const x0 = new Float32Array(data.length);
  const expected = new Float64Array(data.length);
  mats.forEach((m, i) => {
    const alpha = lib.reference.safeAlpha(m, n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) x0[i * nn + r * n + c] = alpha * m[c * n + r]!;
    expected.set(lib.reference.newtonSchulzStep(m, x0.subarray(i * nn, (i + 1) * nn), n), i * nn);
  });
  const x = runtime.tensor(x0, [kappas.length, n, n]);
  runtime.newtonSchulzStep(a, x).destroy(); // warm-up
  const s0 = performance.now();
  const stepped = runtime.newtonSchulzStep(a, x);
  await device.queue.onSubmittedWorkDone();
  const stepMs = performance.now() - s0;
  const step = lib.reference.compare(await stepped.read(), expected);

  (await runtime.invert(a)).inverse.destroy(); // warm-up
  const t0 = performance.now();
  const inv = await runtime.invert(a);
  const ms = performance.now() - t0;
  const xs = await inv.inverse.read();
  const error = await device.popErrorScope();
  const matrices = kappas.map((kappa, i) => {
    const truth = lib.reference.inverseLU(mats[i]!, n);
    let num = 0;
    let den = 0;
    for (let e = 0; e < nn; e++) {
      num += (xs[i * nn + e]! - truth[e]!) ** 2;
      den += truth[e]! ** 2;
    }
    const r0 = 1 - inv.alpha[i]! / kappa ** 2;
    return {
      kappa,
      converged: inv.converged[i]!,
      iterations: inv.matrixIterations[i]!,
      theory: lib.reference.theoryIterations(r0, Math.max(inv.residual[i]!, 1e-7)),
      residual: inv.residual[i]!,
      relativeError: Math.sqrt(num / den),
      bound: 1e-6 * kappa * Math.sqrt(n),
    };
  });
  runtime.destroy();
  device.destroy();
  return {
    n,
    step: { rmsRelative: step.rmsRelative, maxAbs: step.maxAbs, nonFinite: step.nonFinite, ms: stepMs },
    matrices,
    ms,
    submits: inv.submits,
    readbacks: inv.readbacks,
    validation: error ? error.message : null,
  };
}

Object.assign(window, { mainJob: main, invertJob });
document.getElementById('log')!.textContent = 'ready';
