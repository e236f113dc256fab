import puppeteer, { type Browser, type Page } from 'puppeteer';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { compare, reluMlp } from '../../src/reference/index.js';
import { callPage, openPage } from '../../tools/browser.js';

/** Both GEMM schedules run every GPU correctness case, whichever the adapter would pick. */
export const KERNELS = ['tiled', 'direct'] as const;
/**
 * The direct schedule after runtime.prepare('large'), in both device forms: 'large' on a device
 * created without the `subgroups` feature (the fallback), 'subgroups' on one created with it.
 */
export const LARGE_FORMS = ['large', 'subgroups'] as const;

export interface KernelResult {
  out: Float32Array;
  submits: number;
  validation: string | null;
}

export interface ApiResult extends KernelResult {
  shape: number[];
  maps: number;
}

export interface ErrorResult {
  thrown: { name: string; message: string; typed: boolean } | null;
  submits: number;
  validation: string | null;
  probe: ApiResult;
}

/** Typed arrays cross into the page as base64 (JSON would be slow and lossy for f32/f64); NaN and ±∞ as { $num }. */
export function wire(value: unknown): unknown {
  if (value instanceof Float32Array)
    return { $f32: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof Float64Array)
    return { $f64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
  if (Array.isArray(value)) return value.map(wire);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wire(v)]));
  return value;
}

/** The page's { $f32: base64 } values back to Float32Arrays, anywhere in a result. */
export function unwire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwire);
  if (value && typeof value === 'object') {
    if ('$f32' in value) return floats((value as { $f32: string }).$f32);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwire(v)]));
  }
  return value;
}

function floats(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

export interface InvertResult {
  out: Float32Array;
  iterations: number;
  matrixIterations: number[];
  residual: number[];
  converged: boolean[];
  alpha: number[];
  submits: number;
  maps: number;
  readbacks: number;
  ms: number;
  /** Labels of the pipelines it set, in order. */
  pipelines: string[];
  validation: string | null;
}

export interface LinearAttentionRun {
  /** One output per part, [B, T_part, H, V]. */
  outs: Float32Array[];
  finalState: Float32Array | null;
  submits: number;
  chunkSizes: number[];
  validation: string | null;
}

export interface LinearAttentionApiRun {
  out: Float32Array;
  finalState: Float32Array | null;
  shapes: [number[], number[] | null];
  submits: number;
  maps: number;
  validation: string | null;
}

type Outcome<T> = { value: T; error?: undefined } | { value?: undefined; error: { name: string; message: string } };

export interface TrainResult {
  before: Outcome<number>;
  checkpoints: { step: number; loss: Outcome<number> }[];
  snapshots: unknown[][];
  finalLoss: Outcome<number>;
  layers: unknown[];
  submits: number;
  maps: number;
  ms: number;
  validation: string | null;
}

export interface SamplerRun {
  samples: { step: number; input: Float32Array; target: Float32Array }[];
  losses: number[];
  submits: number;
  maps: number;
  writes: number;
  validation: string | null;
}

export interface GpuPage {
  page: Page;
  adapter: { vendor: string; architecture: string; device: string; description: string };
  /** Whether the page has a device created with the `subgroups` feature (the 'subgroups' runtime). */
  subgroups: boolean;
  runKernel(job: object): Promise<KernelResult>;
  runApi(job: object): Promise<ApiResult>;
  expectError(job: object): Promise<ErrorResult>;
  newtonSchulzStep(job: object): Promise<{ out: Float32Array; pipelines: string[]; validation: string | null }>;
  invert(job: object): Promise<InvertResult>;
  linearAttention(job: object): Promise<LinearAttentionRun>;
  linearAttentionApi(job: object): Promise<LinearAttentionApiRun>;
  matmul(job: object): Promise<{
    out: Float32Array;
    grids: [number, number, number][];
    pipelines: string[];
    validation: string | null;
  }>;
  train(job: object): Promise<TrainResult>;
  promptSampler(job: object): Promise<SamplerRun>;
  gradients(
    job: object,
  ): Promise<{ input: Float32Array; layers: unknown[]; submits: number; maps: number; validation: string | null }>;
  close(): Promise<void>;
}

/** Opens the harness page in the shared headless Chromium (see globalSetup.ts). */
export async function openGpuPage(): Promise<GpuPage> {
  const browser: Browser = await puppeteer.connect({ browserWSEndpoint: inject('browserWSEndpoint') });
  // The page compiles every pipeline of both GEMM schedules first: minutes on a loaded software adapter.
  const page = await openPage(browser, `${inject('baseUrl')}/test/harness/page.html`, 'harness', 240_000);
  const { adapter, subgroups } = await page.evaluate(() => {
    const h = (window as unknown as { harness: Pick<GpuPage, 'adapter' | 'subgroups'> }).harness;
    return { adapter: h.adapter, subgroups: h.subgroups };
  });
  type Job =
    | 'runKernel'
    | 'runApi'
    | 'expectError'
    | 'newtonSchulzStep'
    | 'invert'
    | 'matmul'
    | 'linearAttention'
    | 'linearAttentionApi'
    | 'gradients'
    | 'promptSampler'
    | 'train';
  const call = (fn: Job, job: object) => callPage<unknown>(page, 'harness', fn, wire(job));
  const withFloats = <T extends { out: unknown }>(r: T) => ({ ...r, out: floats(r.out as string) });
  return {
    page,
    adapter,
    subgroups,
    runKernel: async (job) => withFloats((await call('runKernel', job)) as KernelResult),
    runApi: async (job) => withFloats((await call('runApi', job)) as ApiResult),
    expectError: async (job) => {
      const r = (await call('expectError', job)) as ErrorResult;
      return { ...r, probe: withFloats(r.probe) };
    },
    newtonSchulzStep: async (job) =>
      withFloats(
        (await call('newtonSchulzStep', job)) as { out: string; pipelines: string[]; validation: string | null },
      ),
    invert: async (job) => withFloats((await call('invert', job)) as InvertResult),
    train: async (job) => unwire(await call('train', job)) as TrainResult,
    promptSampler: async (job) => unwire(await call('promptSampler', job)) as SamplerRun,
    gradients: async (job) => {
      const r = (await call('gradients', job)) as {
        input: string;
        layers: unknown[];
        submits: number;
        maps: number;
        validation: string | null;
      };
      return { ...r, input: floats(r.input), layers: unwire(r.layers) as unknown[] };
    },
    matmul: async (job) =>
      withFloats(
        (await call('matmul', job)) as {
          out: string;
          grids: [number, number, number][];
          pipelines: string[];
          validation: string | null;
        },
      ),
    linearAttention: async (job) => {
      type Wire = Omit<LinearAttentionRun, 'outs' | 'finalState'> & { outs: string[]; finalState: string | null };
      const r = (await call('linearAttention', job)) as Wire;
      return { ...r, outs: r.outs.map(floats), finalState: r.finalState === null ? null : floats(r.finalState) };
    },
    linearAttentionApi: async (job) => {
      type Wire = Omit<LinearAttentionApiRun, 'out' | 'finalState'> & { out: string; finalState: string | null };
      const r = (await call('linearAttentionApi', job)) as Wire;
      return { ...r, out: floats(r.out), finalState: r.finalState === null ? null : floats(r.finalState) };
    },
    close: async () => {
      await page.close();
      await browser.disconnect();
    },
  };
}

/** Registers beforeAll/afterAll hooks that open and close one harness page for a describe block. */
export function useGpuPage(): () => GpuPage {
  let page: GpuPage | undefined;
  beforeAll(async () => {
    page = await openGpuPage();
  }, 300_000);
  afterAll(async () => {
    await page?.close();
  });
  return () => {
    if (!page) throw new Error('the harness page is not open (useGpuPage hooks did not run)');
    return page;
  };
}

/**
 * Fails with the case name, both errors and the first bad index unless the GPU result is
 * finite everywhere and within `rmsTolerance` RMS-relative of the float64 reference.
 */
export function expectClose(
  name: string,
  actual: Float32Array,
  expected: Float64Array,
  rmsTolerance = 1e-5,
): { rmsRelative: number; maxAbs: number } {
  const c = compare(actual, expected);
  const where =
    c.worstIndex >= 0 ? ` at index ${c.worstIndex} (gpu ${actual[c.worstIndex]}, f64 ${expected[c.worstIndex]})` : '';
  if (c.nonFinite > 0) throw new Error(`${name}: ${c.nonFinite} non-finite values, first${where}`);
  if (!(c.rmsRelative <= rmsTolerance)) {
    throw new Error(
      `${name}: RMS-relative error ${c.rmsRelative.toExponential(3)} > ${rmsTolerance}, max-abs ${c.maxAbs.toExponential(3)}${where}`,
    );
  }
  return { rmsRelative: c.rmsRelative, maxAbs: c.maxAbs };
}

/** One line per case so a run shows the measured errors, not only pass/fail. */
export function report(name: string, errors: { rmsRelative: number; maxAbs: number }): void {
  console.info(`${name}: rms-rel ${errors.rmsRelative.toExponential(2)}, max-abs ${errors.maxAbs.toExponential(2)}`);
}

/**
 * A bad call's outcome: the typed error named `name` whose message holds every word, thrown
 * before any submit and any WebGPU validation error, with the runtime still computing a small
 * layer correctly afterwards (the probe, checked against float64).
 */
export function expectTypedError(r: ErrorResult, name: string, words: readonly string[]): void {
  expect(r.thrown, 'an error must be thrown').not.toBeNull();
  expect(r.thrown!.name).toBe(name);
  expect(r.thrown!.typed).toBe(true);
  for (const w of words) expect(r.thrown!.message).toContain(w);
  expect(r.submits).toBe(0);
  expect(r.validation).toBeNull();
  expect(r.probe.validation).toBeNull();
  const probe = { hidden: 1, w1: new Float32Array([1, 1]), w2: new Float32Array([2, -1]) };
  expectClose('probe', r.probe.out, reluMlp(new Float32Array([1, -2, 3, 4]), [1, 2, 2], probe));
}
