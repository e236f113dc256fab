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
