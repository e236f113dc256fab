// Browser half of `npm run bench`: a registry of ops × named shapes, each timed for this package
// and for its peers (TensorFlow.js's WebGPU backend on our GPUDevice, jax-js on its own device of
// the same adapter), and checked against the float64 reference. One timing method for all:
// wall clock of one run plus one readback of its whole result, after an untimed warm-up; medians.
import type * as Lib from '../src/index.js';
import { countGpuCalls } from '../tools/gpuCounters.js';
import { median } from '../tools/stats.js';
import { linearAttentionCases } from './linear-attention.js';
import { loadJax } from './peers/jax.js';
import { ORT_VERSION } from './peers/onnx.js';
import type { Peer, PeerOp } from './peers/peer.js';
import { loadTf } from './peers/tf.js';
import { measureRoofline } from './roofline.js';
import { trainingCases } from './training.js';

const url = '/dist/index.js';
const lib = (await import(/* @vite-ignore */ url)) as typeof Lib;
const R = lib.reference;

export type PeerName = 'tf' | 'jax' | 'ort';

export interface Timing {
  /** Median wall clock of one measurement: run once, read the whole result back. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
  /** Ours only: GPU time of the same runs from timestamp queries, when the device has them. */
  gpuMedianMs: number | null;
}

export interface Accuracy {
  maxAbs: number;
  rmsRelative: number;
  nonFinite: number;
  ok: boolean;
}

export type Measured = Timing & { gflops: number; accuracy: Accuracy };

export interface CaseResult {
  id: string;
  op: string;
  config: string;
  /** x-axis value for charts (matrix size, tokens, batch). */
  size: number;
  flops: number;
  ours: Measured;
  tf: Measured | null;
  jax: Measured | null;
  /** ONNX Runtime Web (linear attention only). */
  ort: Measured | null;
  notes: string[];
  /** Submits and buffer maps of one `runtime.transformer` call, counted (transformer cases). */
  counts: { layers: number; submits: number; maps: number } | null;
}

export interface OursRun {
  out: Float32Array;
  /** Reads the GPU time of this run (after the wall clock stopped), or null without timestamps. */
  gpuMs: (() => Promise<number>) | null;
}

export interface Prepared {
  flops: number;
  ours(): Promise<OursRun>;
  /** The same computation on a peer, or null when the peer has no equivalent. */
  peer(p: Peer): PeerOp | null;
  /** The same computation on ONNX Runtime Web (its sessions are created asynchronously). */
  ort?(): Promise<PeerOp>;
  /** Compares a result with float64; `ours` adds checks only our op reports (convergence). */
  check(out: Float32Array, ours: boolean): Accuracy;
  notes?: string[];
  counts?: CaseResult['counts'];
  /**
   * Long cases (training): measured runs per side instead of the time budget's policy, after
   * `warm` (ours) and `PeerOp.warm` (peers) instead of a whole untimed run.
   */
  samples?: number;
  warm?(): Promise<void>;
  dispose(): void;
}

export interface CaseSpec {
  id: string;
  op: string;
  config: string;
  size: number;
  quick: boolean;
  full: boolean;
  prepare(): Promise<Prepared>;
}

/**
 * The device ours and TF.js share: timestamp-query and the adapter's buffer and workgroup limits
 * (what TF.js's own backend asks for, less bgra8unorm-storage, a storage-texture format),
 * plus `subgroups` when the adapter has it, which our
 * large-product GEMM uses (runtime.prepare('large') below).
 */
async function sharedDevice(): Promise<{ device: GPUDevice; adapterInfo: GPUAdapterInfo }> {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const want: GPUFeatureName[] = ['timestamp-query', 'subgroups' as GPUFeatureName];
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: want.filter((f) => adapter.features.has(f)),
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  return { device, adapterInfo: adapter.info };
}

const shared = await sharedDevice();
const tfPeer = await loadTf(shared.device, shared.adapterInfo);
let jaxPeer: Awaited<ReturnType<typeof loadJax>> | null = null;
let jaxError: string | null = null;
try {
  jaxPeer = await loadJax();
} catch (e) {
  jaxError = String(e instanceof Error ? e.message : e);
}
const PEERS: Record<'tf' | 'jax', Peer | null> = { tf: tfPeer.peer, jax: jaxPeer?.peer ?? null };
// Ours on TensorFlow.js's device: the same device and queue as that peer.
const device = shared.device;
const runtime = await lib.createRuntime(device);
// The direct schedule's large-product kernel (nothing on the tiled schedule); not part of start-up.
await runtime.prepare('large');
const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

function buffer(data: Float32Array): GPUBuffer {
  const b = device.createBuffer({ size: data.byteLength, usage: STORAGE });
  device.queue.writeBuffer(b, 0, data as Float32Array<ArrayBuffer>);
  return b;
}

function accuracy(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): Accuracy {
  const c = R.compare(actual, expected);
  const ok = c.nonFinite === 0 && c.rmsRelative <= tolerance;
  return { maxAbs: c.maxAbs, rmsRelative: c.rmsRelative, nonFinite: c.nonFinite, ok };
}

const timestamps = device.features.has('timestamp-query')
  ? {
      set: device.createQuerySet({ type: 'timestamp', count: 2 }),
      resolve: device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }),
    }
  : null;

/**
 * Our kernels: `encode` records one run; the same command buffer copies `output` (`count`
 * floats) to a staging buffer, which is mapped and read. With timestamp queries, two empty
 * passes bracket the run; their values are read after the wall clock stops.
 */
function kernelRun(encode: (e: GPUCommandEncoder) => void, output: () => GPUBuffer, count: number) {
  const staging = device.createBuffer({ size: count * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const run = async (): Promise<OursRun> => {
    const e = device.createCommandEncoder();
    let stamps: GPUBuffer | null = null;
    if (timestamps) {
      e.beginComputePass({ timestampWrites: { querySet: timestamps.set, beginningOfPassWriteIndex: 0 } }).end();
    }
    encode(e);
    if (timestamps) {
      e.beginComputePass({ timestampWrites: { querySet: timestamps.set, endOfPassWriteIndex: 1 } }).end();
      e.resolveQuerySet(timestamps.set, 0, 2, timestamps.resolve, 0);
      stamps = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      e.copyBufferToBuffer(timestamps.resolve, 0, stamps, 0, 16);
    }
    e.copyBufferToBuffer(output(), 0, staging, 0, count * 4);
    device.queue.submit([e.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    const read = stamps;
    const gpuMs = read
      ? async () => {
          await read.mapAsync(GPUMapMode.READ);
          const [begin, end] = new BigInt64Array(read.getMappedRange());
          read.destroy();
          return Number(end! - begin!) / 1e6;
        }
      : null;
    return { out, gpuMs };
  };
  return { run, staging };
}

// ---- Newton–Schulz step -------------------------------------------------------------------

/** X'[r, :] = 2X[r, :] − ((X[r, :] A) X) in float64: O(n²) per checked row. */
function nsRows(a: Float32Array, x: Float32Array, n: number, rows: number[], base: number): Float64Array {
  const out = new Float64Array(rows.length * n);
  for (const [k, r] of rows.entries()) {
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
  }
  return out;
}

function pickRows(actual: Float32Array, n: number, rows: number[], base: number): Float32Array {
  const out = new Float32Array(rows.length * n);
  for (const [k, r] of rows.entries()) out.set(actual.subarray(base + r * n, base + (r + 1) * n), k * n);
  return out;
}

/** A batch of κ-conditioned matrices and their X₀ = αAᵀ, as f32. */
function nsInputs(batch: number, n: number, seed: number, kappa: number) {
  const rng = R.random(seed);
  const a = new Float32Array(batch * n * n);
  const x = new Float32Array(batch * n * n);
  for (let b = 0; b < batch; b++) {
    const m = R.conditioned(rng, n, kappa).a;
    a.set(m, b * n * n);
    x.set(R.initialInverse(m, n), b * n * n);
  }
  return { a, x };
}

/** A runtime on the tiled schedule (the GPU default), for the cases that measure it here too. */
let tiledRuntime: Promise<Lib.Runtime> | null = null;

function nsStepCase(batch: number, n: number, quick: boolean, full: boolean, schedule?: 'tiled'): CaseSpec {
  return {
    id: `ns-step-B${batch}-n${n}${schedule ? `-${schedule}` : ''}`,
    op: 'Newton–Schulz step',
    config: `${batch === 1 ? `n ${n}` : `${batch} × ${n}×${n}`}${schedule ? `, ${schedule} schedule` : ''}`,
    size: batch === 1 ? n : batch,
    quick,
    full,
    async prepare() {
      const count = batch * n * n;
      const { a, x } = nsInputs(batch, n, n + batch, 10);
      // Checked: every row of the first and last matrices for small n, 8 rows for large n.
      const rows = n <= 128 ? Array.from({ length: n }, (_, i) => i) : [0, 1, 2, n >> 2, n >> 1, n - 3, n - 2, n - 1];
      const bases = batch === 1 ? [0] : [0, (batch - 1) * n * n];
      const expected = bases.map((base) => nsRows(a, x, n, rows, base));
      const ab = buffer(a);
      const xb = buffer(x);
      const out = device.createBuffer({ size: count * 4, usage: STORAGE });
      if (schedule) tiledRuntime ??= lib.createRuntime(device, { gemm: schedule });
      const rt = schedule && tiledRuntime ? await tiledRuntime : runtime;
      const kernel = rt.createNewtonSchulzStep([batch, n, n]);
      const ours = kernelRun(
        (e) => kernel.encode(e, ab, xb, out),
        () => out,
        count,
      );
      return {
        flops: batch * 4 * n ** 3,
        ours: ours.run,
        peer: (p) => p.nsStep(a, x, [batch, n, n]),
        check(result) {
          const got = new Float32Array(bases.length * rows.length * n);
          const want = new Float64Array(got.length);
          for (const [i, base] of bases.entries()) {
            got.set(pickRows(result, n, rows, base), i * rows.length * n);
            want.set(expected[i]!, i * rows.length * n);
          }
          return accuracy(got, want, 1e-5);
        },
        dispose() {
          kernel.destroy();
          for (const b of [ab, xb, out, ours.staging]) b.destroy();
        },
      };
    },
  };
}

/** `steps` chained steps from X₀ in one submit (ours: two buffers in turn), one readback. */
function nsChainCase(batch: number, n: number, steps: number, quick: boolean, full: boolean): CaseSpec {
  return {
    id: `ns-chain-B${batch}-n${n}-T${steps}`,
    op: `Newton–Schulz, ${steps} chained steps`,
    config: `${batch} × ${n}×${n}`,
    size: batch,
    quick,
    full,
    async prepare() {
      const count = batch * n * n;
      const { a, x } = nsInputs(batch, n, 31 * batch + n, 10);
      // Checked: the first and last 8 matrices after all steps, against float64 steps from the same f32 X₀.
      const checked = [
        ...Array.from({ length: Math.min(8, batch) }, (_, i) => i),
        ...Array.from({ length: Math.min(8, batch) }, (_, i) => batch - 1 - i),
      ];
      const slice = (v: Float32Array, b: number) => v.subarray(b * n * n, (b + 1) * n * n);
      const expected = new Float64Array(checked.length * n * n);
      for (const [i, b] of checked.entries())
        expected.set(R.newtonSchulz(slice(a, b), slice(x, b), { d: n, steps }), i * n * n);
      const ab = buffer(a);
      const xb = buffer(x);
      const ping = device.createBuffer({ size: count * 4, usage: STORAGE });
      const pong = device.createBuffer({ size: count * 4, usage: STORAGE });
      const kernel = runtime.createNewtonSchulzStep([batch, n, n]);
      const encode = (e: GPUCommandEncoder) => {
        kernel.encode(e, ab, xb, ping);
        for (let s = 1; s < steps; s++) kernel.encode(e, ab, s % 2 ? ping : pong, s % 2 ? pong : ping);
      };
      const ours = kernelRun(encode, () => (steps % 2 ? ping : pong), count);
      return {
        flops: steps * batch * 4 * n ** 3,
        ours: ours.run,
        peer: (p) => p.nsChain(a, x, [batch, n, n], steps),
        check(result) {
          const got = new Float32Array(expected.length);
          for (const [i, b] of checked.entries()) got.set(slice(result, b), i * n * n);
          return accuracy(got, expected, 1e-5);
        },
        dispose() {
          kernel.destroy();
          for (const b of [ab, xb, ping, pong, ours.staging]) b.destroy();
        },
      };
    },
  };
}

// ---- invert to tolerance --------------------------------------------------------------------

/**
 * runtime.invert (its own status readbacks included) against peers running the same number of
 * Newton–Schulz steps from the same X₀, one readback. Checked against LU in float64: with a
 * tolerance τ on ‖I − AX‖_F the relative error is at most τ (‖X − A⁻¹‖ ≤ ‖A⁻¹‖‖I − AX‖); without
 * one, the float32 floor 1e-6·κ·√n.
 */
function invertCase(
  batch: number,
  n: number,
  kappaMax: number,
  tolerance: number | null,
  quick: boolean,
  full: boolean,
): CaseSpec {
  return {
    id: `invert-B${batch}-n${n}-k${kappaMax}${tolerance ? `-tol${tolerance}` : ''}`,
    op: 'invert (to tolerance)',
    config:
      `${batch === 1 ? '' : `${batch} × `}n ${n}, κ ${batch === 1 ? kappaMax : `1…${kappaMax}`}` +
      (tolerance ? `, tol ${tolerance}` : ''),
    size: batch === 1 ? n : batch,
    quick,
    full,
    async prepare() {
      const rng = R.random(n * kappaMax + batch);
      const a = new Float32Array(batch * n * n);
      const truth = new Float64Array(batch * n * n);
      for (let b = 0; b < batch; b++) {
        const kappa = batch === 1 ? kappaMax : kappaMax ** ((b % 3) / 2); // 1, √κ, κ
        const m = Float32Array.from(R.conditioned(rng, n, kappa).a);
        a.set(m, b * n * n);
        truth.set(R.inverseLU(m, n), b * n * n);
      }
      const bound = tolerance ?? 1e-6 * kappaMax * Math.sqrt(n);
      const options = tolerance ? { tolerance } : {};
      const at = runtime.tensor(a, [batch, n, n]);
      const probe = await runtime.invert(at, options);
      const steps = probe.iterations;
      probe.inverse.destroy();
      let converged = true;
      return {
        flops: steps * batch * 4 * n ** 3,
        notes: [
          `${steps} Newton–Schulz steps; ours: GPU-side residual and stop, ${probe.readbacks} status readbacks ` +
            `inside the time; peers: the same ${steps} steps, one readback`,
        ],
        async ours() {
          const r = await runtime.invert(at, options);
          const out = await r.inverse.read();
          r.inverse.destroy();
          converged = r.converged.every(Boolean);
          return { out, gpuMs: null };
        },
        peer: (p) => p.invert(a, [batch, n, n], steps),
        check(result, ours) {
          const acc = accuracy(result, truth, bound);
          return ours ? { ...acc, ok: acc.ok && converged } : acc;
        },
        dispose() {
          at.destroy();
        },
      };
    },
  };
}

// ---- LSA layer and stacks -----------------------------------------------------------------

function lsaFlops(b: number, d: number, n: number, h: number): number {
  return b * (2 * n * d * d + 4 * h * d ** 3 + 2 * d * d * n);
}

interface LayersSpec {
  id: string;
  op: string;
  config: string;
  size: number;
  quick: boolean;
  full: boolean;
  shape: [number, number, number];
  layers(rng: Lib.reference.Random): Lib.Layer[];
  data?(rng: Lib.reference.Random): Float32Array;
  /** Count the submits and maps of one runtime.transformer call. */
  count?: boolean;
}

function layersCase(spec: LayersSpec): CaseSpec {
  return {
    ...spec,
    async prepare() {
      const [b, d, n] = spec.shape;
      const rng = R.random(b * 7 + d * 13 + n);
      const layers = spec.layers(rng);
      const h = spec.data ? spec.data(rng) : rng.normals(b * d * n);
      const checked = Math.min(b, 2);
      const expected = R.transformer(h.subarray(0, checked * d * n), [checked, d, n], layers);
      const input = buffer(h);
      const output = device.createBuffer({ size: h.byteLength, usage: STORAGE });
      const kernel = runtime.createTransformer(layers, { batch: b, width: d, tokens: n });
      const ours = kernelRun(
        (e) => kernel.encode(e, input, output),
        () => output,
        h.length,
      );
      const lsaOnly = layers.every((l) => l.kind === 'lsa' && l.keys === undefined);
      let counts: CaseResult['counts'] = null;
      if (spec.count) {
        const t = runtime.tensor(h, spec.shape);
        const counter = countGpuCalls(device);
        const y = runtime.transformer(t, layers);
        counts = { layers: layers.length, submits: counter.submits, maps: counter.maps };
        counter.restore();
        y.destroy();
        t.destroy();
      }
      const flops = layers.reduce(
        (s, l) =>
          s + (l.kind === 'lsa' ? lsaFlops(b, d, n, l.heads.length) : l.kind === 'mlp' ? b * 4 * l.hidden * d * n : 0),
        0,
      );
      return {
        flops,
        counts,
        ours: ours.run,
        peer: (p) =>
          lsaOnly
            ? p.lsaStack(
                h,
                spec.shape,
                layers.map((l) => (l as Extract<Lib.Layer, { kind: 'lsa' }>).heads),
              )
            : null,
        check: (result) => accuracy(result.subarray(0, checked * d * n), expected, 1e-5),
        dispose() {
          kernel.destroy();
          for (const buf of [input, output, ours.staging]) buf.destroy();
        },
      };
    },
  };
}

function randomHeads(rng: Lib.reference.Random, count: number, d: number, keys: number): Lib.LsaHead[] {
  const scale = 0.5 / Math.sqrt(d) / Math.cbrt(keys);
  return Array.from({ length: count }, () => ({
    wv: rng.normals(d * d, scale),
    wk: rng.normals(d * d, scale),
    wq: rng.normals(d * d, scale),
  }));
}

function lsaCase(b: number, d: number, n: number, h: number, quick: boolean, full: boolean, op: string): CaseSpec {
  return layersCase({
    id: `lsa-B${b}-D${d}-N${n}`,
    op,
    config: `B ${b}, D ${d}, N ${n}, ${h} heads`,
    size: op === 'LSA layer (long)' ? n : b,
    quick,
    full,
    shape: [b, d, n],
    layers: (rng) => [{ kind: 'lsa', heads: randomHeads(rng, h, d, n) }],
  });
}

function nsTransformerCase(b: number, d: number, steps: number, quick: boolean, full: boolean): CaseSpec {
  const c = lib.constructions.newtonSchulz({ d, steps });
  return layersCase({
    id: `transformer-ns-B${b}-d${d}-T${steps}`,
    op: 'transformer (Newton–Schulz construction)',
    config: `B ${b}, d ${d}, ${steps} steps = ${c.layers.length} layers`,
    size: b,
    quick,
    full,
    shape: [b, c.width, c.tokens],
    layers: () => c.layers,
    data(rng) {
      const h = new Float32Array(b * c.width * c.tokens);
      for (let p = 0; p < b; p++) {
        const { a } = R.conditioned(rng, d, 10);
        h.set(c.embed(a, R.initialInverse(a, d)), p * c.width * c.tokens);
      }
      return h;
    },
    count: true,
  });
}

const CASES: CaseSpec[] = [
  ...[64, 128, 256, 512, 1024].map((n) => nsStepCase(1, n, n === 64 || n === 128, true)),
  nsStepCase(1, 512, false, true, 'tiled'),
  nsStepCase(2048, 8, false, true),
  nsStepCase(256, 8, true, false),
  nsChainCase(2048, 8, 20, false, true),
  nsChainCase(256, 8, 20, true, false),
  invertCase(2048, 8, 100, 1e-4, false, true),
  invertCase(256, 8, 100, 1e-4, true, false),
  invertCase(1, 256, 100, null, false, true),
  invertCase(1, 64, 100, null, true, false),
  lsaCase(128, 43, 51, 2, false, true, 'LSA layer (paper scale)'),
  lsaCase(1024, 43, 51, 2, false, true, 'LSA layer (paper scale)'),
  lsaCase(16, 43, 51, 2, true, false, 'LSA layer (paper scale)'),
  ...[512, 1024, 4096].map((n) => lsaCase(4, 64, n, 2, n === 512, true, 'LSA layer (long)')),
  nsTransformerCase(64, 10, 10, false, true),
  nsTransformerCase(16, 10, 4, true, false),
];

let onnxModels: Record<string, Uint8Array> = {};
CASES.push(...linearAttentionCases({ lib, device, runtime, buffer, accuracy, models: () => onnxModels }));
const trainers = { [tfPeer.peer.name]: tfPeer.training, ...(jaxPeer && { [jaxPeer.peer.name]: jaxPeer.training }) };
const trainSteps = Number(new URL(location.href).searchParams.get('trainSteps') ?? 50);
CASES.push(...trainingCases({ lib, runtime, accuracy, trainers }, trainSteps));

/**
 * One untimed warm-up run (compilation, first-use allocation), then measurements of one run
 * plus one readback each: at least 3, then more while the time budget lasts (at most 15). Quick
 * mode (CI): at most 5 within 1.5 s, and a single one when the warm-up alone exceeded that.
 */
async function time<T>(
  once: () => Promise<T>,
  quick: boolean,
  gpu?: ((r: T) => (() => Promise<number>) | null) | null,
  fixed?: { samples?: number; warm?: () => Promise<void> },
) {
  const budget = quick ? 1_500 : 8_000;
  const warm = performance.now();
  let last: T | null = null;
  if (fixed?.warm) await fixed.warm();
  else last = await once();
  const least = fixed?.samples ?? (quick && performance.now() - warm > budget ? 1 : 3);
  const most = fixed?.samples ?? (quick ? 5 : 15);
  const ms: number[] = [];
  const gpuMs: number[] = [];
  const start = performance.now();
  while (ms.length < least || (ms.length < most && performance.now() - start < budget)) {
    const t0 = performance.now();
    last = await once();
    ms.push(performance.now() - t0);
    const reader = gpu?.(last);
    if (reader) gpuMs.push(await reader());
  }
  if (last === null) throw new Error('no measured run');
  const timing: Timing = {
    medianMs: median(ms),
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
    samples: ms.length,
    gpuMedianMs: gpuMs.length ? median(gpuMs) : null,
  };
  return { timing, last };
}

async function runCase(id: string, quick: boolean): Promise<CaseResult> {
  const spec = CASES.find((c) => c.id === id);
  if (!spec) throw new Error(`unknown case ${id}`);
  const p = await spec.prepare();
  const measured = (timing: Timing, accuracy: Accuracy): Measured => ({
    ...timing,
    gflops: p.flops / timing.medianMs / 1e6,
    accuracy,
  });
  try {
    const fixed = p.samples === undefined ? undefined : { samples: p.samples };
    const ours = await time(p.ours, quick, (r) => r.gpuMs, p.warm ? { ...fixed, warm: p.warm } : fixed);
    const result: CaseResult = {
      id,
      op: spec.op,
      config: spec.config,
      size: spec.size,
      flops: p.flops,
      ours: measured(ours.timing, p.check(ours.last.out, true)),
      tf: null,
      jax: null,
      ort: null,
      notes: [...(p.notes ?? [])],
      counts: p.counts ?? null,
    };
    for (const name of ['tf', 'jax'] as const) {
      const peer = PEERS[name];
      const op = peer ? p.peer(peer) : null;
      if (!op) continue;
      try {
        const t = await time(() => op.once(), quick, null, op.warm ? { ...fixed, warm: op.warm } : fixed);
        result[name] = measured(t.timing, op.verify ? await op.verify() : p.check(t.last, false));
      } catch (e) {
        result.notes.push(`${peer!.name} failed: ${String(e instanceof Error ? e.message : e)}`);
      } finally {
        op.dispose();
      }
    }
    if (p.ort) {
      const op = await p.ort();
      try {
        const t = await time(() => op.once(), quick);
        result.ort = measured(t.timing, p.check(t.last, false));
      } finally {
        op.dispose();
      }
    }
    return result;
  } finally {
    p.dispose();
  }
}

/** `createRuntime` on `count` fresh devices (a new adapter and device each, destroyed after). */
async function startup(count: number): Promise<{ ms: number[]; gemm: string }> {
  const ms: number[] = [];
  let gemm = '';
  for (let i = 0; i < count; i++) {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) throw new Error('no WebGPU adapter');
    const fresh = await adapter.requestDevice();
    const t0 = performance.now();
    const rt = await lib.createRuntime(fresh);
    ms.push(performance.now() - t0);
    gemm = rt.gemm;
    fresh.destroy();
  }
  return { ms, gemm };
}

async function info() {
  const adapter = await navigator.gpu.requestAdapter();
  const i = adapter!.info;
  const jaxInfo = (jaxPeer?.device as (GPUDevice & { adapterInfo?: GPUAdapterInfo }) | undefined)?.adapterInfo;
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    features: [...device.features],
    software: lib.isSoftwareAdapter(i),
    gemm: runtime.gemm,
    peers: {
      tf: { name: tfPeer.peer.name, version: tfPeer.peer.version, device: 'the same GPUDevice as lsa-newton' },
      jax: jaxPeer
        ? {
            name: jaxPeer.peer.name,
            version: jaxPeer.peer.version,
            device: `its own GPUDevice on ${jaxInfo ? `${jaxInfo.vendor} / ${jaxInfo.architecture}` : 'its adapter'}`,
          }
        : { name: 'jax-js', version: '', device: `not loaded: ${jaxError}` },
      ort: {
        name: 'ONNX Runtime Web',
        version: ORT_VERSION,
        device: 'its own GPUDevice (WebGPU EP), linear attention only',
      },
    },
  };
}

Object.assign(window, {
  bench: {
    list: (quick: boolean) =>
      CASES.filter((c) => (quick ? c.quick : c.full)).map((c) => ({ id: c.id, op: c.op, config: c.config })),
    run: runCase,
    roofline: (quick: boolean) => measureRoofline(device, { quick }),
    startup,
    info,
    /** One-node ONNX models (base64) for the ONNX Runtime Web peer, written in Node with onnx-proto. */
    setOnnxModels: (models: Record<string, string>) => {
      const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      onnxModels = Object.fromEntries(Object.entries(models).map(([k, b64]) => [k, bytes(b64)]));
    },
  },
});
document.getElementById('log')!.textContent = 'ready';
