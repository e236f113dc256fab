// The page's three scenarios as plain functions of (seed, parameters): the page runs them on
// the GPU, the headless test recomputes them in float64 from the same definitions.
import { constructions, type Layer, reference } from '../src/index.js';

export type Problem = 'inverse' | 'ridge' | 'logistic';

export interface Params {
  seed: number;
  d: number;
  n: number;
  kappa: number;
  steps: number;
  mu: number;
  epsilon: number;
  nsSteps: number;
  noise: number;
}

export const DEFAULTS: Record<Problem, Params> = {
  inverse: { seed: 1, d: 6, n: 0, kappa: 10, steps: 12, mu: 0, epsilon: 0, nsSteps: 0, noise: 0 },
  ridge: { seed: 1, d: 5, n: 20, kappa: 10, steps: 12, mu: 0.1, epsilon: 0, nsSteps: 0, noise: 0.1 },
  logistic: { seed: 1, d: 3, n: 12, kappa: 0, steps: 4, mu: 0.1, epsilon: 1e-4, nsSteps: 6, noise: 0 },
};

/** One transformer run: its layers, its embedding, and how to turn a token matrix into an error. */
export interface Run {
  label: string;
  width: number;
  tokens: number;
  layers: Layer[];
  input: Float64Array;
  /** Layer counts (1-based) after which `error(H)` is plotted. */
  checkpoints: number[];
  error(h: ArrayLike<number>): number;
}

export interface Scenario {
  problem: Problem;
  params: Params;
  /** Transformers to run on the GPU (the second-order one first). */
  runs: Run[];
  /** Float64 algorithms, not transformers: [label, layers, error][]. */
  algorithms: { label: string; x: number[]; y: number[] }[];
  counts: { layers: number; width: number; heads: number; hiddenUnits: number; tokens: number; perStep: string };
  yLabel: string;
}

const relative = reference.relativeError;
const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

export function scenario(problem: Problem, params: Params): Scenario {
  const rng = reference.random(params.seed);
  if (problem === 'inverse') {
    const { d, kappa, steps } = params;
    const { a, inverse } = reference.conditioned(rng, d, kappa);
    const alpha = reference.safeAlpha(a, d);
    const x0 = reference.initialInverse(a, d, alpha);
    const c = constructions.newtonSchulz({ d, steps });
    // First-order baseline: gradient descent on ½‖AX − I‖², X ← X − η Aᵀ(AX − I), η = α.
    const gd: number[] = [];
    let x = Float64Array.from(x0);
    for (let s = 0; s < 2 * steps; s++) {
      const ax = mul(a, x, d);
      for (let i = 0; i < d; i++) ax[i * d + i]! -= 1;
      const g = mul(reference.initialInverse(a, d, 1), ax, d); // Aᵀ(AX − I)
      x = x.map((v, i) => v - alpha * g[i]!);
      gd.push(relative(x, inverse));
    }
    return {
      problem,
      params,
      runs: [
        {
          label: 'Newton–Schulz transformer (GPU)',
          width: c.width,
          tokens: c.tokens,
          layers: c.layers,
          input: c.embed(a, x0),
          checkpoints: range(c.layers.length),
          error: (h) => relative(c.readout(h), inverse),
        },
      ],
      algorithms: [
        {
          label: 'Newton–Schulz (float64)',
          x: range(steps).map((s) => 2 * s),
          y: range(steps).map((s) => relative(reference.newtonSchulz(a, x0, { d, steps: s }), inverse)),
        },
        { label: 'gradient descent on ½‖AX − I‖² (float64, 1 step per layer)', x: range(2 * steps), y: gd },
      ],
      counts: {
        layers: c.layers.length,
        width: c.width,
        heads: c.counts.maxHeads,
        hiddenUnits: 0,
        tokens: c.tokens,
        perStep: '2 layers per Newton–Schulz step',
      },
      yLabel: '‖X − A⁻¹‖_F / ‖A⁻¹‖_F',
    };
  }
  if (problem === 'ridge') {
    const { d, n, kappa, steps, mu, noise } = params;
    const { a, y, aTest } = reference.ridgeData(rng, d, n, { kappa, noise, scale: 1 / Math.sqrt(d) });
    const exact = reference.ridge(a, y, aTest, { d, n, mu });
    const norm1 = reference.norm1(reference.gram(a, n, d, mu), d);
    const alpha = 1 / norm1 ** 2;
    // Gradient descent minimises (1/2n)‖y − Aw‖² + (μ/2n)‖w‖², whose minimiser is the same
    // (AᵀA + μI)⁻¹Aᵀy; its Hessian is R/n and λ_max(R) ≤ ‖R‖₁, so η = n/‖R‖₁ is a safe step.
    const eta = n / norm1;
    const muGd = mu / n;
    const err = (v: number) => Math.abs(v - exact) / Math.abs(exact);
    const newton = range(steps + 1, 0).map((t) => constructions.ridgeNewton({ d, n, steps: t, mu, alpha }));
    const gd = constructions.gradientDescent({ d, n, steps: 3 + steps, eta, mu: muGd });
    return {
      problem,
      params,
      runs: [
        ...newton.map((c, t) => ({
          label: `Newton transformer, T = ${t} (GPU)`,
          width: c.width,
          tokens: c.tokens,
          layers: c.layers,
          input: c.embed(a, y, aTest),
          checkpoints: [c.layers.length],
          error: (h: ArrayLike<number>) => err(c.readout(h)),
        })),
        {
          label: 'gradient-descent transformer (GPU)',
          width: gd.width,
          tokens: gd.tokens,
          layers: gd.layers,
          input: gd.embed(a, y, aTest),
          checkpoints: range(gd.layers.length),
          error: (h) => err(gd.readout(h)),
        },
      ],
      algorithms: [
        {
          label: 'Newton–Schulz ridge (float64)',
          x: range(steps + 1, 0).map((t) => 3 + t),
          y: range(steps + 1, 0).map((t) => err(reference.ridgeNewton(a, y, aTest, { d, n, steps: t, mu, alpha }))),
        },
        {
          label: 'gradient descent (float64)',
          x: range(3 + steps),
          y: range(3 + steps).map((s) =>
            err(reference.gradientDescent(a, y, aTest, { d, n, steps: s, eta, mu: muGd })),
          ),
        },
      ],
      counts: {
        layers: newton[steps]!.layers.length,
        width: newton[steps]!.width,
        heads: newton[steps]!.counts.maxHeads,
        hiddenUnits: 0,
        tokens: newton[steps]!.tokens,
        perStep: `3 + T layers; gradient descent: 1 layer per step, width ${gd.width}`,
      },
      yLabel: '|ŷ − ŷ_ridge| / |ŷ_ridge|',
    };
  }
  const { d, n, mu, steps, nsSteps, epsilon } = params;
  const { a, y } = reference.logisticData(rng, d, n);
  const w0 = new Float64Array(d);
  const optimum = reference.logisticLoss(a, y, reference.logisticNewton(a, y, w0, { d, n, mu, steps: 40 }), d, n, mu);
  const gap = (w: ArrayLike<number>) => Math.max(reference.logisticLoss(a, y, w, d, n, mu) - optimum, 1e-17);
  const c = constructions.logisticNewton({ d, n, mu, steps, nsSteps, epsilon });
  const per = c.layersPerStep;
  // First-order baseline: gradient descent with step 1/L, L = 1/4 + μ (the gradient's Lipschitz bound).
  const gd: number[] = [];
  const w = new Float64Array(d);
  for (let s = 0; s < per * steps; s++) {
    const g = new Float64Array(d);
    for (let t = 0; t < n; t++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += w[k]! * a[t * d + k]!;
      const p = 1 / (1 + Math.exp(y[t]! * z));
      for (let k = 0; k < d; k++) g[k]! -= (y[t]! * p * a[t * d + k]!) / n;
    }
    for (let k = 0; k < d; k++) w[k]! -= (g[k]! + mu * w[k]!) / (0.25 + mu);
    gd.push(gap(w));
  }
  return {
    problem,
    params,
    runs: [
      {
        label: 'damped-Newton transformer (GPU)',
        width: c.width,
        tokens: c.tokens,
        layers: c.layers,
        input: c.embed(a, y, w0),
        checkpoints: range(steps).map((s) => s * per),
        error: (h) => gap(c.readout(h)),
      },
    ],
    algorithms: [
      {
        label: 'damped Newton, exact solve (float64)',
        x: range(steps).map((s) => s * per),
        y: range(steps).map((s) => gap(reference.logisticNewton(a, y, w0, { d, n, mu, steps: s }))),
      },
      { label: 'gradient descent, step 1/L (float64, 1 step per layer)', x: range(per * steps), y: gd },
    ],
    counts: {
      layers: c.layers.length,
      width: c.width,
      heads: c.counts.maxHeads,
      hiddenUnits: c.counts.hiddenUnits,
      tokens: c.tokens,
      perStep: `${per} layers per Newton step (8 + k, k = ${nsSteps})`,
    },
    yLabel: 'f(w) − f(w*)',
  };
}

function mul(a: ArrayLike<number>, b: ArrayLike<number>, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) c[i * d + j]! += a[i * d + k]! * b[k * d + j]!;
  return c;
}

/** Runs a transformer layer by layer with any `apply(h, layer)` and records the error at its checkpoints. */
export async function runLayers(
  run: Run,
  apply: (h: Float32Array | Float64Array, layer: Layer) => Promise<Float32Array | Float64Array>,
): Promise<{ x: number[]; y: number[]; states: (Float32Array | Float64Array)[] }> {
  let h: Float32Array | Float64Array = Float32Array.from(run.input);
  const states: (Float32Array | Float64Array)[] = [h];
  const x: number[] = [];
  const y: number[] = [];
  for (let l = 0; l < run.layers.length; l++) {
    h = await apply(h, run.layers[l]!);
    states.push(h);
    if (run.checkpoints.includes(l + 1)) {
      x.push(l + 1);
      y.push(run.error(h));
    }
  }
  if (run.checkpoints.includes(0)) {
    x.unshift(0);
    y.unshift(run.error(states[0]!));
  }
  return { x, y, states };
}
