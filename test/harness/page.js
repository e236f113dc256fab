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

/** Typed arrays travel as { $f32: base64 } / { $f64: base64 }, NaN and ±∞ as { $num }; everything else as JSON. */
function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === 'object') {
    if ('$f32' in value) return new Float32Array(bytes(value.$f32).buffer);
    if ('$f64' in value) return new Float64Array(bytes(value.$f64).buffer);
    if ('$num' in value) return Number(value.$num);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

const adapter = await navigator.gpu?.requestAdapter();
if (!adapter) throw new Error('WebGPU is not available in this browser (navigator.gpu or an adapter is missing)');
const limits = {
  maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  maxBufferSize: adapter.limits.maxBufferSize,
};
// The device every job uses unless it asks for `gemm: 'subgroups'`: created without optional
// features, so the library's fallbacks for devices without `subgroups` run here.
const plainDevice = await adapter.requestDevice({ requiredLimits: limits });
// A second device created with `subgroups` (when the adapter has it), for the kernels that use them.
// (An adapter creates one device: the second comes from a second adapter.)
const subgroupAdapter = adapter.features.has('subgroups') ? await navigator.gpu.requestAdapter() : null;
const subgroupDevice = subgroupAdapter
  ? await subgroupAdapter.requestDevice({ requiredFeatures: ['subgroups'], requiredLimits: limits })
  : null;
let device = plainDevice;
// Both GEMM schedules on the same device: jobs pick one with `gemm` (default: the adapter's).
// 'large' is the direct schedule after prepare('large'); 'subgroups' the same on the subgroup device.
const prepared = async (d) => {
  const rt = await lib.createRuntime(d, { gemm: 'direct' });
  await rt.prepare('large');
  return rt;
};
const runtimes = {
  tiled: await lib.createRuntime(device, { gemm: 'tiled' }),
  direct: await lib.createRuntime(device, { gemm: 'direct' }),
  large: await prepared(device),
  ...(subgroupDevice ? { subgroups: await prepared(subgroupDevice) } : {}),
};
const auto = await lib.createRuntime(device);
let runtime = auto;
const pick = (job) => {
  if (job.gemm && !runtimes[job.gemm]) throw new Error(`this adapter has no '${job.gemm}' runtime`);
  runtime = job.gemm ? runtimes[job.gemm] : auto;
  device = runtime.device;
  pipelines.length = 0;
  return job;
};

// Count submits and map requests so tests can prove "one submit, no readback in between"
// (the page's own readbacks happen after each job's counts are taken).
const counts = countGpuCalls(device);

// Record every pipeline a job sets (their labels name shader, entry point and constants).
const pipelines = [];
const setPipeline = GPUComputePassEncoder.prototype.setPipeline;
GPUComputePassEncoder.prototype.setPipeline = function (pipeline) {
  pipelines.push(pipeline.label);
  return setPipeline.call(this, pipeline);
};

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
  return { out: base64(out), pipelines: [...pipelines], validation: error ? error.message : null };
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
  return { out: base64(out), grids: dispatched, pipelines: [...pipelines], validation: error ? error.message : null };
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
    out: base64(x),
    iterations: r.iterations,
    matrixIterations: [...r.matrixIterations],
    residual: [...r.residual],
    converged: r.converged,
    alpha: [...r.alpha],
    submits,
    maps,
    readbacks: r.readbacks,
    ms,
    pipelines: [...pipelines],
    validation: error ? error.message : null,
  };
}

/**
 * Linear attention through the low-level kernel: T split into parts, all encoded into one encoder
 * and one submit, the state passed between parts on the GPU (two buffers, alternating); every
 * output and state buffer starts as NaN so an unwritten element cannot pass.
 */
async function linearAttention(wire) {
  const job = pick(decode(wire));
  const { batch, heads, keyDim, valueDim } = job.shape;
  const stateCount = batch * heads * keyDim * valueDim;
  device.pushErrorScope('validation');
  const owned = [];
  const make = (data, count = data.length) => {
    const b = device.createBuffer({ size: count * 4, usage: STORAGE });
    device.queue.writeBuffer(b, 0, data ?? new Float32Array(count).fill(NaN));
    owned.push(b);
    return b;
  };
  const states = [make(null, stateCount), make(null, stateCount)];
  let state = job.initialState ? make(job.initialState) : undefined;
  const headDecay = job.headDecay ? make(job.headDecay) : undefined;
  const kernels = new Map();
  const outputs = [];
  const before = { ...counts };
  const encoder = device.createCommandEncoder();
  job.parts.forEach((part, i) => {
    let kernel = kernels.get(part.tokens);
    if (!kernel) {
      kernel = runtime.createLinearAttention({ ...job.shape, tokens: part.tokens }, job.options);
      kernels.set(part.tokens, kernel);
    }
    const output = make(null, batch * part.tokens * heads * valueDim);
    outputs.push(output);
    const last = i === job.parts.length - 1;
    const finalState = last && !job.outputFinalState ? undefined : states[i % 2];
    const decay = headDecay ?? (part.decay ? make(part.decay) : undefined);
    const inputs = { q: make(part.q), k: make(part.k), v: make(part.v), initialState: state, decay };
    kernel.encode(encoder, inputs, { output, finalState });
    state = finalState;
  });
  device.queue.submit([encoder.finish()]);
  const submits = counts.submits - before.submits;
  const outs = [];
  for (const [i, part] of job.parts.entries()) {
    outs.push(base64(await readBuffer(outputs[i], batch * part.tokens * heads * valueDim)));
  }
  const finalState = job.outputFinalState ? base64(await readBuffer(state, stateCount)) : null;
  const chunkSizes = [...kernels.values()].map((k) => k.chunkSize);
  for (const k of kernels.values()) k.destroy();
  for (const b of owned) b.destroy();
  const error = await device.popErrorScope();
  return { outs, finalState, submits, chunkSizes, validation: error ? error.message : null };
}

/** runtime.linearAttention: tensors in, tensors out, one submit, no readback until read(). */
async function linearAttentionApi(wire) {
  const job = pick(decode(wire));
  const { batch, tokens, heads, keyDim, valueDim } = job.shape;
  device.pushErrorScope('validation');
  const q = runtime.tensor(job.q, [batch, tokens, heads, keyDim]);
  const k = runtime.tensor(job.k, [batch, tokens, heads, keyDim]);
  const v = runtime.tensor(job.v, [batch, tokens, heads, valueDim]);
  const stateShape = [batch, heads, keyDim, valueDim];
  const initialState = job.initialState ? runtime.tensor(job.initialState, stateShape) : undefined;
  const decay = job.gates ? runtime.tensor(job.gates, [batch, tokens, heads]) : job.headDecay;
  const before = { ...counts };
  const r = runtime.linearAttention(q, k, v, { ...job.options, initialState, decay });
  const submits = counts.submits - before.submits;
  const maps = counts.maps - before.maps;
  const out = base64(await r.output.read());
  const finalState = r.finalState ? base64(await r.finalState.read()) : null;
  const shapes = [r.output.shape, r.finalState?.shape ?? null];
  for (const t of [q, k, v, initialState, job.gates ? decay : undefined, r.output, r.finalState]) t?.destroy();
  const error = await device.popErrorScope();
  return { out, finalState, shapes, submits, maps, validation: error ? error.message : null };
}

/** Float32Arrays anywhere in a result → { $f32: base64 } for the trip back to Node. */
function encode(value) {
  if (value instanceof Float32Array) return { $f32: base64(value) };
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
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
  const nan = job.nanInput
    ? runtime.tensor(new Float32Array(job.nanInput.length), [job.shape.batch, job.shape.width, job.shape.tokens])
    : null;
  if (nan) device.queue.writeBuffer(nan.buffer, 0, job.nanInput);
  const trainer = await runtime.createTrainer({
    layers: job.layers,
    shape: job.shape,
    loss: job.loss,
    optimizer: job.optimizer,
  });
  const outcome = (p) =>
    p.then(
      (value) => ({ value }),
      (e) => ({ error: { name: e?.name, message: e?.message } }),
    );
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
  return encode({
    before,
    checkpoints,
    snapshots,
    finalLoss,
    layers,
    submits,
    maps,
    ms,
    validation: error ? error.message : null,
  });
}

/**
 * Samples prompts with runtime.createPromptSampler: for each entry of `steps`, NaN-fills the
 * sampler's tensors, encodes that step (one submit) and reads both back. With `trainer`, then
 * runs `trainerSteps` trainer.step(sampler) calls (or trainer.encode into the page's encoder and one
 * submit, with `viaEncode`), reading the loss after each, and reports the
 * sampler's tensors after the last (the prompts that step trained on). Counts submits, maps and writeBuffer
 * calls made by the sampling and training calls only.
 */
async function promptSampler(wire) {
  const job = pick(decode(wire));
  device.pushErrorScope('validation');
  await runtime.prepare('training');
  const sampler = runtime.createPromptSampler(job.task);
  const writeBuffer = device.queue.writeBuffer;
  let writing = 0;
  device.queue.writeBuffer = function (...args) {
    writing++;
    return writeBuffer.apply(this, args);
  };
  const nanFill = () => {
    for (const t of [sampler.input, sampler.target]) {
      writeBuffer.call(device.queue, t.buffer, 0, new Float32Array(t.shape.reduce((a, b) => a * b)).fill(NaN));
    }
  };
  const samples = [];
  let submits = 0;
  let maps = 0;
  let writes = 0;
  const measure = (f) => {
    const c = { ...counts };
    const w = writing;
    f();
    submits += counts.submits - c.submits;
    maps += counts.maps - c.maps;
    writes += writing - w;
  };
  try {
    for (const step of job.steps ?? []) {
      nanFill();
      measure(() => {
        const encoder = device.createCommandEncoder();
        sampler.encode(encoder, step);
        device.queue.submit([encoder.finish()]);
      });
      samples.push({ step, input: await sampler.input.read(), target: await sampler.target.read() });
    }
    const losses = [];
    if (job.trainer) {
      const trainer = await runtime.createTrainer(job.trainer);
      nanFill();
      const first = sampler.next;
      for (let s = 0; s < job.trainerSteps; s++) {
        measure(() => {
          if (!job.viaEncode) return trainer.step(sampler);
          const encoder = device.createCommandEncoder();
          trainer.encode(encoder, sampler);
          device.queue.submit([encoder.finish()]);
        });
        losses.push(await trainer.loss());
      }
      const step = first + job.trainerSteps - 1;
      samples.push({ step, input: await sampler.input.read(), target: await sampler.target.read() });
      trainer.destroy();
    }
    device.queue.writeBuffer = writeBuffer;
    const error = await device.popErrorScope();
    return encode({ samples, losses, submits, maps, writes, validation: error ? error.message : null });
  } finally {
    device.queue.writeBuffer = writeBuffer;
    sampler.destroy();
  }
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
    } else if (job.op === 'linearAttention') {
      const made = [];
      const t = (data, shape) => {
        const x = runtime.tensor(data, shape);
        made.push(x);
        return x;
      };
      try {
        const decay = job.gates ? t(job.gates, job.gatesShape) : job.headDecay;
        const initialState = job.state ? t(job.state, job.stateShape) : undefined;
        const [q, k, v] = [t(job.q, job.qShape), t(job.k, job.kShape), t(job.v, job.vShape)];
        runtime.linearAttention(q, k, v, { ...job.options, decay, initialState });
      } finally {
        for (const x of made) x.destroy();
      }
    } else if (job.op === 'linearAttentionKernel') {
      runtime.createLinearAttention(job.kernelShape, job.options);
    } else if (job.op === 'linearAttentionEncode') {
      const kernel = runtime.createLinearAttention(job.kernelShape, job.options);
      const { batch: b, tokens: t, heads: h, keyDim: kd, valueDim: vd } = job.kernelShape;
      const made = [];
      const buf = (n) => {
        const x = device.createBuffer({ size: n * 4, usage: STORAGE });
        made.push(x);
        return x;
      };
      const state = buf(b * h * kd * vd);
      const q = buf(b * t * h * kd);
      const decay = job.decay ? buf(h) : undefined;
      const inputs = { q, k: buf(b * t * h * kd), v: buf(b * t * h * vd), initialState: state, decay };
      const output = job.outputIsQ ? q : buf(b * t * h * vd);
      const outputs = { output, finalState: job.alias ? state : buf(b * h * kd * vd) };
      try {
        kernel.encode(device.createCommandEncoder(), inputs, outputs);
      } finally {
        kernel.destroy();
        for (const x of made) x.destroy();
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
    } else if (job.op === 'promptSampler') {
      if (job.fresh) {
        const fresh = await lib.createRuntime(device);
        try {
          fresh.createPromptSampler(job.task);
        } finally {
          fresh.destroy();
        }
      } else {
        await runtime.prepare('training');
        runtime.createPromptSampler(job.task).destroy();
      }
    } else if (job.op === 'trainerSampler') {
      await runtime.prepare('training');
      const trainer = await runtime.createTrainer(job.options);
      const sampler = runtime.createPromptSampler(job.task);
      const y = job.y ? runtime.tensor(job.y, job.yShape) : undefined;
      try {
        if (job.destroySampler) sampler.destroy();
        trainer.step(sampler, y);
      } finally {
        trainer.destroy();
        sampler.destroy();
        y?.destroy();
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
  const probe = await runApi({
    op: 'reluMlp',
    h: { $f32: base64(new Float32Array([1, -2, 3, 4])) },
    shape: [1, 2, 2],
    layer: {
      hidden: 1,
      w1: { $f32: base64(new Float32Array([1, 1])) },
      w2: { $f32: base64(new Float32Array([2, -1])) },
    },
  });
  return { thrown, submits, validation: error ? error.message : null, probe };
}

/** Loses a second device on purpose: pending reads and later calls must fail with DeviceLostError. */
async function deviceLoss() {
  const own = await (await navigator.gpu.requestAdapter()).requestDevice();
  const rt = await lib.createRuntime(own);
  const t = rt.tensor(new Float32Array([1, 2, 3, 4]), [1, 2, 2]);
  const outcome = (p) =>
    p.then(
      () => null,
      (e) => ({ name: e?.name, message: e?.message }),
    );
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
  promptSampler,
  runKernel,
  runApi,
  gradients,
  train,
  expectError,
  deviceLoss,
  newtonSchulzStep,
  invert,
  linearAttention,
  linearAttentionApi,
  matmul,
  gemm: auto.gemm,
  subgroups: subgroupDevice !== null,
  adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description },
  limits: {
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
  },
};
