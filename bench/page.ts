// Browser half of the main job: imports the built package the way a user page does and
// runs a paper-scale LSA stack, checked against the float64 reference from the same bundle.
import type * as Lib from '../src/index.js';
import type { Layer } from '../src/index.js';
import { countGpuCalls } from '../tools/gpuCounters.js';

const url = '/dist/index.js';
const lib = (await import(/* @vite-ignore */ url)) as typeof Lib;

/** One adapter, device and runtime for every job of the page: pipelines compile once. */
let shared: Promise<{ adapter: GPUAdapter; device: GPUDevice; runtime: Lib.Runtime }> | null = null;
function gpu() {
  shared ??= (async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter)
      throw new Error('WebGPU is not available here: no navigator.gpu adapter (Chromium needs --enable-unsafe-webgpu)');
    const device = await adapter.requestDevice();
    return { adapter, device, runtime: await lib.createRuntime(device) };
  })();
  return shared;
}

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
  adapter: { vendor: string; architecture: string; description: string; software: boolean };
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
        heads: Array.from({ length: c.heads }, () => ({
          wv: rng.normals(d * d, scale),
          wk: rng.normals(d * d, scale),
          wq: rng.normals(d * d, scale),
        })),
      };
    }
    const f = 2 * d;
    return {
      kind: 'mlp',
      hidden: f,
      w1: rng.normals(f * d, 1 / Math.sqrt(d)),
      b1: rng.normals(f, 0.5),
      w2: rng.normals(d * f, 0.5 / Math.sqrt(f)),
      b2: rng.normals(d, 0.5),
    };
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
    return sum + (l.kind === 'mlp' ? b * 4 * l.hidden * d * n : 0);
  }, 0);
}

async function main(config: MainConfig): Promise<MainResult> {
  const { adapter, device, runtime } = await gpu();
  const rng = lib.reference.random(config.seed);
  const shape = [config.batch, config.width, config.tokens];
  const data = rng.normals(config.batch * config.width * config.tokens);
  const layers = stack(rng, config);

  device.pushErrorScope('validation');
  const h = runtime.tensor(data, shape);
  let submitsPerRun = 0;
  const counter = countGpuCalls(device);
  const gpuMs: number[] = [];
  let out: Float32Array | null = null;
  // One untimed warm-up run (first-use costs), then timed runs: submit → GPU done.
  for (let r = 0; r <= config.runs; r++) {
    const before = counter.submits;
    const t0 = performance.now();
    const y = runtime.transformer(h, layers);
    submitsPerRun = counter.submits - before;
    await device.queue.onSubmittedWorkDone();
    const t1 = performance.now();
    if (r > 0) gpuMs.push(t1 - t0);
    if (r === config.runs) out = await y.read();
    y.destroy();
  }
  counter.restore();
  h.destroy();
  const error = await device.popErrorScope();

  const t0 = performance.now();
  const expected = lib.reference.transformer(data, shape, layers);
  const referenceMs = performance.now() - t0;
  const c = lib.reference.compare(out!, expected);
  const info = adapter.info;
  return {
    adapter: {
      vendor: info.vendor,
      architecture: info.architecture,
      description: info.description,
      software: lib.isSoftwareAdapter(info),
    },
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
  matrices: {
    kappa: number;
    converged: boolean;
    iterations: number;
    theory: number;
    residual: number;
    relativeError: number;
    bound: number;
  }[];
  ms: number;
  submits: number;
  readbacks: number;
  validation: string | null;
}

/** One Newton–Schulz step and a batched inversion, checked against float64 (step) and LU (inverse). */
async function invertJob(config: InvertConfig): Promise<InvertReport> {
  const { device, runtime } = await gpu();
  const rng = lib.reference.random(config.seed);
  const { n, kappas } = config;
  const nn = n * n;
  const mats = kappas.map((k) => Float32Array.from(lib.reference.conditioned(rng, n, k).a));
  const data = new Float32Array(kappas.length * nn);
  for (const [i, m] of mats.entries()) data.set(m, i * nn);
  device.pushErrorScope('validation');
  const a = runtime.tensor(data, [kappas.length, n, n]);

  // One step from X₀ = α Aᵀ, against reference.newtonSchulzStep.
  const x0 = new Float32Array(data.length);
  const expected = new Float64Array(data.length);
  mats.forEach((m, i) => {
    x0.set(lib.reference.initialInverse(m, n), i * nn);
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
  for (const t of [a, x, stepped, inv.inverse]) t.destroy();
  const error = await device.popErrorScope();
  const matrices = kappas.map((kappa, i) => {
    const truth = lib.reference.inverseLU(mats[i]!, n);
    const r0 = 1 - inv.alpha[i]! / kappa ** 2;
    return {
      kappa,
      converged: inv.converged[i]!,
      iterations: inv.matrixIterations[i]!,
      theory: lib.reference.theoryIterations(r0, Math.max(inv.residual[i]!, 1e-7)),
      residual: inv.residual[i]!,
      relativeError: lib.reference.relativeError(xs.subarray(i * nn, (i + 1) * nn), truth),
      bound: 1e-6 * kappa * Math.sqrt(n),
    };
  });
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

export interface ConstructionReport {
  name: string;
  layers: number;
  width: number;
  prompts: number;
  submits: number;
  /** GPU (float32) vs the same construction in float64. */
  gpuVsFloat64: number;
  /** GPU vs the algorithm it emulates (exact inverse / exact ridge / exact-solve Newton). */
  gpuVsAlgorithm: number[];
  labels: string[];
  validation: string | null;
}

const relativeError = lib.reference.relativeError;

/** The paper's three constructions on the GPU, one batched runtime.transformer call each. */
async function constructionsJob(): Promise<ConstructionReport[]> {
  const { device, runtime } = await gpu();
  const { constructions: C, reference: R } = lib;
  const reports: ConstructionReport[] = [];

  async function measure<Out>(
    name: string,
    c: { width: number; tokens: number; layers: Layer[]; readout(h: ArrayLike<number>): Out },
    prompts: Float64Array[],
    truth: Out[],
    labels: string[],
    flat: (o: Out) => ArrayLike<number>,
  ): Promise<void> {
    const size = c.width * c.tokens;
    const h = new Float32Array(prompts.length * size);
    for (const [b, p] of prompts.entries()) h.set(p, b * size);
    const counter = countGpuCalls(device);
    device.pushErrorScope('validation');
    const input = runtime.tensor(h, [prompts.length, c.width, c.tokens]);
    const out = runtime.transformer(input, c.layers);
    const submits = counter.submits;
    counter.restore();
    const y = await out.read();
    const error = await device.popErrorScope();
    input.destroy();
    out.destroy();
    const gpu = prompts.map((_, b) => c.readout(y.subarray(b * size, (b + 1) * size)));
    const f64 = prompts.map((_, b) =>
      c.readout(R.transformer(h.subarray(b * size, (b + 1) * size), [1, c.width, c.tokens], c.layers)),
    );
    reports.push({
      name,
      layers: c.layers.length,
      width: c.width,
      prompts: prompts.length,
      submits,
      gpuVsFloat64: Math.max(...gpu.map((g, b) => relativeError(flat(g), flat(f64[b]!)))),
      gpuVsAlgorithm: gpu.map((g, b) => relativeError(flat(g), flat(truth[b]!))),
      labels,
      validation: error ? error.message : null,
    });
  }

  // Lemma 4.1: d = 10, 16 steps (32 layers), one prompt per κ.
  {
    const d = 10;
    const kappas = [5, 10, 20, 50, 100];
    const c = C.newtonSchulz({ d, steps: 16 });
    const problems = kappas.map((k) => R.conditioned(R.random(k), d, k));
    const prompts = problems.map(({ a }) => c.embed(a, R.initialInverse(a, d)));
    await measure(
      'Newton–Schulz (Lemma 4.1), d 10, 16 steps',
      c,
      prompts,
      problems.map((p) => p.inverse),
      kappas.map((k) => `κ ${k}`),
      (x) => x,
    );
  }
  // Theorem 4.2: d = 10, n = 50, μ = 0.1, T = 16, 8 prompts.
  {
    const [d, n, mu] = [10, 50, 0.1];
    const rng = R.random(42);
    const data = Array.from({ length: 8 }, () => R.ridgeData(rng, d, n, { scale: 1 / Math.sqrt(d) }));
    const c = C.ridgeNewton({ d, n, steps: 16, mu, alpha: 0.01 });
    const exact = data.map(({ a, y, aTest }) => R.ridge(a, y, aTest, { d, n, mu }));
    const prompts = data.map(({ a, y, aTest }) => c.embed(a, y, aTest));
    const labels = data.map((_, i) => `prompt ${i}`);
    await measure('ridge (Theorem 4.2), d 10, n 50, T 16', c, prompts, exact, labels, (v) => [v]);
  }
  // Section 5: d = 5, n = 26, μ = 0.1, 3 Newton steps, k = 10, ε = 1e-4, 4 prompts.
  {
    const [d, n, mu, steps] = [5, 26, 0.1, 3];
    const c = C.logisticNewton({ d, n, mu, steps, nsSteps: 10, epsilon: 1e-4 });
    const data = [1, 2, 3, 4].map((seed) => R.logisticData(R.random(seed), d, n));
    const w0 = new Float64Array(d);
    await measure(
      `logistic (Section 5), d 5, n 26, 3 Newton steps × ${c.layersPerStep} layers, ε 1e-4`,
      c,
      data.map(({ a, y }) => c.embed(a, y, w0)),
      data.map(({ a, y }) => R.logisticNewton(a, y, w0, { d, n, mu, steps })),
      data.map((_, i) => `prompt ${i}`),
      (w) => w,
    );
  }
  return reports;
}

Object.assign(window, { mainJob: { main, invert: invertJob, constructions: constructionsJob } });
document.getElementById('log')!.textContent = 'ready';
