import { describe, expect, it } from 'vitest';
import { heads, mlp, random, tokens } from './harness/cases.js';
import { expectTypedError, openGpuPage, useGpuPage } from './harness/gpu.js';

const rng = random(4242);
const X = tokens(rng, 2, 4, 5); // [2, 4, 5]
const HEADS = heads(rng, 2, 4, 5);
const MLP = mlp(rng, 4, 6, true);
const M = new Float32Array([2, 0, 0, 0, 3, 0, 0, 0, 4]); // [1, 3, 3]
const withNaN = (a: ArrayLike<number>, i: number) => {
  const b = Float32Array.from(a);
  b[i] = Number.NaN;
  return b;
};

// [case, job, error name, words the message must contain]
const BAD: [string, object, string, string[]][] = [
  ['data length ≠ shape', { op: 'tensor', h: X, shape: [2, 4, 6] }, 'ShapeError', ['expected 48 values', 'got 40']],
  [
    'zero dimension',
    { op: 'tensor', h: new Float32Array(0), shape: [2, 0, 5] },
    'ShapeError',
    ['positive integer', 'got 0'],
  ],
  ['negative dimension', { op: 'tensor', h: X, shape: [-2, 4, 5] }, 'ShapeError', ['positive integer', 'got -2']],
  ['fractional dimension', { op: 'tensor', h: X, shape: [2, 4, 5.5] }, 'ShapeError', ['positive integer', 'got 5.5']],
  ['non-finite data', { op: 'tensor', h: withNaN(X, 7), shape: [2, 4, 5] }, 'ValueError', ['finite', 'NaN at index 7']],
  ['wrong rank', { op: 'lsa', h: X, shape: [8, 5], heads: HEADS }, 'ShapeError', ['rank 3', 'got rank 2']],
  [
    'W_K size ≠ D²',
    { op: 'lsa', h: X, shape: [2, 4, 5], heads: [{ ...HEADS[0], wk: new Float32Array(15) }] },
    'ShapeError',
    ['wk', 'expected 16 values', 'got 15'],
  ],
  [
    'non-finite weight',
    { op: 'lsa', h: X, shape: [2, 4, 5], heads: [{ ...HEADS[0], wq: withNaN(HEADS[0]!.wq, 3) }] },
    'ValueError',
    ['wq', 'NaN at index 3'],
  ],
  [
    'keys = 0',
    { op: 'lsa', h: X, shape: [2, 4, 5], heads: HEADS, options: { keys: 0 } },
    'ShapeError',
    ['1..5', 'got 0'],
  ],
  [
    'keys > N',
    { op: 'lsa', h: X, shape: [2, 4, 5], heads: HEADS, options: { keys: 6 } },
    'ShapeError',
    ['1..5', 'got 6'],
  ],
  ['no heads', { op: 'lsa', h: X, shape: [2, 4, 5], heads: [] }, 'ShapeError', ['at least one head', 'got 0']],
  [
    'hidden ≠ weights',
    { op: 'reluMlp', h: X, shape: [2, 4, 5], layer: { ...MLP, hidden: 5 } },
    'ShapeError',
    ['w1', 'expected 20 values', 'got 24'],
  ],
  [
    'b2 length ≠ D',
    { op: 'reluMlp', h: X, shape: [2, 4, 5], layer: { ...MLP, b2: new Float32Array(3) } },
    'ShapeError',
    ['b2', 'expected 4 values', 'got 3'],
  ],
  [
    'unknown layer kind',
    {
      op: 'transformer',
      h: X,
      shape: [2, 4, 5],
      layers: [
        { kind: 'lsa', heads: HEADS },
        { kind: 'softmax', heads: HEADS },
      ],
    },
    'ValueError',
    ["'layerNorm' or 'clip'", 'got "softmax"'],
  ],
  [
    'empty stack',
    { op: 'transformer', h: X, shape: [2, 4, 5], layers: [] },
    'ShapeError',
    ['at least one layer', 'got 0'],
  ],
  [
    'bad layer deep in a stack',
    {
      op: 'transformer',
      h: X,
      shape: [2, 4, 5],
      layers: [
        { kind: 'mlp', ...MLP },
        { kind: 'lsa', heads: HEADS, keys: 9 },
      ],
    },
    'ShapeError',
    ['layer 1', '1..5', 'got 9'],
  ],
  ['reading a destroyed tensor', { op: 'readDestroyed' }, 'DestroyedError', ['destroyed']],
  [
    'kernel shape not integer',
    { op: 'lsa', kernel: true, heads: HEADS, kernelShape: { batch: 1.5, width: 4, tokens: 5 } },
    'ShapeError',
    ['positive integer', 'got 1.5'],
  ],
  [
    'beyond maxStorageBufferBindingSize',
    { op: 'lsa', kernel: true, heads: heads(rng, 1, 64, 8), kernelShape: { batch: 70000, width: 64, tokens: 4096 } },
    'LimitError',
    ['maxStorageBufferBindingSize'],
  ],
  ['invert: not square', { op: 'invert', a: X, shape: [2, 4, 5] }, 'ShapeError', ['square', 'got [2, 4, 5]']],
  [
    'invert: tolerance 0',
    { op: 'invert', a: M, shape: [1, 3, 3], options: { tolerance: 0 } },
    'ValueError',
    ['tolerance', '> 0', 'got 0'],
  ],
  [
    'invert: tolerance < 0',
    { op: 'invert', a: M, shape: [1, 3, 3], options: { tolerance: -1 } },
    'ValueError',
    ['tolerance', 'got -1'],
  ],
  [
    'invert: maxIterations 0',
    { op: 'invert', a: M, shape: [1, 3, 3], options: { maxIterations: 0 } },
    'ValueError',
    ['maxIterations', 'positive integer', 'got 0'],
  ],
  [
    'invert: maxIterations 2.5',
    { op: 'invert', a: M, shape: [1, 3, 3], options: { maxIterations: 2.5 } },
    'ValueError',
    ['maxIterations', 'got 2.5'],
  ],
  [
    'invert: order 6',
    { op: 'invert', a: M, shape: [1, 3, 3], options: { order: 6 } },
    'ValueError',
    ['order', '2..5', 'got 6'],
  ],
  [
    'step: order 1',
    { op: 'newtonSchulzStep', a: M, shapeA: [1, 3, 3], x: M, shapeX: [1, 3, 3], options: { order: 1 } },
    'ValueError',
    ['order', '2..5', 'got 1'],
  ],
  [
    'step: x shape ≠ a shape',
    { op: 'newtonSchulzStep', a: M, shapeA: [1, 3, 3], x: M, shapeX: [3, 3, 1], options: {} },
    'ShapeError',
    ['square', 'got [3, 3, 1]'],
  ],
  [
    'step: x batch ≠ a batch',
    {
      op: 'newtonSchulzStep',
      a: X.subarray(0, 32),
      shapeA: [2, 4, 4],
      x: X.subarray(0, 16),
      shapeX: [4, 4],
      options: {},
    },
    'ShapeError',
    ['like a', 'got [4, 4]'],
  ],
];

describe('bad input: a typed error before any GPU work, and the runtime keeps working', () => {
  const gpu = useGpuPage();

  it.each(BAD.map(([name, job, error, words]) => ({ name, job, error, words })))(
    '$name → $error',
    async ({ job, error, words }) => {
      expectTypedError(await gpu().expectError(job), error, words);
    },
  );
});

describe('device loss', () => {
  it('rejects a pending read and refuses later work with DeviceLostError', async () => {
    const own = await openGpuPage();
    try {
      const r = (await own.page.evaluate(() =>
        (window as unknown as { harness: { deviceLoss(): Promise<unknown> } }).harness.deviceLoss(),
      )) as Record<'pendingRead' | 'laterCall' | 'laterRead', { name: string; message: string } | null>;
      // The pending read may have finished before the loss; if it failed, it failed clearly.
      if (r.pendingRead !== null) expect(r.pendingRead.name).toBe('DeviceLostError');
      expect(r.laterCall?.name).toBe('DeviceLostError');
      expect(r.laterCall?.message).toContain('device was lost');
      expect(r.laterRead?.name).toBe('DeviceLostError');
    } finally {
      await own.close();
    }
  });
});
