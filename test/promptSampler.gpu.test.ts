import { describe, expect, it } from 'vitest';
import { type Layer, type PromptTask, reference } from '../src/index.js';
import { heads } from './harness/cases.js';
import { expectClose, KERNELS, report, useGpuPage } from './harness/gpu.js';

const { random } = reference;

// The GPU evaluates ln, cos (its own series) and sqrt in f32 and sums the reflections in f32; the twin
// does the same formulas on the same u32s in float64. Inputs reach |x| ≈ 30: agreement to f32 rounding.
const RMS = 1e-5;
const MAX_ABS = 1e-4;

describe('runtime.createPromptSampler: GPU samples equal the float64 twin element by element', () => {
  const gpu = useGpuPage();
  const TASKS: [string, PromptTask][] = [
    [
      'linear, d 3, n 7, dZeros 2, κ 4, noise 0.5',
      { kind: 'linear', d: 3, n: 7, batch: 3, seed: 11, dZeros: 2, kappa: 4, noise: 0.5 },
    ],
    ['logistic, d 5, n 9, κ 10', { kind: 'logistic', d: 5, n: 9, batch: 2, seed: 12345, kappa: 10 }],
    ['linear, d 1, n 1, batch 1', { kind: 'linear', d: 1, n: 1, batch: 1, seed: 4294967295 }],
    [
      'logistic, d 12, n 21, dZeros 3, κ 2.5, noise 0.1',
      { kind: 'logistic', d: 12, n: 21, batch: 2, seed: 8, dZeros: 3, kappa: 2.5, noise: 0.1 },
    ],
  ];
  it.each(TASKS)('%s: steps 0, 1 (consecutive) and 7 (jump); input and target', async (name, task) => {
    const r = await gpu().promptSampler({ task, steps: [0, 1, 7] });
    expect(r.validation).toBeNull();
    expect(r.samples.map((s) => s.step)).toEqual([0, 1, 7]);
    for (const s of r.samples) {
      const twin = reference.promptSampler(task, s.step);
      const e = expectClose(`${name} step ${s.step} input`, s.input, twin.input, RMS);
      expect(e.maxAbs).toBeLessThan(MAX_ABS);
      const t = expectClose(`${name} step ${s.step} target`, s.target, twin.target, RMS);
      expect(t.maxAbs).toBeLessThan(MAX_ABS);
      report(`${name} step ${s.step} input`, e);
      report(`${name} step ${s.step} target`, t);
    }
    // Every sampling call is one submit (the harness's), no readback, no writeBuffer.
    expect(r.submits).toBe(3);
    expect(r.maps).toBe(0);
    expect(r.writes).toBe(0);
  });
});

describe('trainer.step(sampler): sampling, forward, loss, backward, update in one submit', () => {
  const gpu = useGpuPage();
  const task: PromptTask = { kind: 'linear', d: 3, n: 5, batch: 4, seed: 77, dZeros: 1, kappa: 3, noise: 0.1 };
  const width = 1 + 3 + 1;
  const tokens = 6;
  // Features reach |x| ≈ 30 (λ up to 100): small weights keep the cubic LSA output and its gradient finite.
  const rng = random(5);
  const small = () => rng.normals(width * width, 0.01);
  const layers: Layer[] = [{ kind: 'lsa', keys: 5, heads: [{ wv: small(), wk: small(), wq: small() }] }];
  const shape = { batch: 4, width, tokens };
  const loss = { kind: 'mse', rows: [4], token: 5 } as const;

  const RUNS = KERNELS.flatMap((gemm) => [
    [gemm, 'step'],
    [gemm, 'encode'],
  ]);
  it.each(RUNS)(
    '%s GEMMs, trainer.%s: 3 steps, one submit each, no readback or writeBuffer; step-0 loss = float64 on the twin',
    async (gemm, path) => {
      const r = await gpu().promptSampler({
        gemm,
        task,
        viaEncode: path === 'encode',
        trainer: { layers, shape, loss, optimizer: { kind: 'sgd', learningRate: 1e-7 } },
        trainerSteps: 3,
      });
      expect(r.validation).toBeNull();
      expect(r.submits).toBe(3);
      expect(r.maps).toBe(0);
      expect(r.writes).toBe(0);
      // The sampler's tensors hold the last step's prompts (its counter advanced once per step).
      const last = r.samples[0]!;
      expect(last.step).toBe(2);
      const twin = reference.promptSampler(task, 2);
      expect(expectClose('trainer step 2 input', last.input, twin.input, RMS).maxAbs).toBeLessThan(MAX_ABS);
      expect(expectClose('trainer step 2 target', last.target, twin.target, RMS).maxAbs).toBeLessThan(MAX_ABS);
      // Step 0's loss: the initial weights on step 0's prompts.
      const first = reference.promptSampler(task, 0);
      const out = reference.transformer(first.input, [shape.batch, width, tokens], layers);
      let mse = 0;
      for (let b = 0; b < shape.batch; b++) mse += (out[(b * width + 4) * tokens + 5]! - first.target[b]!) ** 2;
      mse /= shape.batch;
      console.info(`${gemm}: step-0 loss gpu ${r.losses[0]} vs float64 ${mse}`);
      expect(Math.abs(r.losses[0]! - mse)).toBeLessThan(1e-4 * mse);
    },
  );
});

describe('prompt sampler: bad input gets a typed error before any GPU work', () => {
  const gpu = useGpuPage();
  const task: PromptTask = { kind: 'linear', d: 3, n: 5, batch: 4, seed: 1 };
  const options = {
    layers: [{ kind: 'lsa', keys: 5, heads: heads(random(9), 1, 4, 5) }] as Layer[],
    shape: { batch: 4, width: 4, tokens: 6 },
    loss: { kind: 'mse', rows: [3], token: 5 },
    optimizer: { kind: 'sgd', learningRate: 0.01 },
  };
  const BAD: [string, object, string, string[]][] = [
    [
      'non-integer d',
      { op: 'promptSampler', task: { ...task, d: 2.5 } },
      'ShapeError',
      ['d to be a positive integer', '2.5'],
    ],
    ['non-integer n', { op: 'promptSampler', task: { ...task, n: 1.5 } }, 'ShapeError', ['n to be a positive integer']],
    ['zero batch', { op: 'promptSampler', task: { ...task, batch: 0 } }, 'ShapeError', ['batch', 'got 0']],
    ['κ < 1', { op: 'promptSampler', task: { ...task, kappa: 0.5 } }, 'ValueError', ['kappa ≥ 1', '0.5']],
    ['negative noise', { op: 'promptSampler', task: { ...task, noise: -1 } }, 'ValueError', ['noise ≥ 0', '-1']],
    ['d beyond the shader', { op: 'promptSampler', task: { ...task, d: 65 } }, 'LimitError', ['d ≤ 64', '65']],
    ['training not prepared', { op: 'promptSampler', fresh: true, task }, 'LsaNewtonError', ["prepare('training')"]],
    [
      'sampler batch ≠ trainer batch',
      { op: 'trainerSampler', options, task: { ...task, batch: 3 } },
      'ShapeError',
      ['sampler input', 'shape [4, 4, 6]', 'got [3, 4, 6]'],
    ],
    [
      'sampler width ≠ trainer width (dZeros)',
      { op: 'trainerSampler', options, task: { ...task, dZeros: 1 } },
      'ShapeError',
      ['sampler input', 'got [4, 5, 6]'],
    ],
    [
      'logistic target [batch, d] ≠ trainer rows',
      { op: 'trainerSampler', options, task: { ...task, kind: 'logistic' } },
      'ShapeError',
      ['sampler target', 'shape [4, 1]', 'got [4, 3]'],
    ],
    [
      'a target given with a sampler',
      { op: 'trainerSampler', options, task, y: new Float32Array(4), yShape: [4, 1] },
      'ValueError',
      ['no target with a sampler'],
    ],
    [
      'a destroyed sampler',
      { op: 'trainerSampler', options, task, destroySampler: true },
      'DestroyedError',
      ['sampler was destroyed'],
    ],
  ];
  it.each(BAD)('%s: typed error, no submit, no validation error', async (_name, job, errorName, words) => {
    const r = await gpu().expectError(job);
    expect(r.thrown?.name).toBe(errorName);
    expect(r.thrown?.typed).toBe(true);
    for (const w of words) expect(r.thrown?.message).toContain(w);
    expect(r.submits).toBe(0);
    expect(r.validation).toBeNull();
  });
});
