/** How far a computed array is from a float64 reference. */
export interface Comparison {
  /** ‖actual − expected‖₂ / ‖expected‖₂ (the absolute RMS error when expected is all zero). */
  rmsRelative: number;
  maxAbs: number;
  /** Count of NaN or infinite entries in `actual`. */
  nonFinite: number;
  /** First index that is non-finite or whose error is the largest; -1 for empty input. */
  worstIndex: number;
}

export function compare(actual: ArrayLike<number>, expected: ArrayLike<number>): Comparison {
  if (actual.length !== expected.length) {
    throw new RangeError(`compare: expected ${expected.length} values, got ${actual.length}`);
  }
  let num = 0;
  let den = 0;
  let maxAbs = 0;
  let nonFinite = 0;
  let worstIndex = actual.length > 0 ? 0 : -1;
  let firstNonFinite = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(a)) {
      nonFinite++;
      if (firstNonFinite < 0) firstNonFinite = i;
      continue;
    }
    const diff = Math.abs(a - e);
    num += diff * diff;
    den += e * e;
    if (diff > maxAbs) {
      maxAbs = diff;
      worstIndex = i;
    }
  }
  const rms = den > 0 ? Math.sqrt(num / den) : Math.sqrt(num / Math.max(1, actual.length));
  return {
    rmsRelative: nonFinite > 0 ? Number.NaN : rms,
    maxAbs: nonFinite > 0 ? Number.NaN : maxAbs,
    nonFinite,
    worstIndex: firstNonFinite >= 0 ? firstNonFinite : worstIndex,
  };
}

/** ‖actual − expected‖₂ / ‖expected‖₂ over all entries (relative Frobenius error for matrices). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new RangeError(`relativeError: expected ${expected.length} values, got ${actual.length}`);
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    num += (actual[i]! - expected[i]!) ** 2;
    den += expected[i]! ** 2;
  }
  return Math.sqrt(num / den);
}
