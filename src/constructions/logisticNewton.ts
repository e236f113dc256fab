import { ValueError } from '../errors.js';
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
  mlpLayer,
  stackRows,
  Weight,
} from './layout.js';
import { adaptiveKnots, type Knots, MlpBuilder } from './relu.js';

export interface LogisticNewtonConstruction
  extends Construction<[a: ArrayLike<number>, y: ArrayLike<number>, w0: ArrayLike<number>], Float64Array> {
  /** Layers of one damped Newton step (8 + nsSteps). */
  layersPerStep: number;
  /** ReLU knots of each approximated scalar function, for reports. */
  knots: { hessianWeight: number; probability: number; square: number; stepSize: number };
  /** ‖w‖ bound the approximations are built for (|wᵀa| ≤ radius when ‖a‖ ≤ 1). */
  radius: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Damped Newton for ℓ2-regularised logistic regression as LSA and ReLU layers. Tokens: n data
 * tokens (a_i, y_i) then d matrix tokens (column j of every d×d block; vectors of R^d are a
 * row across them). One Newton step, 8 + k layers (k = nsSteps):
 *   1 LSA  z_i = wᵀa_i
 *   2 MLP  φ_i ≈ σ(z_i)(1 − σ(z_i)), s_i ≈ σ(−z_i)                (ReLU interpolants)
 *   3 MLP  u_i ≈ φ_i a_i, by (x+y)² − (x−y)² = 4xy                 (ReLU interpolants of squares)
 *   4 LSA  H = (1/n) Σ a_i u_iᵀ + μI and X₀ = αH; g = −(1/n) Σ y_i p_i a_i + μw, y_i p_i = s_i − (1 − y_i)/2
 *   5..4+k LSA  X ← X(2I − H X)                                     (symmetric Lemma 4.1, 1 layer each)
 *   5+k LSA  δ = X g;  6+k LSA  λ² = gᵀ δ (to every matrix token)
 *   7+k MLP  η ≈ 2√μ / (2√μ + √λ²); clears the data tokens' scratch rows
 *   8+k LSA  w ← w − η δ (η is the same on every matrix token, so the mean over keys times δ_j);
 *            a second head clears the matrix tokens' scratch rows (they carry the identity).
 * See docs/constructions.md.
 */
export function logisticNewton(options: {
  d: number;
  n: number;
  mu: number;
  steps: number;
  nsSteps: number;
  epsilon: number;
  radius?: number;
}): LogisticNewtonConstruction {
  const what = 'constructions.logisticNewton';
  const d = checkPositiveInteger(what, 'd', options.d);
  const n = checkPositiveInteger(what, 'n', options.n);
  const mu = checkFinite(what, 'mu', options.mu, 0, true);
  const steps = checkNonNegativeInteger(what, 'steps', options.steps);
  const nsSteps = checkNonNegativeInteger(what, 'nsSteps', options.nsSteps);
  const epsilon = checkFinite(what, 'epsilon', options.epsilon, 0, true);
  // f decreases from f(0) = log 2, and f ≥ (μ/2)‖w‖², so ‖w‖ ≤ √(2 log 2 / μ); 1.5× margin.
  const radius = checkFinite(what, 'radius', options.radius ?? 1.5 * Math.sqrt((2 * Math.log(2)) / mu), 0, true);

  const { rows, width } = stackRows({
    a: d,
    y: 1,
    ind: 1,
    z: 1,
    phi: 1,
    s: 1,
    u: d, // data tokens
    i: d,
    w: 1,
    one: 1,
    hm: d,
    x: d,
    g: 1,
    dir: 1,
    lam: 1,
    eta: 1, // matrix tokens
  });
  const R = rows as Record<string, readonly [number, number]>;
  const row = (name: string) => R[name]![0];
  const tokens = n + d;
  const W = () => new Weight(width);

  // Scalar functions and their ReLU interpolants.
  const phiKnots = adaptiveKnots((z) => sigmoid(z) * sigmoid(-z), -radius, radius, epsilon);
  const sKnots = adaptiveKnots((z) => sigmoid(-z), -radius, radius, epsilon);
  const squareKnots = adaptiveKnots((x) => x * x, -1.25, 1.5, epsilon);
  const c = 2 * Math.sqrt(mu);
  const lamMax = (1 + mu * radius) ** 2 / mu;
  const etaKnots = adaptiveKnots((t) => c / (c + Math.sqrt(Math.max(t, 0))), 0, lamMax, epsilon);
  const alpha = 1 / (0.25 + mu) ** 2; // λ_max(H) ≤ max φ · max ‖a‖² + μ

  const one: readonly [number, number] = [row('one'), 1];
  const scalar = (name: string): readonly [number, number] => [row(name), 1];

  // 1: z_i = Σ_j w_j a_i[j]: values w_t, keys e_t (identity), queries a_i.
  const zLayer = lsaLayer([head(W().copy(scalar('z'), scalar('w')), W().copy(R.hm!, R.i!), W().copy(R.hm!, R.a!))]);
  // 2: φ(z), σ(−z) on data tokens.
  const m2 = new MlpBuilder(width)
    .scalarFunction([[row('z'), 1]], row('ind'), phiKnots, row('phi'))
    .scalarFunction([[row('z'), 1]], row('ind'), sKnots, row('s'));
  // 3: u_i[k] = φ_i a_i[k] = ((φ + a)² − (φ − a)²) / 4.
  const m3 = new MlpBuilder(width);
  for (let k = 0; k < d; k++) {
    m3.scalarFunction(
      [
        [row('phi'), 1],
        [row('a') + k, 1],
      ],
      row('ind'),
      squareKnots,
      row('u') + k,
      0.25,
    );
    m3.scalarFunction(
      [
        [row('phi'), 1],
        [row('a') + k, -1],
      ],
      row('ind'),
      squareKnots,
      row('u') + k,
      -0.25,
    );
  }
  // 4: H and X₀ (head 1), g (head 2). Keys: data tokens give u_t / a_t, matrix tokens e_t.
  const hessian = head(
    W()
      .copy(R.hm!, R.a!, 1 / n)
      .copy(R.x!, R.a!, alpha / n)
      .copy(R.hm!, R.i!, mu)
      .copy(R.x!, R.i!, alpha * mu),
    W().copy(R.hm!, R.u!).copy(R.hm!, R.i!),
    W().copy(R.hm!, R.i!),
  );
  const gv = W()
    .add(row('g'), row('s'), -1 / n)
    .add(row('g'), row('ind'), 0.5 / n)
    .add(row('g'), row('y'), -0.5 / n)
    .add(row('g'), row('w'), mu);
  const gradient = head(gv, W().copy(R.hm!, R.a!).copy(R.hm!, R.i!), W().copy(R.hm!, R.i!));
  // 5..: X ← X + X(I − H X): V = X, K = [I; H], Q = [I; −X] (key space: rows hm and u).
  const nsStep = head(
    W().copy(R.x!, R.x!),
    W().copy(R.u!, R.i!).copy(R.hm!, R.hm!),
    W().copy(R.u!, R.i!).copy(R.hm!, R.x!, -1),
  );
  // δ_j = Σ_t g_t X[j, t]: values g_t, keys X e_t, queries e_j.
  const dirLayer = lsaLayer([head(W().copy(scalar('dir'), scalar('g')), W().copy(R.hm!, R.x!), W().copy(R.hm!, R.i!))]);
  // λ² = Σ_t g_t δ_t, to every matrix token (query: the constant row).
  const lamLayer = lsaLayer([
    head(W().copy(scalar('lam'), scalar('g')), W().copy(scalar('z'), scalar('dir')), W().copy(scalar('z'), one)),
  ]);
  // η(λ²) on matrix tokens; clear the data tokens' scratch.
  const m7 = new MlpBuilder(width).scalarFunction([[row('lam'), 1]], row('one'), etaKnots, row('eta'));
  for (const name of ['z', 'phi', 's']) m7.clear(row(name));
  for (let k = 0; k < d; k++) m7.clear(row('u') + k);
  // w_j −= (mean_t η_t) δ_j; and every matrix-token scratch row r_j −= r_j (values −r_t, keys = queries = e_t).
  const update = head(
    W().copy(scalar('w'), scalar('eta'), -1),
    W().copy(scalar('z'), one, 1 / d),
    W().copy(scalar('z'), scalar('dir')),
  );
  const clearV = W();
  for (const name of ['hm', 'x']) clearV.copy(R[name]!, R[name]!, -1);
  for (const name of ['g', 'dir', 'lam', 'eta']) clearV.copy(R[name]!, R[name]!, -1);
  const clear = head(clearV, W().copy(R.hm!, R.i!), W().copy(R.hm!, R.i!));

  const stepLayers: Layer[] = [
    zLayer,
    mlpLayer(m2.build()),
    mlpLayer(m3.build()),
    lsaLayer([hessian, gradient]),
    ...Array.from({ length: nsSteps }, () => lsaLayer([nsStep])),
    dirLayer,
    lamLayer,
    mlpLayer(m7.build()),
    lsaLayer([update, clear]),
  ];
  const layers: Layer[] = Array.from({ length: steps }, () => stepLayers).flat();

  return {
    width,
    tokens,
    layers,
    counts: countLayers(layers),
    layersPerStep: stepLayers.length,
    knots: {
      hessianWeight: phiKnots.t.length,
      probability: sKnots.t.length,
      square: squareKnots.t.length,
      stepSize: etaKnots.t.length,
    },
    radius,
    embed(A, yv, w0) {
      checkValues(`${what} embed A (n ${n} × d ${d})`, A, n * d);
      checkValues(`${what} embed y (n ${n})`, yv, n);
      checkValues(`${what} embed w0 (d ${d})`, w0, d);
      for (let t = 0; t < n; t++) {
        let norm = 0;
        for (let k = 0; k < d; k++) norm += A[t * d + k]! ** 2;
        if (norm > 1 + 1e-12)
          throw new ValueError(`${what} embed: expected ‖a_i‖ ≤ 1, got ${Math.sqrt(norm)} for row ${t}`);
        if (yv[t] !== 1 && yv[t] !== -1)
          throw new ValueError(`${what} embed: expected labels ±1, got ${yv[t]} at ${t}`);
      }
      const h = new Float64Array(width * tokens);
      for (let t = 0; t < n; t++) {
        for (let k = 0; k < d; k++) h[(row('a') + k) * tokens + t] = A[t * d + k]!;
        h[row('y') * tokens + t] = yv[t]!;
        h[row('ind') * tokens + t] = 1;
      }
      for (let j = 0; j < d; j++) {
        const col = n + j;
        h[(row('i') + j) * tokens + col] = 1;
        h[row('w') * tokens + col] = w0[j]!;
        h[row('one') * tokens + col] = 1;
      }
      return h;
    },
    readout(h) {
      checkLength(`${what} readout H (${width} × ${tokens})`, h, width * tokens);
      return Float64Array.from({ length: d }, (_, j) => h[row('w') * tokens + n + j]!);
    },
  };
}

export type { Knots };
