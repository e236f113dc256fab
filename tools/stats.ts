// Summary statistics shared by the Node tools and the browser pages (plain ES module, no imports).

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The q-quantile (0 ≤ q ≤ 1) of a non-empty list, linear between order statistics. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) throw new Error('quantile of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return pos === lo ? s[lo]! : s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Median with the 5 % and 95 % quantiles: the band every many-instance table reports. */
export function band(xs: readonly number[]): { p5: number; median: number; p95: number } {
  return { p5: quantile(xs, 0.05), median: median(xs), p95: quantile(xs, 0.95) };
}
