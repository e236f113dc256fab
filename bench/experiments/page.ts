// Browser half of `npm run experiments`: each experiment runs here, on the page's adapter, and
// reports progress; bench/experiments.ts drives it, saves the results and renders the figures.
// Float64 baselines come from src/reference; trained models will come from the runtime.
import type * as Lib from '../../src/index.js';
import { powersTable } from './powers.js';
import type { Fig7Model } from './render.js';
import { type ErrorSummary, effectiveOrder, summarise } from './stats.js';
import { curriculum, logisticTokens, type Prompt, tokens, trainLsa, trainModel } from './train.js';

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

type Trained = {
  layers: number;
  testError: ErrorSummary;
  effectiveOrder: ReturnType<typeof effectiveOrder>;
  steps: number;
  msPerStep: number;
  curve: { step: number; loss: number }[];
};

async function fig2(scale: Scale, progress: Progress) {
  const d = num(scale, 'd', scale.full ? 10 : 5);
  const n = num(scale, 'n', scale.full ? 50 : 20);
  const dZeros = num(scale, 'dZeros', scale.full ? 10 : 0);
  const prompts = num(scale, 'prompts', 4096);
  const maxLayers = num(scale, 'layers', scale.full ? 6 : 4);
  const heads = num(scale, 'heads', scale.full ? 4 : 2);
  const batch = num(scale, 'batch', scale.full ? 2000 : 256);
  // Adam steps for an L-layer model: stepsPerLayer · L (deeper models get more).
  const stepsPerLayer = num(scale, 'stepsPerLayer', scale.full ? 3000 : 1000);
  const learningRate = num(scale, 'learningRate', 0.01);
  const train = num(scale, 'train', 1) !== 0;
  // The LayerNorm model: at κ = 5 only by default (the headline setting; it doubles the training
  // time), at every setting with --full or --lnAll=1; --ln=0 skips it.
  const ln = num(scale, 'ln', 1) !== 0;
  const plain = num(scale, 'lsa', 1) !== 0; // --lsa=0: the LayerNorm model only (trial runs)
  const lnLearningRate = num(scale, 'lnLearningRate', learningRate);
  const lnAll = num(scale, 'lnAll', scale.full ? 1 : 0) !== 0;
  const useCurriculum = num(scale, 'curriculum', scale.full ? 1 : 0) !== 0;
  const course = useCurriculum
    ? curriculum(d, n, num(scale, 'dStart', Math.min(d, 5)), num(scale, 'nStart', Math.min(n, 10)))
    : null;
  const kappas = typeof scale.kappa === 'number' ? [scale.kappa] : scale.full ? [1, 5, 10] : [1, 5];
  const noises = typeof scale.noise === 'number' ? [scale.noise] : scale.full ? [0, 0.1] : [0];
  const orders = [2, 3, 4, 5, 6, 7, 8, 9, 10];
  const depths = Array.from({ length: maxLayers }, (_, l) => l + 1);
  const runs: unknown[] = [];
  const weights: Record<string, unknown> = {};
  let done = 0;
  // Progress in rough cost units for the time estimate: a baseline prompt is 1, an Adam step of an
  // L-layer model STEP_COST · L (measured on the software adapter: a step costs about 60 prompts per layer).
  const STEP_COST = 60;
  const perModel = train ? depths.reduce((s, l) => s + STEP_COST * l * stepsPerLayer * l, 0) : 0;
  const lnRuns = ln ? (lnAll ? kappas.length : kappas.includes(5) ? 1 : 0) : 0;
  const total = noises.length * (kappas.length * (prompts + (plain ? perModel : 0)) + lnRuns * perModel);
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
      const heldTokens = tokens(held, d, n, dZeros);
      const width = dZeros + d + 1;
      const models = async (norm: boolean): Promise<Trained[]> => {
        const rt = await training();
        const out: Trained[] = [];
        for (const layers of depths) {
          const before = done;
          const steps = stepsPerLayer * layers;
          const grow = norm ? null : course;
          const trained = await trainLsa(
            lib,
            rt,
            (r, step) => {
              if (!grow) return prompt(r, d, n, kappa, noise);
              const at = grow.at(step, steps);
              return prompt(r, at.d, at.n, kappa, noise);
            },
            {
              d,
              n,
              dZeros,
              norm,
              layers,
              heads,
              batch,
              steps,
              learningRate: norm ? lnLearningRate : learningRate,
              warmup: Math.min(200, steps >> 3),
              seed: 500 + 10 * kappa + layers + (norm ? 7 : 0),
              every: Math.min(50, Math.max(1, steps >> 1)),
            },
            (s) => {
              done = before + STEP_COST * layers * s;
              progress(done, total);
            },
          );
          done = before + STEP_COST * layers * steps;
          // Held-out error of the trained weights, run by the float64 reference on the same prompts as the baselines.
          const h = R.transformer(heldTokens, [prompts, width, n + 1], trained.layers);
          const row = dZeros + d;
          const errors = held.map((q, b) => (h[(b * width + row) * (n + 1) + n]! - q.yq) ** 2 / d);
          const testError = summarise(errors, boot);
          const at = Object.fromEntries(orders.map((p) => [p, newtonByLayer[p]![layers - 1]!.mean]));
          out.push({
            layers,
            testError,
            effectiveOrder: effectiveOrder(testError.mean, at),
            steps,
            msPerStep: trained.msPerStep,
            curve: trained.curve,
          });
          weights[`${norm ? 'ln-' : ''}kappa${kappa}-noise${noise}-L${layers}`] = lib.serializeLayers(trained.layers);
        }
        return out;
      };
      const lsa = train && plain ? await models(false) : [];
      const lsaLn = train && ln && (lnAll || kappa === 5) ? await models(true) : [];
      runs.push({
        kappa,
        noise,
        newton: newtonByLayer,
        newtonNormBoundAlpha: Object.fromEntries(Object.entries(safe).map(([p, e]) => [p, byLayer(e)])),
        gd: byLayer(gd),
        lsa,
        lsaLn,
      });
    }
  }
  return {
    d,
    n,
    dZeros,
    prompts,
    maxLayers,
    heads,
    batch,
    stepsPerLayer,
    learningRate,
    lnLearningRate,
    curriculum: course?.text ?? null,
    orders,
    runs,
    weights,
  };
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

/** One logistic-regression prompt of fig7: rows in the unit ball, labels sign(aᵀw*), w* ~ N(0, I). */
function logisticPrompt(rng: Lib.reference.Random, d: number, n: number) {
  const { a } = R.logisticData(rng, d, n);
  const wStar = Float64Array.from({ length: d }, () => rng.normal());
  const y = Float64Array.from({ length: n }, (_, t) =>
    a.subarray(t * d, t * d + d).reduce((s, v, k) => s + v * wStar[k]!, 0) >= 0 ? 1 : -1,
  );
  return { a, y };
}

/** LSA + ReLU blocks: L × [LSA (heads, query not a key), ReLU MLP (hidden units)], small random weights. */
function lsaReluModel(width: number, n: number, layers: number, heads: number, hidden: number, seed: number) {
  const init = R.random(seed);
  const w = (count: number, sd: number) => Float32Array.from(init.normals(count, sd));
  return Array.from({ length: layers }, (): Lib.Layer[] => [
    {
      kind: 'lsa',
      keys: n,
      heads: Array.from({ length: heads }, () => ({
        wv: w(width * width, 0.05),
        wk: w(width * width, 0.05),
        wq: w(width * width, 0.05),
      })),
    },
    {
      kind: 'mlp',
      hidden,
      w1: w(hidden * width, 1 / Math.sqrt(width)),
      b1: new Float32Array(hidden),
      w2: w(width * hidden, 0.05),
      b2: new Float32Array(width),
    },
  ]).flat();
}

async function fig7(scale: Scale, progress: Progress) {
  const d = 5;
  const n = 26;
  const mu = 0.1;
  const prompts = num(scale, 'prompts', 1024);
  const steps = num(scale, 'steps', 6);
  const nsSteps = num(scale, 'nsSteps', 6);
  // The trained LSA + ReLU model: 1…maxLayers blocks, each trained stepsPerLayer · L Adam steps to
  // predict damped Newton's solution (float64 reference, `targetSteps` steps from w = 0, uploaded).
  const maxLayers = num(scale, 'layers', scale.full ? 6 : 3);
  const heads = num(scale, 'heads', scale.full ? 4 : 2);
  const batch = num(scale, 'batch', scale.full ? 2000 : 256);
  const stepsPerLayer = num(scale, 'stepsPerLayer', scale.full ? 3000 : 400);
  const learningRate = num(scale, 'learningRate', 0.005);
  const targetSteps = num(scale, 'targetSteps', 8);
  const train = num(scale, 'train', 1) !== 0;
  const width = 2 * d + 2;
  const hidden = 2 * width;
  const depths = Array.from({ length: maxLayers }, (_, l) => l + 1);
  const STEP_COST = 60;
  const total = prompts + (train ? depths.reduce((s, l) => s + STEP_COST * l * stepsPerLayer * l, 0) : 0);
  const solve = (p: { a: Float64Array; y: Float64Array }) =>
    R.logisticNewton(p.a, p.y, new Float64Array(d), { d, n, mu, steps: targetSteps });
  const rng = R.random(7_000);
  const losses: number[][] = [];
  const held: { a: Float64Array; y: Float64Array }[] = [];
  const optimum: number[] = [];
  for (let i = 0; i < prompts; i++) {
    const p = logisticPrompt(rng, d, n);
    held.push(p);
    let w: Float64Array = new Float64Array(d);
    const row = [R.logisticLoss(p.a, p.y, w, d, n, mu)];
    for (let s = 0; s < steps; s++) {
      w = R.logisticNewton(p.a, p.y, w, { d, n, mu, steps: 1 });
      row.push(R.logisticLoss(p.a, p.y, w, d, n, mu));
    }
    losses.push(row);
    optimum.push(R.logisticLoss(p.a, p.y, solve(p), d, n, mu));
    if (i % 32 === 31) {
      progress(i + 1, total);
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  const boot = R.random(77);
  let done = prompts;
  const lsa: Fig7Model[] = [];
  const weights: Record<string, unknown> = {};
  if (train) {
    const rt = await training();
    const heldTokens = logisticTokens(held, d, n);
    const heldTargets = held.map(solve);
    for (const layers of depths) {
      const before = done;
      const runSteps = stepsPerLayer * layers;
      const sampler = R.random(7_100 + layers);
      const trained = await trainModel(
        rt,
        {
          layers: lsaReluModel(width, n, layers, heads, hidden, 700 + layers),
          shape: { batch, width, tokens: n + 1 },
          rows: Array.from({ length: d }, (_, k) => k),
          token: n,
          steps: runSteps,
          learningRate,
          warmup: Math.min(200, runSteps >> 3),
          clipNorm: 10,
          every: Math.min(50, Math.max(1, runSteps >> 1)),
          batch: () => {
            const ps = Array.from({ length: batch }, () => logisticPrompt(sampler, d, n));
            const target = new Float32Array(batch * d);
            for (const [b, p] of ps.entries()) target.set(solve(p), b * d);
            return { input: logisticTokens(ps, d, n), target };
          },
        },
        (s) => {
          done = before + STEP_COST * layers * s;
          progress(done, total);
        },
      );
      done = before + STEP_COST * layers * runSteps;
      // The trained weights run by the float64 reference on the baselines' prompts; ŵ from the read-out column.
      const h = R.transformer(heldTokens, [prompts, width, n + 1], trained.layers);
      const ws = held.map((_, b) => Float64Array.from({ length: d }, (_, k) => h[(b * width + k) * (n + 1) + n]!));
      const f = held.map((p, b) => R.logisticLoss(p.a, p.y, ws[b]!, d, n, mu));
      lsa.push({
        layers,
        loss: summarise(f, boot),
        excess: summarise(
          f.map((v, b) => v - optimum[b]!),
          boot,
        ),
        wError: summarise(
          ws.map((w, b) => w.reduce((s, v, k) => s + (v - heldTargets[b]![k]!) ** 2, 0) / d),
          boot,
        ),
        steps: runSteps,
        msPerStep: trained.msPerStep,
        curve: trained.curve,
      });
      weights[`L${layers}`] = lib.serializeLayers(trained.layers);
    }
  }
  return {
    d,
    n,
    mu,
    prompts,
    nsSteps,
    maxLayers,
    heads,
    hidden,
    batch,
    stepsPerLayer,
    learningRate,
    targetSteps,
    optimum: summarise(optimum, boot),
    newton: Array.from({ length: steps + 1 }, (_, s) => ({
      step: s,
      layersHere: s * (8 + nsSteps),
      layersPaper: s * (11 + 2 * nsSteps),
      loss: summarise(
        losses.map((l) => l[s]!),
        boot,
      ),
      excess: summarise(
        losses.map((l, i) => l[s]! - optimum[i]!),
        boot,
      ),
    })),
    lsa,
    weights,
  };
}

/**
 * Cost per Adam step, measured: one warm-up step, then `timed` steps, each with its batch generated
 * on the CPU and uploaded (as the training runs do), ending in a loss readback; for every model kind
 * at the default shape (L = 1 and 2: the runs' cost grows about linearly in L) and at the --full
 * shape (L = 1 only: a step there takes seconds on a software adapter).
 */
async function cost(scale: Scale, progress: Progress) {
  const rt = await training();
  const shapes = [
    { scale: 'default', d: 5, n: 20, dZeros: 0, heads: 2, batch: 256, depths: [1, 2], timed: num(scale, 'timed', 5) },
    { scale: 'full', d: 10, n: 50, dZeros: 10, heads: 4, batch: 2000, depths: [1], timed: num(scale, 'timedFull', 2) },
  ];
  const kinds = ['lsa', 'lsaLn', 'lsaRelu'] as const;
  const rows: {
    scale: string;
    timed: number;
    kind: string;
    layers: number;
    batch: number;
    width: number;
    tokens: number;
    msPerStep: number;
  }[] = [];
  const total = kinds.length * shapes.reduce((t, sh) => t + sh.depths.length, 0);
  for (const sh of shapes) {
    for (const kind of kinds) {
      for (const layers of sh.depths) {
        const rng = R.random(9_000 + layers);
        let trained: { msPerStep: number };
        let shape: { width: number; tokens: number };
        if (kind === 'lsaRelu') {
          const d = 5;
          const n = 26;
          const width = 2 * d + 2;
          shape = { width, tokens: n + 1 };
          const batch = () => {
            const ps = Array.from({ length: sh.batch }, () => logisticPrompt(rng, d, n));
            const target = new Float32Array(sh.batch * d);
            for (const [b, p] of ps.entries())
              target.set(R.logisticNewton(p.a, p.y, new Float64Array(d), { d, n, mu: 0.1, steps: 8 }), b * d);
            return { input: logisticTokens(ps, d, n), target };
          };
          const run = (steps: number) =>
            trainModel(
              rt,
              {
                layers: lsaReluModel(width, n, layers, sh.heads, 2 * width, 1),
                shape: { batch: sh.batch, ...shape },
                rows: [0, 1, 2, 3, 4],
                token: n,
                steps,
                learningRate: 1e-3,
                warmup: 0,
                clipNorm: 10,
                every: steps,
                batch,
              },
              () => {},
            );
          await run(1);
          trained = await run(sh.timed);
        } else {
          shape = { width: sh.dZeros + sh.d + 1, tokens: sh.n + 1 };
          const run = (steps: number) =>
            trainLsa(
              lib,
              rt,
              (r) => prompt(r, sh.d, sh.n, 5, 0),
              {
                d: sh.d,
                n: sh.n,
                dZeros: sh.dZeros,
                norm: kind === 'lsaLn',
                layers,
                heads: sh.heads,
                batch: sh.batch,
                steps,
                learningRate: 1e-3,
                warmup: 0,
                seed: 1,
                every: steps,
              },
              () => {},
            );
          await run(1);
          trained = await run(sh.timed);
        }
        rows.push({
          scale: sh.scale,
          kind,
          layers,
          batch: sh.batch,
          ...shape,
          timed: sh.timed,
          msPerStep: trained.msPerStep,
        });
        progress(rows.length, total);
      }
    }
  }
  return { rows };
}

const registry: Record<string, Experiment> = {
  fig2,
  fig3: fig34,
  fig7,
  cost,
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
