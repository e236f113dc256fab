import { describe, expect, it } from 'vitest';
import { reference } from '../src/index.js';
import type { LinearAttentionShape } from '../src/reference/index.js';
import { type Random, random } from '../src/reference/index.js';
import { expectClose, expectTypedError, report, useGpuPage } from './harness/gpu.js';

type Decay = 'none' | 'head' | 'token';

interface Inputs {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  gates?: Float32Array; // [B, T, H]
  headDecay?: number[];
  initialState?: Float32Array;
}

/** Per-head log-decays: RetNet-like γ near 1, a fast one, and exactly 0 (no decay) among them. */
const HEAD_DECAYS = [Math.log(0.97), Math.log(0.5), -0.01, 0, Math.log(0.9), -1.5, Math.log(0.999), -0.2];

function inputs(rng: Random, s: LinearAttentionShape, decay: Decay, initial: boolean): Inputs {
  const { batch: b, tokens: t, heads: h, keyDim: k, valueDim: v } = s;
  const x: Inputs = { q: rng.normals(b * t * h * k), k: rng.normals(b * t * h * k), v: rng.normals(b * t * h * v) };
  // Log-gates in [−2, 0], skewed towards 0 (slow forgetting), as log σ(·) gates are.
  if (decay === 'token') x.gates = Float32Array.from({ length: b * t * h }, () => -2 * rng.next() ** 3);
  if (decay === 'head') x.headDecay = HEAD_DECAYS.slice(0, h);
  if (initial) x.initialState = rng.normals(b * h * k * v);
  return x;
}

function expected(x: Inputs, s: LinearAttentionShape, scale?: number) {
  return reference.linearAttention(x.q, x.k, x.v, s, {
    scale,
    initialState: x.initialState,
    decay: x.headDecay ?? x.gates,
  });
}

/** Tokens t0 ≤ t < t1 of a [B, T, ...] array with `row` values per token. */
function tokens<A extends Float32Array | Float64Array>(
  a: A,
  batch: number,
  total: number,
  row: number,
  t0: number,
  t1: number,
): A {
  const out = new (a.constructor as new (n: number) => A)(batch * (t1 - t0) * row);
  for (let b = 0; b < batch; b++)
    out.set(a.subarray((b * total + t0) * row, (b * total + t1) * row), b * (t1 - t0) * row);
  return out;
}

/** The kernel job for T split into `parts` (token counts), state passed on the GPU. */
function job(x: Inputs, s: LinearAttentionShape, parts: number[], options: object, outputFinalState: boolean) {
  const { batch: b, tokens: t, heads: h, keyDim: k, valueDim: v } = s;
  let t0 = 0;
  return {
    shape: s,
    options,
    outputFinalState,
    initialState: x.initialState,
    headDecay: x.headDecay && Float32Array.from(x.headDecay),
    parts: parts.map((n) => {
      const a = t0;
      const z = t0 + n;
      t0 = z;
      return {
        tokens: n,
        q: tokens(x.q, b, t, h * k, a, z),
        k: tokens(x.k, b, t, h * k, a, z),
        v: tokens(x.v, b, t, h * v, a, z),
        decay: x.gates && tokens(x.gates, b, t, h, a, z),
      };
    }),
  };
}

// [B, T, H, K, V, decay, chunkSize, initial state]: T from 1 to 1000 (one past and one short of a chunk),
// K ≠ V both ways, odd K and V, K = V = 128, 8 heads, 4 batches, chunk sizes 1 to 256.
const CASES: [number, number, number, number, number, Decay, number | undefined, boolean][] = [
  [1, 1, 1, 1, 1, 'none', undefined, true],
  [2, 1, 8, 128, 128, 'token', undefined, true],
  [3, 1, 2, 16, 32, 'head', undefined, false],
  [2, 2, 3, 16, 32, 'head', undefined, true],
  [1, 63, 2, 32, 16, 'token', 16, false],
  [3, 64, 2, 17, 5, 'none', 64, true],
  [2, 65, 4, 16, 32, 'token', 32, true],
  [4, 65, 1, 128, 128, 'head', 32, false],
  [1, 300, 8, 64, 64, 'head', undefined, true],
  [2, 300, 3, 7, 9, 'token', 1, false],
  [1, 300, 2, 16, 16, 'none', 256, false],
  [1, 100, 2, 12, 20, 'token', 13, true],
  [1, 1000, 2, 16, 32, 'token', undefined, true],
  [1, 1000, 1, 32, 16, 'none', 128, false],
];

// One harness page for the whole file: opening one compiles every pipeline (slow on a software adapter).
const gpu = useGpuPage();

describe('linearAttention on the GPU vs the float64 recurrence', () => {
  const named = CASES.map(([b, t, h, k, v, decay, chunk, initial]) => ({
    name: `B${b}-T${t}-H${h}-K${k}-V${v}-${decay}${chunk ? `-C${chunk}` : ''}${initial ? '-S0' : ''}`,
    shape: { batch: b, tokens: t, heads: h, keyDim: k, valueDim: v },
    decay,
    chunk,
    initial,
  }));
  it.each(named)('$name', async ({ name, shape, decay, chunk, initial }) => {
    const s = shape;
    const x = inputs(
      random(97 + s.batch * 7 + s.tokens * 131 + s.heads * 17 + s.keyDim * 3 + s.valueDim),
      s,
      decay,
      initial,
    );
    const options = { decay: decay === 'none' ? undefined : decay, chunkSize: chunk };
    const r = await gpu().linearAttention(job(x, s, [s.tokens], options, true));
    expect(r.validation).toBeNull();
    expect(r.submits).toBe(1);
    expect(r.chunkSizes).toEqual([s.tokens === 1 ? 1 : Math.min(chunk ?? 64, s.tokens)]);
    const e = expected(x, s);
    report(`${name} output`, expectClose(`${name} output`, r.outs[0]!, e.output));
    report(`${name} state`, expectClose(`${name} state`, r.finalState!, e.finalState));
  });

  it('T in two parts (70 + 60 tokens, chunk 32), the state passed on the GPU, equals one run', async () => {
    const s = { batch: 2, tokens: 130, heads: 2, keyDim: 16, valueDim: 32 };
    const x = inputs(random(5), s, 'token', true);
    const options = { decay: 'token', chunkSize: 32 };
    const [split, whole] = [
      await gpu().linearAttention(job(x, s, [70, 60], options, true)),
      await gpu().linearAttention(job(x, s, [130], options, true)),
    ];
    expect(split.validation).toBeNull();
    expect(split.submits).toBe(1);
    const e = expected(x, s);
    const row = s.heads * s.valueDim;
    for (const [i, [t0, t1]] of [
      [0, 70],
      [70, 130],
    ].entries()) {
      expectClose(`part ${i} vs f64`, split.outs[i]!, tokens(e.output, 2, 130, row, t0!, t1!));
      expectClose(
        `part ${i} vs one GPU run`,
        split.outs[i]!,
        Float64Array.from(tokens(whole.outs[0]!, 2, 130, row, t0!, t1!)),
      );
    }
    expectClose('final state vs f64', split.finalState!, e.finalState);
    expectClose('final state vs one GPU run', split.finalState!, Float64Array.from(whole.finalState!));
  });

  it('a 100-step decode loop (T = 1, B1 H8 K = V = 64, per-head decay), one submit, the state on the GPU', async () => {
    const s = { batch: 1, tokens: 100, heads: 8, keyDim: 64, valueDim: 64 };
    const x = inputs(random(6), s, 'head', true);
    const r = await gpu().linearAttention(job(x, s, Array(100).fill(1), { decay: 'head' }, true));
    expect(r.validation).toBeNull();
    expect(r.submits).toBe(1);
    expect(r.chunkSizes).toEqual([1]);
    const e = expected(x, s);
    const errors = r.outs.map((out, t) => expectClose(`step ${t}`, out, tokens(e.output, 1, 100, 8 * 64, t, t + 1)));
    report('decode loop, worst step', {
      rmsRelative: Math.max(...errors.map((x) => x.rmsRelative)),
      maxAbs: Math.max(...errors.map((x) => x.maxAbs)),
    });
    report('decode loop state', expectClose('final state', r.finalState!, e.finalState));
  });

  it('a 37-token prompt (chunked, per-token gates) then 20 decode steps, one submit', async () => {
    const s = { batch: 2, tokens: 57, heads: 3, keyDim: 32, valueDim: 16 };
    const x = inputs(random(8), s, 'token', false);
    const r = await gpu().linearAttention(
      job(x, s, [37, ...Array(20).fill(1)], { decay: 'token', chunkSize: 16 }, true),
    );
    expect(r.validation).toBeNull();
    expect(r.submits).toBe(1);
    const e = expected(x, s);
    const row = s.heads * s.valueDim;
    expectClose('prompt', r.outs[0]!, tokens(e.output, 2, 57, row, 0, 37));
    for (const [i, out] of r.outs.slice(1).entries()) {
      expectClose(`step ${i}`, out, tokens(e.output, 2, 57, row, 37 + i, 38 + i));
    }
    expectClose('final state', r.finalState!, e.finalState);
  });

  it.each([
    {
      name: 'per-head decay list, initial state, final state, scale 0.5',
      decay: 'head' as const,
      initial: true,
      final: true,
      scale: 0.5,
    },
    {
      name: 'per-token gate tensor, no final state',
      decay: 'token' as const,
      initial: false,
      final: false,
      scale: undefined,
    },
    { name: 'no decay, T = 1', decay: 'none' as const, initial: true, final: true, scale: undefined, tokens: 1 },
  ])('runtime.linearAttention: $name', async ({ decay, initial, final, scale, tokens: t }) => {
    const s = { batch: 2, tokens: t ?? 70, heads: 3, keyDim: 8, valueDim: 12 };
    const x = inputs(random(9), s, decay, initial);
    const r = await gpu().linearAttentionApi({
      shape: s,
      q: x.q,
      k: x.k,
      v: x.v,
      initialState: x.initialState,
      gates: x.gates,
      headDecay: x.headDecay,
      options: { scale, outputFinalState: final, chunkSize: 32 },
    });
    expect(r.validation).toBeNull();
    expect(r.submits).toBe(1);
    expect(r.maps).toBe(0);
    expect(r.shapes).toEqual([[2, s.tokens, 3, 12], final ? [2, 3, 8, 12] : null]);
    const e = expected(x, s, scale);
    expectClose('output', r.out, e.output);
    if (final) expectClose('final state', r.finalState!, e.finalState);
    else expect(r.finalState).toBeNull();
  });
});

const rng = random(31);
const Q = rng.normals(2 * 5 * 3 * 4); // [2, 5, 3, 4]
const V = rng.normals(2 * 5 * 3 * 6); // [2, 5, 3, 6]
const QS = [2, 5, 3, 4];
const VS = [2, 5, 3, 6];
const call = (over: object) => ({
  op: 'linearAttention',
  q: Q,
  qShape: QS,
  k: Q,
  kShape: QS,
  v: V,
  vShape: VS,
  options: {},
  ...over,
});
const KSHAPE = { batch: 2, tokens: 5, heads: 3, keyDim: 4, valueDim: 6 };

// [case, job, error name, words the message must contain]
const BAD: [string, object, string, string[]][] = [
  [
    'k batch ≠ q batch',
    call({ k: Q.subarray(0, 60), kShape: [1, 5, 3, 4] }),
    'ShapeError',
    ['B, T, H = 2, 5, 3', 'got [1, 5, 3, 4]'],
  ],
  [
    'v tokens ≠ q tokens',
    call({ v: V.subarray(0, 144), vShape: [2, 4, 3, 6] }),
    'ShapeError',
    ['v to have B, T, H', 'got [2, 4, 3, 6]'],
  ],
  ['v heads ≠ q heads', call({ vShape: [2, 5, 6, 3] }), 'ShapeError', ['v to have B, T, H', 'got [2, 5, 6, 3]']],
  ['k heads ≠ q heads', call({ kShape: [2, 5, 4, 3] }), 'ShapeError', ['B, T, H', 'got [2, 5, 4, 3]']],
  [
    'K of k ≠ K of q (same B, T, H)',
    call({ k: V.subarray(0, 150), kShape: [2, 5, 3, 5] }),
    'ShapeError',
    ['K = 4', 'got [2, 5, 3, 5]'],
  ],
  ['q of rank 3', call({ qShape: [10, 3, 4] }), 'ShapeError', ['rank 4', 'got rank 3']],
  [
    'state of the wrong shape',
    call({ state: V.subarray(0, 72), stateShape: [2, 3, 6, 2] }),
    'ShapeError',
    ['initialState of shape [2, 3, 4, 6]', 'got [2, 3, 6, 2]'],
  ],
  [
    'per-head decays: wrong length',
    call({ headDecay: [-0.1, -0.2] }),
    'ShapeError',
    ['3 per-head log-decays', 'got 2'],
  ],
  [
    'per-head decays: non-finite',
    call({ headDecay: [-0.1, Number.NaN, -0.2] }),
    'ValueError',
    ['finite and ≤ 0', 'NaN for head 1'],
  ],
  ['per-head decays: positive', call({ headDecay: [-0.1, 0.05, 0] }), 'ValueError', ['≤ 0', 'got 0.05 for head 1']],
  [
    'gate tensor of the wrong shape',
    call({ gates: new Float32Array(30), gatesShape: [2, 3, 5] }),
    'ShapeError',
    ['[2, 5, 3] [B, T, H]', 'got [2, 3, 5]'],
  ],
  ['chunkSize 0', call({ options: { chunkSize: 0 } }), 'ValueError', ['chunkSize', '1..256', 'got 0']],
  ['chunkSize 257', call({ options: { chunkSize: 257 } }), 'ValueError', ['chunkSize', 'got 257']],
  ['scale NaN', call({ options: { scale: Number.NaN } }), 'ValueError', ['scale', 'finite', 'got NaN']],
  [
    'T = 0',
    { op: 'linearAttentionKernel', kernelShape: { ...KSHAPE, tokens: 0 } },
    'ShapeError',
    ['positive integer', 'got 0'],
  ],
  [
    'unknown decay kind',
    { op: 'linearAttentionKernel', kernelShape: KSHAPE, options: { decay: 'gated' } },
    'ValueError',
    ["'head' or 'token'", 'got "gated"'],
  ],
  [
    'encode: final state aliases the initial state',
    { op: 'linearAttentionEncode', kernelShape: KSHAPE, alias: true },
    'ValueError',
    ['finalState distinct from initialState'],
  ],
  [
    'encode: output aliases q',
    { op: 'linearAttentionEncode', kernelShape: { ...KSHAPE, valueDim: 4 }, outputIsQ: true },
    'ValueError',
    ['output distinct from q'],
  ],
  [
    'encode: decay kernel without a decay buffer',
    { op: 'linearAttentionEncode', kernelShape: KSHAPE, options: { decay: 'head' } },
    'ValueError',
    ['expected a decay buffer', 'got none'],
  ],
  [
    'encode: decay buffer for a kernel without decay',
    { op: 'linearAttentionEncode', kernelShape: KSHAPE, decay: true },
    'ValueError',
    ['expected no decay buffer'],
  ],
  [
    'scratch beyond maxStorageBufferBindingSize',
    { op: 'linearAttentionKernel', kernelShape: { batch: 64, tokens: 65536, heads: 16, keyDim: 128, valueDim: 128 } },
    'LimitError',
    ['maxStorageBufferBindingSize'],
  ],
];

describe('linearAttention bad input: a typed error before any GPU work, and the runtime keeps working', () => {
  it.each(BAD.map(([name, job, error, words]) => ({ name, job, error, words })))(
    '$name → $error',
    async ({ job, error, words }) => {
      expectTypedError(await gpu().expectError(job), error, words);
    },
  );
});
