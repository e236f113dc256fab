// Linear attention cases of `npm run bench`: ours (chunked kernels, the T = 1 decode path) beside
// ONNX Runtime Web's `com.microsoft::LinearAttention` (rules 'linear' and 'gated') on the same
// adapter, both checked against the float64 recurrence. Timed like every case: one run plus one
// readback of the output per measurement.
import type * as Lib from '../src/index.js';
import type { Accuracy, CaseSpec, OursRun } from './bench-page.js';
import { loadOrt, type OrtTensor, ortInput, ortSession } from './peers/onnx.js';
import type { PeerOp } from './peers/peer.js';

export interface LinearAttentionBench {
  lib: typeof Lib;
  device: GPUDevice;
  runtime: Lib.Runtime;
  buffer(data: Float32Array): GPUBuffer;
  accuracy(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): Accuracy;
  /** One-node ONNX models by `${rule}-H${heads}-K${dim}` (written in Node with onnx-proto). */
  models(): Record<string, Uint8Array>;
}

type Rule = 'linear' | 'gated';

interface Data {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  gates?: Float32Array;
}

function data(R: typeof Lib.reference, s: Lib.LinearAttentionShape, rule: Rule): Data {
  const rng = R.random(s.batch * 7 + s.tokens * 13 + s.heads * 17 + s.keyDim);
  const { batch: b, tokens: t, heads: h, keyDim: k, valueDim: v } = s;
  const d: Data = { q: rng.normals(b * t * h * k), k: rng.normals(b * t * h * k), v: rng.normals(b * t * h * v) };
  // Log-gates in [−2, 0], skewed towards 0, as log σ(·) gates are.
  if (rule === 'gated') d.gates = Float32Array.from({ length: b * t * h }, () => -2 * rng.next() ** 3);
  return d;
}

/** Multiply-adds of the plain recurrence (state update and read-out), counted as 2 FLOPs each for both sides. */
function flops(s: Lib.LinearAttentionShape): number {
  return 4 * s.batch * s.tokens * s.heads * s.keyDim * s.valueDim;
}

/** One read of `count` floats of `source` (a staging copy and a map). */
async function read(device: GPUDevice, source: GPUBuffer, count: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size: count * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const e = device.createCommandEncoder();
  e.copyBufferToBuffer(source, 0, staging, 0, count * 4);
  device.queue.submit([e.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

async function session(x: LinearAttentionBench, rule: Rule, heads: number, dim: number) {
  const ort = await loadOrt();
  const model = x.models()[`${rule}-H${heads}-K${dim}`];
  if (!model) throw new Error(`no ONNX model for ${rule}-H${heads}-K${dim}`);
  return { ort, ...(await ortSession(ort, model)) };
}

/** WebGPU's default maxStorageBufferBindingSize: the largest score tensor the peers' devices bind. */
const QUADRATIC_BYTES = 128 * 1024 * 1024;

function prefillCase(
  x: LinearAttentionBench,
  s: Lib.LinearAttentionShape,
  rule: Rule,
  quick: boolean,
  full: boolean,
  op: string,
): CaseSpec {
  const { batch: b, tokens: t, heads: h, keyDim: k, valueDim: v } = s;
  return {
    id: `la-${rule}-B${b}-T${t}-H${h}-K${k}-V${v}`,
    op,
    config: `${rule}, B ${b}, T ${t}, H ${h}, K ${k}, V ${v}`,
    size: t,
    quick,
    full,
    async prepare() {
      const { lib, device, runtime } = x;
      const d = data(lib.reference, s, rule);
      const expected = lib.reference.linearAttention(d.q, d.k, d.v, s, { decay: d.gates });
      const count = b * t * h * v;
      const inputs = { q: x.buffer(d.q), k: x.buffer(d.k), v: x.buffer(d.v), decay: d.gates && x.buffer(d.gates) };
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
      const output = device.createBuffer({ size: count * 4, usage });
      const finalState = device.createBuffer({ size: b * h * k * v * 4, usage });
      const kernel = runtime.createLinearAttention(s, { decay: d.gates ? 'token' : undefined });
      return {
        flops: flops(s),
        async ours(): Promise<OursRun> {
          const e = device.createCommandEncoder();
          kernel.encode(e, inputs, { output, finalState });
          device.queue.submit([e.finish()]);
          return { out: await read(device, output, count), gpuMs: null };
        },
        // TF.js and jax-js run the T×T composition, where its [B, H, T, T] scores fit a default binding.
        peer: (p) =>
          b * h * t * t * 4 <= QUADRATIC_BYTES
            ? p.linearAttention(d.q, d.k, d.v, d.gates ?? null, [b, t, h, k, v], 1 / Math.sqrt(k))
            : null,
        async ort(): Promise<PeerOp> {
          const { ort, session: ses, device: ortDevice } = await session(x, rule, h, k);
          const feeds: Record<string, OrtTensor> = {
            query: ortInput(ort, ortDevice, d.q, [b, t, h * k]),
            key: ortInput(ort, ortDevice, d.k, [b, t, h * k]),
            value: ortInput(ort, ortDevice, d.v, [b, t, h * v]),
            past_state: ortInput(ort, ortDevice, new Float32Array(b * h * k * v), [b, h, k, v]),
          };
          if (d.gates) feeds.decay = ortInput(ort, ortDevice, d.gates, [b, t, h]);
          return {
            async once() {
              const out = await ses.run(feeds);
              const result = await out.output!.getData();
              for (const o of Object.values(out)) o.dispose();
              return result;
            },
            dispose() {
              for (const f of Object.values(feeds)) f.dispose();
              void ses.release();
            },
          };
        },
        check: (out) => x.accuracy(out, expected.output, 1e-5),
        notes: [
          `chunk size ${kernel.chunkSize}; ORT Web: past_state zeros, present_state computed on both sides`,
          b * h * t * t * 4 <= QUADRATIC_BYTES
            ? 'TF.js, jax-js: the T×T composition (Q Kᵀ ⊙ mask ⊙ decay) V'
            : 'TF.js, jax-js: not run (their T×T scores would exceed a 128 MiB binding)',
        ],
        dispose() {
          kernel.destroy();
          for (const buf of [inputs.q, inputs.k, inputs.v, inputs.decay, output, finalState]) buf?.destroy();
        },
      };
    },
  };
}

/**
 * A generation loop: `steps` tokens one at a time (T = 1, per-token gates), one submit (ours) or
 * one session.run (ORT) per token, the state kept on the GPU, one readback of the last output.
 */
function decodeCase(
  x: LinearAttentionBench,
  steps: number,
  h: number,
  dim: number,
  quick: boolean,
  full: boolean,
): CaseSpec {
  const s = { batch: 1, tokens: steps, heads: h, keyDim: dim, valueDim: dim };
  return {
    id: `la-decode-${steps}-H${h}-K${dim}`,
    op: 'linear attention (generation loop)',
    config: `gated, ${steps} tokens one at a time, B 1, H ${h}, K = V = ${dim}`,
    size: steps,
    quick,
    full,
    async prepare() {
      const { lib, device, runtime } = x;
      const d = data(lib.reference, s, 'gated');
      const expected = lib.reference.linearAttention(d.q, d.k, d.v, s, { decay: d.gates });
      const lastRow = expected.output.subarray((steps - 1) * h * dim);
      const token = (a: Float32Array, width: number, i: number) => a.subarray(i * width, (i + 1) * width);
      const inputs = Array.from({ length: steps }, (_, i) => ({
        q: x.buffer(token(d.q, h * dim, i)),
        k: x.buffer(token(d.k, h * dim, i)),
        v: x.buffer(token(d.v, h * dim, i)),
        decay: x.buffer(token(d.gates!, h, i)),
      }));
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
      const output = device.createBuffer({ size: h * dim * 4, usage });
      const states = [0, 1].map(() => device.createBuffer({ size: h * dim * dim * 4, usage }));
      const kernel = runtime.createLinearAttention({ ...s, tokens: 1 }, { decay: 'token' });
      return {
        flops: flops(s),
        async ours(): Promise<OursRun> {
          for (const [i, input] of inputs.entries()) {
            const e = device.createCommandEncoder();
            const initialState = i === 0 ? undefined : states[(i + 1) % 2];
            kernel.encode(e, { ...input, initialState }, { output, finalState: states[i % 2] });
            device.queue.submit([e.finish()]);
          }
          return { out: await read(device, output, h * dim), gpuMs: null };
        },
        peer: () => null,
        async ort(): Promise<PeerOp> {
          const { ort, session: ses, device: ortDevice } = await session(x, 'gated', h, dim);
          const feeds = inputs.map((_, i) => ({
            query: ortInput(ort, ortDevice, token(d.q, h * dim, i), [1, 1, h * dim]),
            key: ortInput(ort, ortDevice, token(d.k, h * dim, i), [1, 1, h * dim]),
            value: ortInput(ort, ortDevice, token(d.v, h * dim, i), [1, 1, h * dim]),
            decay: ortInput(ort, ortDevice, token(d.gates!, h, i), [1, 1, h]),
          }));
          const zero = ortInput(ort, ortDevice, new Float32Array(h * dim * dim), [1, h, dim, dim]);
          return {
            async once() {
              let state = zero;
              let out: OrtTensor | null = null;
              for (const f of feeds) {
                out?.dispose();
                const result = await ses.run({ ...f, past_state: state });
                if (state !== zero) state.dispose();
                state = result.present_state!;
                out = result.output!;
              }
              if (state !== zero) state.dispose();
              const last = await out!.getData();
              out!.dispose();
              return last;
            },
            dispose() {
              for (const f of feeds) for (const t of Object.values(f)) t.dispose();
              zero.dispose();
              void ses.release();
            },
          };
        },
        check: (out) => x.accuracy(out, lastRow, 1e-5),
        notes: ['one submit (ours) or session.run (ORT Web) per token, the state on the GPU, one readback at the end'],
        dispose() {
          kernel.destroy();
          for (const i of inputs) for (const buf of Object.values(i)) buf.destroy();
          for (const buf of [output, ...states]) buf.destroy();
        },
      };
    },
  };
}

/** The full run: the three shapes under both rules, T 512 → 4096, a 100-token loop; quick: small ones. */
export function linearAttentionCases(x: LinearAttentionBench): CaseSpec[] {
  const op = 'linear attention';
  const growth = 'linear attention (T growth)';
  const shape = (batch: number, tokens: number, heads: number, dim: number) => ({
    batch,
    tokens,
    heads,
    keyDim: dim,
    valueDim: dim,
  });
  return [
    ...(['linear', 'gated'] as const).flatMap((rule) => [
      prefillCase(x, shape(1, 2048, 8, 64), rule, false, true, op),
      prefillCase(x, shape(4, 512, 8, 64), rule, false, true, op),
      prefillCase(x, shape(1, 4096, 4, 128), rule, false, true, op),
      prefillCase(x, shape(1, 256, 4, 32), rule, true, false, op),
    ]),
    prefillCase(x, shape(1, 512, 8, 64), 'linear', false, true, growth),
    prefillCase(x, shape(1, 4096, 8, 64), 'linear', false, true, growth),
    decodeCase(x, 100, 8, 64, false, true),
    decodeCase(x, 20, 4, 32, true, false),
  ];
}
