// Browser half of the GPU tests: loads the built package exactly as a user page would
// (`import('/dist/index.js')`), runs jobs sent from Node and returns raw f32 results.
// Float64 references and comparisons run in Node, so nothing here can bend a result.
// @ts-check

const lib = await import('/dist/index.js');
/** @type {typeof import('../../tools/gpuCounters.js')} */
const { countGpuCalls } = await import('/.build/tools/gpuCounters.js');

/** @param {string} b64 */
function bytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** @param {ArrayBufferView} view */
function base64(view) {
  const u8 = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Typed arrays travel as { $f32: base64 } / { $f64: base64 }; everything else as JSON. */
function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === 'object') {
    if ('$f32' in value) return new Float32Array(bytes(value.$f32).buffer);
    if ('$f64' in value) return new Float64Array(bytes(value.$f64).buffer);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

const adapter = await navigator.gpu?.requestAdapter();
if (!adapter) throw new Error('WebGPU is not available in this browser (navigator.gpu or an adapter is missing)');
const device = await adapter.requestDevice({
  requiredLimits: {
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  },
});
// Both GEMM schedules on the same device: jobs pick one with `gemm` (default: the adapter's).
const runtimes = {
  tiled: await lib.createRuntime(device, { gemm: 'tiled' }),
  direct: await lib.createRuntime(device, { gemm: 'direct' }),
};
const auto = await lib.createRuntime(device);
let runtime = auto;
const pick = (job) => {
  runtime = job.gemm ? runtimes[job.gemm] : auto;
  return job;
};

// Count submits and map requests so tests can prove "one submit, no readback in between"
// (the page's own readbacks happen after each job's counts are taken).
const counts = countGpuCalls(device);

// Record every dispatched grid so tests can assert what was really dispatched (e.g. folding).
const grids = [];
const dispatchWorkgroups = GPUComputePassEncoder.prototype.dispatchWorkgroups;
GPUComputePassEncoder.prototype.dispatchWorkgroups = function (x, y = 1, z = 1) {
  grids.push([x, y, z]);
  return dispatchWorkgroups.call(this, x, y, z);
};

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

async function readBuffer(buffer, count) {
  const staging = device.createBuffer({ size: count * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, count * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}

function makeKernel(job, shape) {
  if (job.op === 'lsa') return runtime.createLsa(job.heads, shape, job.options);
  if (job.op === 'reluMlp') return runtime.createReluMlp(job.layer, shape);
  if (job.op === 'transformer') return runtime.createTransformer(job.layers, shape);
  throw new Error(`unknown op ${job.op}`);
}

function callApi(job, h) {
  if (job.op === 'lsa') return runtime.lsa(h, job.heads, job.options);
  if (job.op === 'reluMlp') return runtime.reluMlp(h, job.layer);
  if (job.op === 'transformer') return runtime.transformer(h, job.layers);
  throw new Error(`unknown op ${job.op}`);
}

/**
 * Low-level path: caller-owned input/output buffers (output pre-filled with NaN so an
 * unwritten element cannot pass), the caller's encoder, one submit.
 */
async function runKernel(wire) {
  const job = pick(decode(wire));
  const [batch, width, tokens] = job.shape;
  const count = batch * width * tokens;
  device.pushErrorScope('validation');
  const input = device.createBuffer({ size: count * 4, usage: STORAGE });
  const output = device.createBuffer({ size: count * 4, usage: STORAGE });
  device.queue.writeBuffer(input, 0, job.h);
  device.queue.writeBuffer(output, 0, new Float32Array(count).fill(NaN));
  const kernel = makeKernel(job, { batch, width, tokens });
  const before = { submits: counts.submits, maps: counts.maps };
  const encoder = device.createCommandEncoder();
  kernel.encode(encoder, input, output);
  device.queue.submit([encoder.finish()]);
  const submits = counts.submits - before.submits;
  const out = await readBuffer(output, count);
  kernel.destroy();
  input.destroy();
  output.destroy();
  const error = await device.popErrorScope();
  return { out: base64(out), submits, validation: error ? error.message : null };
}

/** Convenience path: runtime.tensor → op → read. */
async function runApi(wire) {
  const job = pick(decode(wire));
  device.pushErrorScope('validation');
  const h = runtime.tensor(job.h, job.shape);
  const before = { submits: counts.submits, maps: counts.maps };
  const result = callApi(job, h);
  const submits = counts.submits - before.submits;
  const maps = counts.maps - before.maps;
  const out = await result.read();
  const shape = [...result.shape];
  h.destroy();
  result.destroy();
  const error = await device.popErrorScope();
  return { out: base64(out), shape, submits, maps, validation: error ? error.message : null };
}

/** One Newton–Schulz step through the low-level kernel, output pre-filled with NaN. */
async function newtonSchulzStep(wire) {
  const job = pick(decode(wire));
  const count = job.a.length;
  device.pushErrorScope('validation');
  const make = (data) => {
    const b = device.createBuffer({ size: count * 4, usage: STORAGE });
    device.queue.writeBuffer(b, 0, data);
    return b;
  };
  const a = make(job.a);
  const x = make(job.x);
  const output = make(new Float32Array(count).fill(NaN));
  const kernel = runtime.createNewtonSchulzStep(job.shape, job.options);
  const encoder = device.createCommandEncoder();
  kernel.encode(encoder, a, x, output);
  device.queue.submit([encoder.finish()]);
  const out = await readBuffer(output, count);
  kernel.destroy();
  for (const b of [a, x, output]) b.destroy();
  const error = await device.popErrorScope();
  return { out: base64(out), validation: error ? error.message : null };
}

/**
 * Batched matmul through the low-level kernel (caller buffers, output pre-filled with NaN).
 * Operands come from `lib.reference.random(seed)` so large cases need not cross the wire;
 * Node regenerates them with the same generator. Returns the output and the dispatched grids.
 */
async function matmul(wire) {
  const job = pick(decode(wire));
  const rng = lib.reference.random(job.seed);
  const count = (s) => s.reduce((x, y) => x * y, 1);
  const a = rng.normals(count(job.aShape));
  const b = rng.normals(count(job.bShape));
  device.pushErrorScope('validation');
  const kernel = runtime.createMatmul(job.aShape, job.bShape, job.options);
  const make = (bytes, data) => {
    const buffer = device.createBuffer({ size: bytes, usage: STORAGE });
    device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  };
  const n = kernel.byteLengths.output / 4;
  const buffers = [make(a.byteLength, a), make(b.byteLength, b), make(n * 4, new Float32Array(n).fill(NaN))];
  grids.length = 0;
  const encoder = device.createCommandEncoder();
  kernel.encode(encoder, ...buffers);
  device.queue.submit([encoder.finish()]);
  const dispatched = grids.map((g) => [...g]);
  const out = await readBuffer(buffers[2], n);
  kernel.destroy();
  for (const x of buffers) x.destroy();
  const error = await device.popErrorScope();
  return { out: base64(out), grids: dispatched, validation: error ? error.message : null };
}

/** runtime.invert on a batch; returns X and everything `Inverse` reports. */
async function invert(wire) {
  const job = pick(decode(wire));
  device.pushErrorScope('validation');
  const a = runtime.tensor(job.a, job.shape);
  const before = { submits: counts.submits, maps: counts.maps };
  const t0 = performance.now();
  const r = await runtime.invert(a, job.options);
  const ms = performance.now() - t0;
  const submits = counts.submits - before.submits;
  const maps = counts.maps - before.maps;
  const x = await r.inverse.read();
  a.destroy();
  r.inverse.destroy();
  const error = await device.popErrorScope();
  return {
    out: base64(x), iterations: r.iterations, matrixIterations: [...r.matrixIterations], residual: [...r.residual],
    converged: r.converged, alpha: [...r.alpha], submits, maps, readbacks: r.readbacks, ms, validation: error ? error.message : null,
  };
}

/** Float32Arrays anywhere in a result → { $f32: base64 } for the trip back to Node. */
function encode(value) {
  if (value instanceof Float32Array) return { $f32: base64(value) };
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  return value;
}

/** runtime.gradients on one stack: dL/dh and the weight gradients, with submit and map counts. */
async function gradients(wire) {
  const job = pick(decode(wire));
  device.pushErrorScope('validation');
  const h = runtime.tensor(job.h, job.shape);
  const g = runtime.tensor(job.g, job.shape);
  const before = { ...counts };
  const r = await runtime.gradients(h, job.layers, g);
  const submits = counts.submits - before.submits;
  const maps = counts.maps - before.maps;
  const input = await r.input.read();
  for (const t of [h, g, r.input]) t.destroy();
  const error = await device.popErrorScope();
  return { input: base64(input), layers: encode(r.layers), submits, maps, validation: error ? error.message : null };
}

/**
 * Trains with runtime.createTrainer, cycling through the given batches; counts submits and maps
 * made by step() calls only. `nanAt`: step indices whose input is replaced by `nanInput`.
 * Returns losses read at `checkpoints` (or the error loss() rejected with) and the final weights.
 */
async function train(wire) {
  const job = pick(decode(wire));
  device.pushErrorScope('validation');
  const inputs = job.inputs.map((x) => runtime.tensor(x, [job.shape.batch, job.shape.width, job.shape.tokens]));
  const targets = job.targets.map((y) => runtime.tensor(y, [job.shape.batch, job.loss.rows.length]));
  // runtime.tensor refuses NaN, so the injected input is written into a tensor's buffer directly.
  const nan = job.nanInput ? runtime.tensor(new Float32Array(job.nanInput.length), [job.shape.batch, job.shape.width, job.shape.tokens]) : null;
  if (nan) device.queue.writeBuffer(nan.buffer, 0, job.nanInput);
  const trainer = await runtime.createTrainer({ layers: job.layers, shape: job.shape, loss: job.loss, optimizer: job.optimizer });
  const outcome = (p) => p.then((value) => ({ value }), (e) => ({ error: { name: e?.name, message: e?.message } }));
  const before = await outcome(trainer.loss());
  const checkpoints = [];
  const snapshots = [];
  let submits = 0;
  let maps = 0;
  const t0 = performance.now();
  for (let s = 0; s < job.steps; s++) {
    const c = { ...counts };
    const input = job.nanAt?.includes(s) ? nan : inputs[s % inputs.length];
    trainer.step(input, targets[s % targets.length]);
    submits += counts.submits - c.submits;
    maps += counts.maps - c.maps;
    if (job.checkpoints?.includes(s)) {
      checkpoints.push({ step: s, loss: await outcome(trainer.loss()) });
      if (job.snapshots) snapshots.push(await trainer.layers());
    }
  }
  const finalLoss = await outcome(trainer.loss());
  const ms = performance.now() - t0;
  const layers = await trainer.layers();
  trainer.destroy();
  for (const t of [...inputs, ...targets, ...(nan ? [nan] : [])]) t.destroy();
  const error = await device.popErrorScope();
  return encode({ before, checkpoints, snapshots, finalLoss, layers, submits, maps, ms, validation: error ? error.message : null });
}

/** Runs a bad call and reports what was thrown, whether WebGPU saw anything, and whether the runtime still works. */
async function expectError(wire) {
  const job = pick(decode(wire));
  device.pushErrorScope('validation');
  const before = { submits: counts.submits, maps: counts.maps };
  let thrown = null;
  try {
    if (job.op === 'tensor') {
      runtime.tensor(job.h, job.shape);
    } else if (job.op === 'readDestroyed') {
      const t = runtime.tensor(new Float32Array(6), [1, 2, 3]);
      t.destroy();
      await t.read();
    } else if (job.op === 'newtonSchulzStep') {
      const a = runtime.tensor(job.a, job.shapeA);
      const x = runtime.tensor(job.x, job.shapeX);
      try {
        runtime.newtonSchulzStep(a, x, job.options);
      } finally {
        a.destroy();
        x.destroy();
      }
    } else if (job.op === 'invert') {
      const a = runtime.tensor(job.a, job.shape);
      try {
        await runtime.invert(a, job.options);
      } finally {
        a.destroy();
      }
    } else if (job.op === 'gradients') {
      const h = runtime.tensor(job.h, job.shape);
      const g = runtime.tensor(job.g, job.gShape);
      try {
        await runtime.gradients(h, job.layers, g);
      } finally {
        h.destroy();
        g.destroy();
      }
    } else if (job.op === 'createTrainer') {
      (await runtime.createTrainer(job.options)).destroy();
    } else if (job.op === 'trainerStep' || job.op === 'trainerDestroyed') {
      const trainer = await runtime.createTrainer(job.options);
      const h = runtime.tensor(job.h, job.shape);
      const y = runtime.tensor(job.y, job.yShape);
      try {
        if (job.op === 'trainerDestroyed') trainer.destroy();
        trainer.step(h, y);
      } finally {
        trainer.destroy();
        h.destroy();
        y.destroy();
      }
    } else if (job.kernel) {
      makeKernel(job, job.kernelShape);
    } else {
      const h = runtime.tensor(job.h, job.shape);
      try {
        callApi(job, h);
      } finally {
        h.destroy();
      }
    }
  } catch (e) {
    thrown = { name: e?.name ?? String(e), message: e?.message ?? String(e), typed: e instanceof lib.LsaNewtonError };
  }
  const submits = counts.submits - before.submits;
  const error = await device.popErrorScope();
  // The runtime must keep working: one small layer, checked in Node against the reference.
  const probe = await runApi({ op: 'reluMlp', h: { $f32: base64(new Float32Array([1, -2, 3, 4])) }, shape: [1, 2, 2], layer: { hidden: 1, w1: { $f32: base64(new Float32Array([1, 1])) }, w2: { $f32: base64(new Float32Array([2, -1])) } } });
  return { thrown, submits, validation: error ? error.message : null, probe };
}

/** Loses a second device on purpose: pending reads and later calls must fail with DeviceLostError. */
async function deviceLoss() {
  const own = await (await navigator.gpu.requestAdapter()).requestDevice();
  const rt = await lib.createRuntime(own);
  const t = rt.tensor(new Float32Array([1, 2, 3, 4]), [1, 2, 2]);
  const outcome = (p) => p.then(() => null, (e) => ({ name: e?.name, message: e?.message }));
  const pending = outcome(t.read());
  own.destroy();
  const pendingRead = await pending;
  await own.lost;
  let laterCall = null;
  try {
    rt.lsa(t, [{ wv: new Float32Array(4), wk: new Float32Array(4), wq: new Float32Array(4) }]);
  } catch (e) {
    laterCall = { name: e?.name, message: e?.message };
  }
  const laterRead = await outcome(t.read());
  return { pendingRead, laterCall, laterRead };
}

const info = adapter.info;
window.harness = {
  runKernel,
  runApi,
  gradients,
  train,
  expectError,
  deviceLoss,
  newtonSchulzStep,
  invert,
  matmul,
  gemm: auto.gemm,
  adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description },
  limits: { maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize, maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension },
};
