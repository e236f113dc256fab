import { ValueError } from '../errors.js';
import type { MlpLayer } from '../layers.js';

/** Knots t_0 < … < t_K of a piecewise-linear interpolant and the function's values there. */
export interface Knots {
  t: Float64Array;
  f: Float64Array;
}

/**
 * Greedy knots for interpolating `f` on [lo, hi] to uniform error ≤ eps: each interval is
 * made as long as possible (doubling, then bisection) while the interpolant stays within
 * eps/2 of f on 65 points across it. Denser where f curves (e.g. near t = 0 for √t).
 */
export function adaptiveKnots(f: (x: number) => number, lo: number, hi: number, eps: number): Knots {
  if (!(hi > lo) || !(eps > 0))
    throw new ValueError(`adaptiveKnots: expected lo < hi and eps > 0, got [${lo}, ${hi}], ${eps}`);
  const within = (a: number, b: number): boolean => {
    const fa = f(a);
    const fb = f(b);
    for (let s = 1; s < 64; s++) {
      const x = a + ((b - a) * s) / 64;
      const lin = fa + ((fb - fa) * (x - a)) / (b - a);
      if (Math.abs(f(x) - lin) > eps / 2) return false;
    }
    return true;
  };
  const t = [lo];
  let a = lo;
  let h = (hi - lo) / 1024;
  while (a < hi) {
    let good = 0;
    let bad = Infinity;
    let step = Math.min(h, hi - a);
    while (true) {
      if (within(a, a + step)) {
        good = step;
        if (a + step >= hi || step * 2 >= bad) break;
        step = Math.min(step * 2, hi - a);
      } else {
        bad = step;
        if (good > 0 && bad - good <= good * 1e-3) break;
        step = good > 0 ? (good + bad) / 2 : step / 2;
        if (step < (hi - lo) * 1e-15) throw new ValueError(`adaptiveKnots: cannot reach error ${eps} near ${a}`);
      }
    }
    a = Math.min(a + good, hi);
    t.push(a);
    h = good;
  }
  const knots = Float64Array.from(t);
  return { t: knots, f: knots.map(f) };
}

/** Evaluates the interpolant (clamped outside the knots), as the ReLU units compute it. */
export function interpolate(k: Knots, x: number): number {
  const { t, f } = k;
  if (x <= t[0]!) return f[0]!;
  if (x >= t[t.length - 1]!) return f[f.length - 1]!;
  let lo = 0;
  let hi = t.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return f[lo]! + ((f[hi]! - f[lo]!) * (x - t[lo]!)) / (t[hi]! - t[lo]!);
}

/** A row combination: Σ coefficient · H[row]. */
export type Expr = readonly (readonly [row: number, coefficient: number])[];

/**
 * Collects ReLU hidden units for one MLP layer `H + W₂ ReLU(W₁ H + b₁)`, then builds it.
 * Every unit reads a row combination plus a bias and adds a multiple of its output to rows.
 */
export class MlpBuilder {
  private readonly units: { input: Expr; bias: number; outputs: Expr }[] = [];
  constructor(readonly width: number) {}

  unit(input: Expr, bias: number, outputs: Expr): this {
    this.units.push({ input, bias, outputs });
    return this;
  }

  /**
   * out += scale·f̃(x) on tokens where `mask` = 1 (nothing where mask = 0), f̃ the interpolant
   * on `knots`, clamped outside them. The ramps are anchored at the knot m where f is
   * flattest: right of it ReLU(x − t_k), left of it ReLU(t_k − x). Then a ramp is active only
   * between its knot and x's side of the anchor, so steep regions (√t near 0) never add large
   * terms that cancel, which float32 could not afford. Masking: each ramp's argument also gets
   * −M_k(1 − mask) with M_k = |t_k| + offMask + 1, where |x| ≤ offMask on masked-off tokens.
   */
  scalarFunction(x: Expr, mask: number, knots: Knots, out: number, scale = 1, offMask = 0): this {
    const { t, f } = knots;
    const last = t.length - 1;
    const slope = (k: number): number => (k < 0 || k >= last ? 0 : (f[k + 1]! - f[k]!) / (t[k + 1]! - t[k]!));
    let m = 0;
    for (let k = 0; k < last; k++) if (Math.abs(slope(k)) < Math.abs(slope(m))) m = k;
    this.unit([[mask, 1]], 0, [[out, scale * f[m]!]]);
    const negated = x.map(([r, c]) => [r, -c] as const);
    for (let k = 0; k <= last; k++) {
      const big = Math.abs(t[k]!) + offMask + 1;
      if (k >= m) {
        // right of the anchor: slope changes from slope(k−1) (or 0 at the anchor) to slope(k)
        const c = slope(k) - (k === m ? 0 : slope(k - 1));
        if (c !== 0) this.unit([...x, [mask, big]], -t[k]! - big, [[out, scale * c]]);
      }
      if (k <= m) {
        // left of the anchor: ReLU(t_k − x) has slope −1, so its weight is slope(k) − slope(k−1)
        // below the anchor knot and −slope(m−1) at it
        const c = k === m ? -slope(m - 1) : slope(k) - slope(k - 1);
        if (c !== 0) this.unit([...negated, [mask, big]], t[k]! - big, [[out, scale * c]]);
      }
    }
    return this;
  }

  /** row ← 0 exactly: −ReLU(row) + ReLU(−row). */
  clear(row: number): this {
    this.unit([[row, 1]], 0, [[row, -1]]);
    this.unit([[row, -1]], 0, [[row, 1]]);
    return this;
  }

  get hidden(): number {
    return this.units.length;
  }

  build(): MlpLayer {
    const f = this.units.length;
    const w = this.width;
    const w1 = new Float64Array(f * w);
    const b1 = new Float64Array(f);
    const w2 = new Float64Array(w * f);
    this.units.forEach((u, k) => {
      for (const [row, c] of u.input) w1[k * w + row]! += c;
      b1[k] = u.bias;
      for (const [row, c] of u.outputs) w2[row * f + k]! += c;
    });
    return { hidden: f, w1, b1, w2 };
  }
}
