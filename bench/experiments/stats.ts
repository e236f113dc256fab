import type * as Lib from '../../src/index.js';
import { median, quantile } from '../../tools/stats.js';

export interface ErrorSummary {
  mean: number;
  median: number;
  /** 5 % and 95 % quantiles of the mean over bootstrap resamples of the prompts. */
  p5: number;
  p95: number;
}

/** Mean and median of per-prompt errors, with a seeded bootstrap 5–95 % band of the mean. */
export function summarise(errors: readonly number[], rng: Lib.reference.Random, resamples = 200): ErrorSummary {
  const n = errors.length;
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += errors[Math.floor(rng.next() * n)]!;
    means.push(s / n);
  }
  const mean = errors.reduce((a, b) => a + b, 0) / n;
  return { mean, median: median(errors), p5: quantile(means, 0.05), p95: quantile(means, 0.95) };
}

/**
 * The real order p at which Newton after L steps has the model's error, interpolating log error
 * linearly between neighbouring integer orders; below the lowest or past the highest order the
 * answer is that bound with `outside` set.
 */
export function effectiveOrder(
  error: number,
  newton: Record<string, number>,
): { order: number; outside: 'below' | 'above' | null } {
  const orders = Object.keys(newton)
    .map(Number)
    .sort((a, b) => a - b);
  const at = (p: number) => Math.log(newton[String(p)]!);
  const e = Math.log(error);
  if (e >= at(orders[0]!)) return { order: orders[0]!, outside: e > at(orders[0]!) ? 'below' : null };
  for (let i = 1; i < orders.length; i++) {
    const lo = orders[i - 1]!;
    const hi = orders[i]!;
    if (e >= at(hi)) return { order: lo + ((hi - lo) * (at(lo) - e)) / (at(lo) - at(hi)), outside: null };
  }
  return { order: orders.at(-1)!, outside: 'above' };
}
