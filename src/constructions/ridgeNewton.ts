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

export interface RidgeNewtonConstruction
  extends Construction<[a: ArrayLike<number>, y: ArrayLike<number>, aTest: ArrayLike<number>], number> {}

/**
 * Theorem 4.2: ridge prediction ŷ = aTestᵀ X_T Aᵀ y, X_T = T Newton–Schulz steps on
 * R = AᵀA + μI from X₀ = αR, in 3 + T LSA layers, ≤ 2 heads, width 4d + 2.
 * Tokens: n data tokens (a_i, y_i), d matrix tokens (column j of X, R, I), one test token
 * with aTest in its R rows; rows [X; R; I; a; y; ŷ]. Every token is a key, as in the paper (no
 * mask): each head's values or keys vanish on the tokens it must not sum over.
 *   layer 1: R += AᵀA + μI and X += α(AᵀA + μI) on matrix tokens (2 heads; keys read a or I,
 *            which the test token lacks)
 *   layer 1+s, s = 1..T: X ← X(2I − R X) (1 head; values read X, zero outside matrix tokens)
 *   layer T+2: u = X aTest into the test token's a rows (1 head; keys read I)
 *   layer T+3: ŷ = yᵀ A u into the test token's ŷ row (1 head; values read y, zero outside data)
 */
export function ridgeNewton(options: {
  d: number;
  n: number;
  steps: number;
  mu: number;
  alpha: number;
}): RidgeNewtonConstruction {
  const what = 'constructions.ridgeNewton';
  const d = checkPositiveInteger(what, 'd', options.d);
  const n = checkPositiveInteger(what, 'n', options.n);
  const steps = checkNonNegativeInteger(what, 'steps', options.steps);
  const mu = checkFinite(what, 'mu', options.mu, 0);
  const alpha = checkFinite(what, 'alpha', options.alpha, 0, true);
  const { rows, width } = stackRows({ x: d, r: d, i: d, a: d, y: 1, out: 1 });
  const tokens = n + d + 1;
  const matrix = n; // first matrix token
  const test = n + d;
  const W = () => new Weight(width);
  const { x, r, i, a, y, out } = rows as Record<'x' | 'r' | 'i' | 'a' | 'y' | 'out', readonly [number, number]>;

  const layers: Layer[] = [
    lsaLayer([
      // Σ_data a_t a_tᵀ into R and αR into X, queried by the identity columns of matrix tokens.
      head(W().copy(r, a).copy(x, a, alpha), W().copy(x, a), W().copy(x, i)),
      // Σ_matrix e_t e_tᵀ = I, times μ (and αμ).
      head(
        W()
          .copy(r, i, mu)
          .copy(x, i, alpha * mu),
        W().copy(x, i),
        W().copy(x, i),
      ),
    ]),
  ];
  // X ← X + X(I − R X): V = X, K = [I; R], Q = [I; −X] (key space: rows x and a).
  const step = head(W().copy(x, x), W().copy(x, i).copy(a, r), W().copy(x, i).copy(a, x, -1));
  for (let s = 0; s < steps; s++) layers.push(lsaLayer([step]));
  // u = Σ_matrix X e_t e_tᵀ aTest = X aTest, into rows a of the queries (only the test token's are used later).
  layers.push(lsaLayer([head(W().copy(a, x), W().copy(x, i), W().copy(x, r))]));
  // ŷ = Σ_data y_t a_tᵀ u.
  layers.push(lsaLayer([head(W().copy(out, y), W().copy(x, a), W().copy(x, a))]));

  return {
    width,
    tokens,
    layers,
    counts: countLayers(layers),
    embed(A, yv, aTest) {
      checkValues(`${what} embed A (n ${n} × d ${d})`, A, n * d);
      checkValues(`${what} embed y (n ${n})`, yv, n);
      checkValues(`${what} embed aTest (d ${d})`, aTest, d);
      const h = new Float64Array(width * tokens);
      for (let t = 0; t < n; t++) {
        for (let k = 0; k < d; k++) h[(a[0] + k) * tokens + t] = A[t * d + k]!;
        h[y[0] * tokens + t] = yv[t]!;
      }
      for (let j = 0; j < d; j++) h[(i[0] + j) * tokens + matrix + j] = 1;
      for (let k = 0; k < d; k++) h[(r[0] + k) * tokens + test] = aTest[k]!;
      return h;
    },
    readout(h) {
      checkLength(`${what} readout H (${width} × ${tokens})`, h, width * tokens);
      return h[out[0] * tokens + test]!;
    },
  };
}
