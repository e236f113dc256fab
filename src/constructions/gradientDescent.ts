import type { Layer } from '../layers.js';
import { checkValues } from '../shape.js';
import {
  type Construction,
  checkFinite,
  checkLength,
  checkNonNegativeInteger,
  checkPositiveInteger,
  countLayers,
  head,
  lsaLayer,
  stackRows,
  Weight,
} from './layout.js';

export interface GradientDescentConstruction
  extends Construction<[a: ArrayLike<number>, y: ArrayLike<number>, aTest: ArrayLike<number>], number> {}

/**
 * The first-order baseline (von Oswald et al. 2023): gradient descent on ridge regression,
 * w ← w + η((1/n) Aᵀ(y − A w) − μ w) from w₀ = 0, one LSA layer (one head) per step.
 * Tokens [x; r] (width d + 1): n data tokens (a_i, residual r_i = y_i − wᵀa_i), d
 * regularisation tokens (√(nμ) e_k, residual −√(nμ) w_k: gradient descent on them is the
 * μ‖w‖² term), and the test token (aTest, −wᵀaTest). Keys: the first n + d tokens.
 * Layer: V = B(r ← r, −η/n), K = Q = B(x ← x), so token j gets −(η/n) Σ_t r_t a_tᵀ a_j: every
 * residual moves exactly as wᵀa_j does under the step. Readout: ŷ = −r_test.
 */
export function gradientDescent(options: {
  d: number;
  n: number;
  steps: number;
  eta: number;
  mu?: number;
}): GradientDescentConstruction {
  const what = 'constructions.gradientDescent';
  const d = checkPositiveInteger(what, 'd', options.d);
  const n = checkPositiveInteger(what, 'n', options.n);
  const steps = checkNonNegativeInteger(what, 'steps', options.steps);
  const eta = checkFinite(what, 'eta', options.eta, 0, true);
  const mu = checkFinite(what, 'mu', options.mu ?? 0, 0);
  const { rows, width } = stackRows({ x: d, r: 1 });
  const tokens = n + d + 1;
  const test = n + d;
  const step = head(
    new Weight(width).copy(rows.r!, rows.r!, -eta / n),
    new Weight(width).copy(rows.x!, rows.x!),
    new Weight(width).copy(rows.x!, rows.x!),
  );
  const layers: Layer[] = Array.from({ length: steps }, () => lsaLayer([step], n + d));
  return {
    width,
    tokens,
    layers,
    counts: countLayers(layers),
    embed(a, y, aTest) {
      checkValues(`${what} embed A (n ${n} × d ${d})`, a, n * d);
      checkValues(`${what} embed y (n ${n})`, y, n);
      checkValues(`${what} embed aTest (d ${d})`, aTest, d);
      const h = new Float64Array(width * tokens);
      const x = rows.x![0];
      const r = rows.r![0];
      for (let t = 0; t < n; t++) {
        for (let k = 0; k < d; k++) h[(x + k) * tokens + t] = a[t * d + k]!;
        h[r * tokens + t] = y[t]!;
      }
      for (let k = 0; k < d; k++) h[(x + k) * tokens + n + k] = Math.sqrt(n * mu);
      for (let k = 0; k < d; k++) h[(x + k) * tokens + test] = aTest[k]!;
      return h;
    },
    readout(h) {
      checkLength(`${what} readout H (${width} × ${tokens})`, h, width * tokens);
      return -h[rows.r![0] * tokens + test]!;
    },
  };
}
