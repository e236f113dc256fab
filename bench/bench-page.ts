// Browser half of `npm run bench`: a registry of ops × named shapes, each timed for this package
// and for TensorFlow.js's WebGPU backend on the same GPUDevice and queue, and checked against
// the float64 reference. Wall clock: K repetitions per submit, submit → onSubmittedWorkDone,
// no readback inside the timed region; one untimed warm-up (shader compilation) first.
import type * as Lib from '../src/index.js';
import type * as TF from '@tensorflow/tfjs-core';

const url = '/dist/index.js';
const lib = (await import(/* @vite-ignore */ url)) as typeof Lib;
const tf = (globalThis as unknown as { tf: typeof TF }).tf;
const R = lib.reference;

export interface Timing {
  /** Wall clock per repetition, submit → onSubmittedWorkDone (same method for both libraries). */
  medianMs: number;
  /** GPU time per repetition from timestamp queries around our passes, when the device has them. */
  gpuMedianMs: number | null;
  minMs: number;
  maxMs: number;
  reps: number;
  samples: number;
}

export interface Accuracy {
  maxAbs: number;
  rmsRelative: number;
  nonFinite: number;
  ok: boolean;
}

export interface CaseResult {
  id: string;
  op: string;
  config: string;
  /** x-axis value for charts (matrix size, tokens, batch). */
  size: number;
  flops: number;
  ours: Timing & { gflops: number; accuracy: Accuracy };
  tf: (Timing & { gflops: number; accuracy: Accuracy }) | null;
  notes: string[];
}

interface Runner {
  /**
   * Records `reps` repetitions, submits, waits for the GPU. Returns a reader for the
   * timestamp-query GPU time of the run (called after the wall clock stops), or null.
   */
  run(reps: number): Promise<(() => Promise<number>) | null>;
  /** Reads the result of the last run and compares it with float64. */
  check(): Promise<Accuracy>;
}

interface Prepared {
  flops: number;
  ours: Runner;
  tf: Runner | null;
  notes?: string[];
  dispose(): void;
}

interface CaseSpec {
  id: string;
  op: string;
  config: string;
  size: number;
  quick: boolean;
  full: boolean;
  prepare(): Promise<Prepared>;
}

await tf.setBackend('webgpu');
await tf.ready();
const backend = tf.backend() as unknown as { device: GPUDevice; submitQueue(): void; endComputePassEncoder?(): void; commandEncoder: GPUCommandEncoder | null };

/** Sends TF.js's recorded work to the queue (its backend keeps a pass open and submits lazily). */
function flushTf(): void {
  backend.endComputePassEncoder?.();
  if (backend.commandEncoder) backend.submitQueue();
}
const device = backend.device;
const runtime = await lib.createRuntime(device);
const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

function buffer(data: Float32Array): GPUBuffer {
  const b = device.createBuffer({ size: data.byteLength, usage: STORAGE });
  device.queue.writeBuffer(b, 0, data as Float32Array<ArrayBuffer>);
  return b;
}

async function read(b: GPUBuffer, count: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size: count * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const e = device.createCommandEncoder();
  e.copyBufferToBuffer(b, 0, staging, 0, count * 4);
  device.queue.submit([e.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

function accuracy(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): Accuracy {
  const c = R.compare(actual, expected);
  return { maxAbs: c.maxAbs, rmsRelative: c.rmsRelative, nonFinite: c.nonFinite, ok: c.nonFinite === 0 && c.rmsRelative <= tolerance };
}

const timestamps = device.features.has('timestamp-query')
  ? {
      set: device.createQuerySet({ type: 'timestamp', count: 2 }),
      resolve: device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }),
    }
  : null;

/**
 * Our kernels: `encode` records one repetition into the encoder. With timestamp queries, two
 * empty passes bracket the repetitions (beginning / end of pass), read after the wall clock stops.
 */
function oursRunner(encode: (e: GPUCommandEncoder) => void, check: () => Promise<Accuracy>): Runner {
  return {
    async run(reps) {
      const e = device.createCommandEncoder();
      if (timestamps) e.beginComputePass({ timestampWrites: { querySet: timestamps.set, beginningOfPassWriteIndex: 0 } }).end();
      for (let r = 0; r < reps; r++) encode(e);
      let staging: GPUBuffer | null = null;
      if (timestamps) {
        e.beginComputePass({ timestampWrites: { querySet: timestamps.set, endOfPassWriteIndex: 1 } }).end();
        e.resolveQuerySet(timestamps.set, 0, 2, timestamps.resolve, 0);
        staging = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
        e.copyBufferToBuffer(timestamps.resolve, 0, staging, 0, 16);
      }
      device.queue.submit([e.finish()]);
      await device.queue.onSubmittedWorkDone();
      if (!staging) return null;
      return async () => {
        await staging.mapAsync(GPUMapMode.READ);
        const [begin, end] = new BigInt64Array(staging.getMappedRange());
        const ms = Number(end! - begin!) / 1e6;
        staging.destroy();
        return ms;
      };
    },
    check,
  };
}

/** TensorFlow.js: `step` runs one repetition and returns the result tensor (kept for the check). */
function tfRunner(step: () => TF.Tensor, check: (result: Float32Array) => Accuracy): Runner {
  let last: TF.Tensor | null = null;
  return {
    async run(reps) {
      for (let r = 0; r < reps; r++) {
        last?.dispose();
        last = tf.tidy(step);
      }
      flushTf();
      await device.queue.onSubmittedWorkDone();
      return null;
    },
    async check() {
      const out = (await last!.data()) as Float32Array;
      return check(out);
    },
  };
}

// ---- Newton–Schulz step -------------------------------------------------------------------

/** X'[r, :] = 2X[r, :] − ((X[r, :] A) X) in float64: O(n²) per checked row. */
function nsRows(a: Float32Array, x: Float32Array, n: number, rows: number[], base: number): Float64Array {
  const out = new Float64Array(rows.length * n);
  rows.forEach((r, k) => {
    const xa = new Float64Array(n);
    for (let c = 0; c < n; c++) {
      const v = x[base + r * n + c]!;
      for (let j = 0; j < n; j++) xa[j]! += v * a[base + c * n + j]!;
    }
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += xa[c]! * x[base + c * n + j]!;
      out[k * n + j] = 2 * x[base + r * n + j]! - s;
    }
  });
  return out;
}

function pickRows(actual: Float32Array, n: number, rows: number[], base: number): Float32Array {
  const out = new Float32Array(rows.length * n);
  rows.forEach((r, k) => out.set(actual.subarray(base + r * n, base + (r + 1) * n), k * n));
  return out;
}

function nsStepCase(batch: number, n: number, quick: boolean, full: boolean): CaseSpec {
  return {
    id: `ns-step-B${batch}-n${n}`,
    op: 'Newton–Schulz step',
    config: batch === 1 ? `n ${n}` : `${batch} × ${n}×${n}`,
    size: batch === 1 ? n : batch,
    quick,
    full,
    async prepare() {
      const rng = R.random(n + batch);
      const count = batch * n * n;
      const a = new Float32Array(count);
      const x = new Float32Array(count);
      for (let b = 0; b < batch; b++) {
        const m = R.conditioned(rng, n, 10).a;
        const alpha = R.safeAlpha(m, n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          a[b * n * n + i * n + j] = m[i * n + j]!;
          x[b * n * n + i * n + j] = alpha * m[j * n + i]!;
        }
      }
      // Checked: every row of the first and last matrices for small n, 8 rows for large n.
      const rows = n <= 128 ? Array.from({ length: n }, (_, i) => i) : [0, 1, 2, n >> 2, n >> 1, n - 3, n - 2, n - 1];
      const bases = batch === 1 ? [0] : [0, (batch - 1) * n * n];
      const expected = bases.map((base) => nsRows(a, x, n, rows, base));
      const compareAll = (out: Float32Array) => {
        const got = new Float32Array(bases.length * rows.length * n);
        const want = new Float64Array(got.length);
        bases.forEach((base, i) => {
          got.set(pickRows(out, n, rows, base), i * rows.length * n);
          want.set(expected[i]!, i * rows.length * n);
        });
        return accuracy(got, want, 1e-5);
      };
      const ab = buffer(a);
      const xb = buffer(x);
      const out = device.createBuffer({ size: count * 4, usage: STORAGE });
      const kernel = runtime.createNewtonSchulzStep([batch, n, n]);
      const A = tf.tensor3d(a, [batch, n, n]);
      const X = tf.tensor3d(x, [batch, n, n]);
      return {
        flops: batch * 4 * n ** 3,
        ours: oursRunner((e) => kernel.encode(e, ab, xb, out), async () => compareAll(await read(out, count))),
        tf: tfRunner(() => tf.sub(tf.mul(X, 2), tf.matMul(X, tf.matMul(A, X))), compareAll),
        dispose() {
          kernel.destroy();
          for (const b of [ab, xb, out]) b.destroy();
          A.dispose();
          X.dispose();
        },
      };
    },
  };
}

// ---- LSA layer and stacks -----------------------------------------------------------------

function lsaFlops(b: number, d: number, n: number, h: number): number {
  return b * (2 * n * d * d + 4 * h * d ** 3 + 2 * d * d * n);
}

/** TensorFlow.js LSA layer in the associative order: per head S = (W_V H)(W_K H)ᵀ, then S (W_Q H). */
function tfLsa(hT: TF.Tensor, heads: { wv: TF.Tensor; wk: TF.Tensor; wq: TF.Tensor }[]): TF.Tensor {
  let out = hT;
  for (const { wv, wk, wq } of heads) {
    const s = tf.matMul(tf.matMul(wv, hT), tf.matMul(wk, hT), false, true);
    out = tf.add(out, tf.matMul(s, tf.matMul(wq, hT)));
  }
  return out;
}

function tfHeads(heads: Lib.LsaHead[], d: number) {
  return heads.map((h) => ({
    wv: tf.tensor3d(Float32Array.from(h.wv), [1, d, d]),
    wk: tf.tensor3d(Float32Array.from(h.wk), [1, d, d]),
    wq: tf.tensor3d(Float32Array.from(h.wq), [1, d, d]),
  }));
}

function layersCase(id: string, op: string, config: string, size: number, quick: boolean, full: boolean, shape: [number, number, number], makeLayers: (rng: Lib.reference.Random) => Lib.Layer[], data?: (rng: Lib.reference.Random) => Float32Array): CaseSpec {
  return {
    id, op, config, size, quick, full,
    async prepare() {
      const [b, d, n] = shape;
      const rng = R.random(b * 7 + d * 13 + n);
      const layers = makeLayers(rng);
      const h = data ? data(rng) : rng.normals(b * d * n);
      const checked = Math.min(b, 2);
      const expected = R.transformer(h.subarray(0, checked * d * n), [checked, d, n], layers);
      const compareFirst = (out: Float32Array) => accuracy(out.subarray(0, checked * d * n), expected, 1e-5);
      const input = buffer(h);
      const output = device.createBuffer({ size: h.byteLength, usage: STORAGE });
      const kernel = runtime.createTransformer(layers, { batch: b, width: d, tokens: n });
      const hT = tf.tensor3d(h, [b, d, n]);
      const lsaOnly = layers.every((l) => l.kind === 'lsa' && l.keys === undefined);
      const tHeads = lsaOnly ? layers.map((l) => tfHeads((l as Extract<Lib.Layer, { kind: 'lsa' }>).heads, d)) : [];
      const flops = layers.reduce((s, l) => s + (l.kind === 'lsa' ? lsaFlops(b, d, n, l.heads.length) : l.kind === 'mlp' ? b * 4 * l.hidden * d * n : 0), 0);
      return {
        flops,
        ours: oursRunner((e) => kernel.encode(e, input, output), async () => compareFirst(await read(output, h.length))),
        tf: lsaOnly ? tfRunner(() => tHeads.reduce((x, hs) => tfLsa(x, hs), hT as TF.Tensor), compareFirst) : null,
        dispose() {
          kernel.destroy();
          input.destroy();
          output.destroy();
          hT.dispose();
          for (const hs of tHeads) for (const t of hs) for (const w of Object.values(t)) w.dispose();
        },
      };
    },
  };
}

function randomHeads(rng: Lib.reference.Random, count: number, d: number, keys: number): Lib.LsaHead[] {
  const scale = 0.5 / Math.sqrt(d) / Math.cbrt(keys);
  return Array.from({ length: count }, () => ({ wv: rng.normals(d * d, scale), wk: rng.normals(d * d, scale), wq: rng.normals(d * d, scale) }));
}

function lsaCase(b: number, d: number, n: number, h: number, quick: boolean, full: boolean, op: string): CaseSpec {
  return layersCase(`lsa-B${b}-D${d}-N${n}`, op, `B ${b}, D ${d}, N ${n}, ${h} heads`, op === 'LSA layer (long)' ? n : b, quick, full, [b, d, n], (rng) => [{ kind: 'lsa', heads: randomHeads(rng, h, d, n) }]);
}

function nsTransformerCase(b: number, d: number, steps: number, quick: boolean, full: boolean): CaseSpec {
  const c = lib.constructions.newtonSchulz({ d, steps });
  return layersCase(
    `transformer-ns-B${b}-d${d}-T${steps}`, 'transformer (Newton–Schulz construction)', `B ${b}, d ${d}, ${steps} steps = ${c.layers.length} layers`, b, quick, full,
    [b, c.width, c.tokens],
    () => c.layers,
    (rng) => {
      const h = new Float32Array(b * c.width * c.tokens);
      for (let p = 0; p < b; p++) {
        const { a } = R.conditioned(rng, d, 10);
        const alpha = R.safeAlpha(a, d);
        h.set(c.embed(a, Float64Array.from({ length: d * d }, (_, k) => alpha * a[(k % d) * d + Math.floor(k / d)]!)), p * c.width * c.tokens);
      }
      return h;
    },
  );
}

// ---- invert to tolerance --------------------------------------------------------------------

function invertCase(n: number, kappa: number, quick: boolean, full: boolean): CaseSpec {
  return {
    id: `invert-n${n}-k${kappa}`,
    op: 'invert (to tolerance)',
    config: `n ${n}, κ ${kappa}`,
    size: n,
    quick,
    full,
    async prepare() {
      const { a: m } = R.conditioned(R.random(n * kappa), n, kappa);
      const a = Float32Array.from(m);
      const truth = R.inverseLU(a, n);
      const at = runtime.tensor(a, [1, n, n]);
      let last: Lib.Inverse | null = null;
      const probe = await runtime.invert(at);
      const steps = probe.iterations;
      probe.inverse.destroy();
      const A = tf.tensor3d(a, [1, n, n]);
      const notes = [`${steps} Newton–Schulz steps; ours: GPU-side residual and stop, ${probe.readbacks} status readbacks; TF.js: the same ${steps} steps with no readback`];
      return {
        flops: steps * 4 * n ** 3,
        notes,
        ours: {
          async run(reps) {
            for (let r = 0; r < reps; r++) {
              last?.inverse.destroy();
              last = await runtime.invert(at);
            }
            return null;
          },
          async check() {
            const x = await last!.inverse.read();
            return { ...accuracy(x, truth, 1e-6 * kappa * Math.sqrt(n)), ok: last!.converged[0]! && accuracy(x, truth, 1e-6 * kappa * Math.sqrt(n)).ok };
          },
        },
        tf: tfRunner(() => {
          const norms = tf.mul(tf.max(tf.sum(tf.abs(A), 1)), tf.max(tf.sum(tf.abs(A), 2)));
          let x = tf.div(tf.transpose(A, [0, 2, 1]), norms);
          for (let s = 0; s < steps; s++) x = tf.sub(tf.mul(x, 2), tf.matMul(x, tf.matMul(A, x)));
          return x;
        }, (x) => accuracy(x, truth, 1e-6 * kappa * Math.sqrt(n))),
        dispose() {
          last?.inverse.destroy();
          at.destroy();
          A.dispose();
        },
      };
    },
  };
}

const CASES: CaseSpec[] = [
  ...[64, 128, 256, 512, 1024].map((n) => nsStepCase(1, n, n === 64 || n === 128, true)),
  nsStepCase(2048, 8, false, true),
  nsStepCase(256, 8, true, false),
  invertCase(256, 100, false, true),
  invertCase(64, 100, true, false),
  lsaCase(128, 43, 51, 2, false, true, 'LSA layer (paper scale)'),
  lsaCase(1024, 43, 51, 2, false, true, 'LSA layer (paper scale)'),
  lsaCase(16, 43, 51, 2, true, false, 'LSA layer (paper scale)'),
  ...[512, 1024, 4096].map((n) => lsaCase(4, 64, n, 2, n === 512, true, 'LSA layer (long)')),
  nsTransformerCase(64, 10, 10, false, true),
  nsTransformerCase(16, 10, 10, true, false),
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Warm-up run first (compilation, first-use allocation), untimed. Fast cases then repeat K
 * times per sample (K chosen for ~150 ms samples) over 5 samples; slow cases (a run longer
 * than the sample target) take one repetition per sample and as many samples as fit in a
 * time budget (at least one), so the whole benchmark stays within minutes on a CPU adapter.
 */
async function time(runner: Runner, quick: boolean): Promise<Timing> {
  const target = quick ? 20 : 150; // ms per sample
  const budget = quick ? 2_000 : 12_000; // ms for the samples of one slow case
  let t0 = performance.now();
  const warmReader = await runner.run(1);
  const warm = performance.now() - t0;
  await warmReader?.();
  let reps = 1;
  let samples = quick ? 3 : 5;
  if (warm < target) {
    t0 = performance.now();
    const reader = await runner.run(1);
    reps = Math.max(1, Math.min(200, Math.round(target / Math.max(performance.now() - t0, 0.01))));
    await reader?.();
  } else {
    samples = Math.max(1, Math.min(samples, Math.floor(budget / warm)));
  }
  const ms: number[] = [];
  const gpu: number[] = [];
  for (let s = 0; s < samples; s++) {
    t0 = performance.now();
    const reader = await runner.run(reps);
    ms.push((performance.now() - t0) / reps);
    if (reader) gpu.push((await reader()) / reps);
  }
  return { medianMs: median(ms), gpuMedianMs: gpu.length ? median(gpu) : null, minMs: Math.min(...ms), maxMs: Math.max(...ms), reps, samples };
}

async function runCase(id: string, quick: boolean): Promise<CaseResult> {
  const spec = CASES.find((c) => c.id === id);
  if (!spec) throw new Error(`unknown case ${id}`);
  const p = await spec.prepare();
  try {
    const oursTime = await time(p.ours, quick);
    const oursAcc = await p.ours.check();
    let tfResult: CaseResult['tf'] = null;
    if (p.tf) {
      const t = await time(p.tf, quick);
      tfResult = { ...t, gflops: p.flops / t.medianMs / 1e6, accuracy: await p.tf.check() };
    }
    return {
      id, op: spec.op, config: spec.config, size: spec.size, flops: p.flops,
      ours: { ...oursTime, gflops: p.flops / oursTime.medianMs / 1e6, accuracy: oursAcc },
      tf: tfResult,
      notes: p.notes ?? [],
    };
  } finally {
    p.dispose();
  }
}

async function info() {
  const adapter = await navigator.gpu.requestAdapter();
  const i = adapter!.info;
  return { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, features: [...device.features], tfjs: tf.version_core };
}

Object.assign(window, {
  bench: {
    list: (quick: boolean) => CASES.filter((c) => (quick ? c.quick : c.full)).map((c) => ({ id: c.id, op: c.op, config: c.config })),
    run: runCase,
    roofline: (quick: boolean) => lib.measureRoofline(device, { quick }),
    info,
  },
});
document.getElementById('log')!.textContent = 'ready';
