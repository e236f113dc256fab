// Browser half of `npm run experiments`: each experiment runs here, on the page's adapter, and
// reports progress; bench/experiments.ts drives it, saves the results and renders the figures.
// Float64 baselines come from src/reference; trained models will come from the runtime.
import type * as Lib from '../../src/index.js';
import { powersTable } from './powers.js';
import { type ErrorSummary, effectiveOrder, summarise } from './stats.js';
import { type Prompt, tokens, trainLsa } from './train.js';

const url = '/dist/index.js';
const lib = (await import(/* @vite-ignore */ url)) as typeof Lib;
const R = lib.reference;

let runtime: Lib.Runtime | null = null;
/** The page's runtime with the training pipelines compiled (first use only). */
async function training(): Promise<Lib.Runtime> {
  if (runtime) return runtime;
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter: training needs one');
  runtime = await lib.createRuntime(await adapter.requestDevice());
  await runtime.prepare('training');
  return runtime;
}

export interface Scale {
  full: boolean;
  /** Overrides of an experiment's sizes (prompts, steps, …), by name. */
  [option: string]: unknown;
}
type Progress = (done: number, total: number) => void;
type Experiment = (scale: Scale, progress: Progress) => Promise<unknown> | unknown;

const num = (scale: Scale, name: string, fallback: number) =>
  typeof scale[name] === 'number' ? (scale[name] as number) : fallback;

/** One prompt of in-context linear regression: n examples and a query, rows with covariance of condition number κ. */
function prompt(rng: Lib.reference.Random, d: number, n: number, kappa: number, noise: number): Prompt {
  const { a, y } = R.ridgeData(rng, d, n + 1, { kappa, noise });
  return { x: a.subarray(0, n * d), y: y.subarray(0, n), xq: a.subarray(n * d), yq: y[n]! };
}

async function fig2(scale: Scale, progress: Progress) {
  const d = num(scale, 'd', scale.full ? 10 : 5);
  const n = num(scale, 'n', scale.full ? 50 : 20);
  const prompts = num(scale, 'prompts', 4096);
  const maxLayers = num(scale, 'layers', scale.full ? 6 : 4);
  const heads = num(scale, 'heads', scale.full ? 4 : 2);
  const batch = num(scale, 'batch', scale.full ? 2000 : 256);
  // Adam steps for an L-layer model: stepsPerLayer · L (deeper models get more).
  const stepsPerLayer = num(scale, 'stepsPerLayer', scale.full ? 3000 : 150);
  const learningRate = num(scale, 'learningRate', 0.01);
  const train = num(scale, 'train', 1) !== 0;
  const kappas = scale.full ? [1, 5, 10] : [1, 5];
  const noises = scale.full ? [0, 0.1] : [0];
  const orders = [2, 3, 4, 5];
  const depths = Array.from({ length: maxLayers }, (_, l) => l + 1);
  const runs: unknown[] = [];
  const weights: Record<string, unknown> = {};
  let done = 0;
  // Progress in rough cost units for the time estimate: a baseline prompt is 1, an Adam step of an
  // L-layer model STEP_COST · L (measured on the software adapter: a step costs about 60 prompts per layer).
  const STEP_COST = 60;
  const perSetting = prompts + (train ? depths.reduce((s, l) => s + STEP_COST * l * stepsPerLayer * l, 0) : 0);
  const total = kappas.length * noises.length * perSetting;
  for (const noise of noises) {
    for (const kappa of kappas) {
      const rng = R.random(20_000 + 100 * kappa + Math.round(100 * noise));
      const sq = (p: ArrayLike<number>, yq: number) => Array.from(p, (v) => (v - yq) ** 2 / d);
      const newton: Record<string, number[][]> = Object.fromEntries(orders.map((p) => [p, []]));
      const safe: Record<string, number[][]> = { '2': [], '3': [] };
      const gd: number[][] = [];
      const held: Prompt[] = [];
      for (let i = 0; i < prompts; i++) {
        const q = prompt(rng, d, n, kappa, noise);
        held.push(q);
        const { x, y, xq, yq } = q;
        for (const order of orders)
          newton[order]!.push(sq(R.newtonRegression(x, y, xq, { d, n, order, steps: maxLayers }), yq));
        // The same iteration from the norm-bound start α = 1/‖S‖₁² ≤ the paper's α.
        const alpha = 1 / R.norm1(R.gram(x, n, d, 0), d) ** 2;
        for (const order of [2, 3])
          safe[order]!.push(sq(R.newtonRegression(x, y, xq, { d, n, order, steps: maxLayers, alpha }), yq));
        gd.push(sq(R.gradientDescentLineSearch(x, y, xq, { d, n, steps: maxLayers }), yq));
        if (++done % 256 === 0) {
          progress(done, total);
          await new Promise((r) => setTimeout(r, 0));
        }
      }
      const boot = R.random(99);
      const byLayer = (errors: number[][]): ErrorSummary[] =>
        depths.map((l) =>
          summarise(
            errors.map((e) => e[l]!),
            boot,
          ),
        );
      const newtonByLayer = Object.fromEntries(orders.map((p) => [p, byLayer(newton[p]!)]));
      const lsa: {
        layers: number;
        testError: ErrorSummary;
        effectiveOrder: ReturnType<typeof effectiveOrder>;
        steps: number;
        msPerStep: number;
        curve: { step: number; loss: number }[];
      }[] = [];
      if (train) {
        const rt = await training();
        const heldTokens = tokens(held, d, n);
        for (const layers of depths) {
          const before = done;
          const steps = stepsPerLayer * layers;
          const trained = await trainLsa(
            lib,
            rt,
            (r) => prompt(r, d, n, kappa, noise),
            {
              d,
              n,
              layers,
              heads,
              batch,
              steps,
              learningRate,
              warmup: Math.min(200, steps >> 3),
              seed: 500 + 10 * kappa + layers,
              every: 50,
            },
            (s) => {
              done = before + STEP_COST * layers * s;
              progress(done, total);
            },
          );
          // Held-out error of the trained weights, run by the float64 reference on the same prompts as the baselines.
          const out = R.transformer(heldTokens, [prompts, d + 1, n + 1], trained.layers);
          const errors = held.map((q, b) => (out[(b * (d + 1) + d) * (n + 1) + n]! - q.yq) ** 2 / d);
          const testError = summarise(errors, boot);
          const at = Object.fromEntries(orders.map((p) => [p, newtonByLayer[p]![layers - 1]!.mean]));
          lsa.push({
            layers,
            testError,
            effectiveOrder: effectiveOrder(testError.mean, at),
            steps,
            msPerStep: trained.msPerStep,
            curve: trained.curve,
          });
          weights[`kappa${kappa}-noise${noise}-L${layers}`] = lib.serializeLayers(trained.layers);
        }
      }
      runs.push({
        kappa,
        noise,
        newton: newtonByLayer,
        newtonNormBoundAlpha: Object.fromEntries(Object.entries(safe).map(([p, e]) => [p, byLayer(e)])),
        gd: byLayer(gd),
        lsa,
      });
    }
  }
  return { d, n, prompts, maxLayers, heads, batch, stepsPerLayer, learningRate, orders, runs, weights };
}

async function fig34(scale: Scale, progress: Progress) {
  const d = num(scale, 'd', scale.full ? 10 : 5);
  const n = num(scale, 'n', scale.full ? 50 : 20);
  const batch = num(scale, 'batch', 64);
  const points = num(scale, 'points', 41);
  const maxLayers = num(scale, 'layers', scale.full ? 6 : 4);
  const rng = R.random(34_000);
  const wStar = Float64Array.from({ length: d }, () => rng.normal());
  const prompts = Array.from({ length: batch }, () => {
    const x = Float64Array.from({ length: n * d }, () => rng.normal());
    const y = Float64Array.from({ length: n }, (_, t) =>
      x.subarray(t * d, t * d + d).reduce((s, v, k) => s + v * wStar[k]!, 0),
    );
    const rest = Float64Array.from({ length: d }, () => rng.normal());
    return { x, y, rest };
  });
  // The first coordinate of x ~ N(0, 1): its 0.5 % and 99.5 % quantiles are ±2.576.
  const ranges = { inDistribution: [-2.5758, 2.5758], wide: [-100, 100] } as const;
  // fig2's κ = 1 models (trained on x ~ N(0, I), w* ~ N(0, I): this distribution), when saved.
  const saved = (scale.weights ?? {}) as Record<string, object>;
  const models = Array.from({ length: maxLayers }, (_, l) => saved[`kappa1-noise0-L${l + 1}`]).map((w) =>
    w ? lib.parseLayers(w) : null,
  );
  const lsaWidth = d + 1;
  const out: Record<string, unknown> = {};
  let done = 0;
  const total = 2 * points;
  for (const [name, [lo, hi]] of Object.entries(ranges)) {
    const xs = Array.from({ length: points }, (_, i) => lo + ((hi - lo) * i) / (points - 1));
    const truth: number[] = [];
    const newton: Record<string, number[][]> = { '2': [], '3': [] };
    const lsa: (number | null)[][] = [];
    for (const v of xs) {
      let t = 0;
      const sums: Record<string, Float64Array> = { '2': new Float64Array(maxLayers), '3': new Float64Array(maxLayers) };
      for (const p of prompts) {
        const xq = Float64Array.from(p.rest);
        xq[0] = v;
        t += xq.reduce((s, u, k) => s + u * wStar[k]!, 0) / batch;
        for (const order of [2, 3]) {
          const pred = R.newtonRegression(p.x, p.y, xq, { d, n, order, steps: maxLayers });
          for (let l = 0; l < maxLayers; l++) sums[order]![l]! += pred[l + 1]! / batch;
        }
      }
      truth.push(t);
      for (const order of ['2', '3']) newton[order]!.push(Array.from(sums[order]!));
      const batchTokens = tokens(
        prompts.map((p) => {
          const xq = Float64Array.from(p.rest);
          xq[0] = v;
          return { x: p.x, y: p.y, xq, yq: 0 };
        }),
        d,
        n,
      );
      lsa.push(
        models.map((layers) => {
          if (!layers) return null;
          const out = R.transformer(batchTokens, [batch, lsaWidth, n + 1], layers);
          let mean = 0;
          for (let b = 0; b < batch; b++) mean += out[(b * lsaWidth + d) * (n + 1) + n]! / batch;
          return mean;
        }),
      );
      progress(++done, total);
      await new Promise((r) => setTimeout(r, 0));
    }
    out[name] = { x: xs, truth, newton, lsa: models.some((m) => m) ? lsa : [] };
  }
  return { d, n, batch, maxLayers, wStar: Array.from(wStar), ...out };
}

async function fig7(scale: Scale, progress: Progress) {
  const d = 5;
  const n = 26;
  const mu = 0.1;
  const prompts = num(scale, 'prompts', 256);
  const steps = num(scale, 'steps', 6);
  const nsSteps = num(scale, 'nsSteps', 6);
  const rng = R.random(7_000);
  const losses: number[][] = [];
  for (let i = 0; i < prompts; i++) {
    // Rows uniform in the unit ball's radius², labels sign(aᵀw*) with w* ~ N(0, I).
    const { a } = R.logisticData(rng, d, n);
    const wStar = Float64Array.from({ length: d }, () => rng.normal());
    const y = Float64Array.from({ length: n }, (_, t) =>
      a.subarray(t * d, t * d + d).reduce((s, v, k) => s + v * wStar[k]!, 0) >= 0 ? 1 : -1,
    );
    let w: Float64Array = new Float64Array(d);
    const row = [R.logisticLoss(a, y, w, d, n, mu)];
    for (let s = 0; s < steps; s++) {
      w = R.logisticNewton(a, y, w, { d, n, mu, steps: 1 });
      row.push(R.logisticLoss(a, y, w, d, n, mu));
    }
    losses.push(row);
    if (i % 32 === 31) {
      progress(i + 1, prompts);
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  const boot = R.random(77);
  return {
    d,
    n,
    mu,
    prompts,
    nsSteps,
    newton: Array.from({ length: steps + 1 }, (_, s) => ({
      step: s,
      layersHere: s * (8 + nsSteps),
      layersPaper: s * (11 + 2 * nsSteps),
      loss: summarise(
        losses.map((l) => l[s]!),
        boot,
      ),
    })),
    lsa: [],
  };
}

const registry: Record<string, Experiment> = {
  fig2,
  fig3: fig34,
  fig7,
  powers: (scale) => ({ rows: powersTable(scale.full ? 6 : 4, [2, 3, 4, 5]) }),
};

const state: { done: number; total: number; result: unknown; error: string | null; running: boolean } = {
  done: 0,
  total: 0,
  result: null,
  error: null,
  running: false,
};

(window as unknown as { experiments: unknown }).experiments = {
  list: () => Object.keys(registry),
  start(name: string, scale: Scale) {
    const experiment = registry[name];
    if (!experiment) throw new Error(`unknown experiment ${name}; expected one of ${Object.keys(registry).join(', ')}`);
    Object.assign(state, { done: 0, total: 0, result: null, error: null, running: true });
    Promise.resolve()
      .then(() => experiment(scale, (done, total) => Object.assign(state, { done, total })))
      .then(
        (result) => Object.assign(state, { result, running: false }),
        (error: unknown) => Object.assign(state, { error: String(error), running: false }),
      );
  },
  progress: () => ({ done: state.done, total: state.total, running: state.running, error: state.error }),
  result: () => state.result,
};
