import { describe, expect, it } from 'vitest';
import { effectiveOrder, summarise } from '../bench/experiments/stats.js';
import { random } from '../src/reference/random.js';

describe('experiment statistics', () => {
  it('effectiveOrder interpolates log error between integer orders and flags values outside them', () => {
    const newton = { '2': 1e-1, '3': 1e-3, '4': 1e-6, '5': 1e-10 };
    expect(effectiveOrder(1e-2, newton)).toEqual({ order: 2.5, outside: null });
    expect(effectiveOrder(1e-3, newton).order).toBeCloseTo(3, 12);
    expect(effectiveOrder(1e-8, newton).order).toBeCloseTo(4.5, 12);
    expect(effectiveOrder(1, newton)).toEqual({ order: 2, outside: 'below' });
    expect(effectiveOrder(1e-12, newton)).toEqual({ order: 5, outside: 'above' });
  });

  it('summarise: mean, median and a bootstrap band of the mean that contains the mean', () => {
    const rng = random(5);
    const errors = Array.from({ length: 1001 }, () => rng.normal() ** 2);
    const s = summarise(errors, random(6));
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    expect(s.mean).toBeCloseTo(mean, 12);
    expect(s.median).toBe([...errors].sort((a, b) => a - b)[500]);
    expect(s.p5).toBeLessThan(mean);
    expect(s.p95).toBeGreaterThan(mean);
    // The band of a mean of 1001 χ²₁ draws (sd √2) is about ±1.645 · √2 / √1001 wide.
    expect(s.p95 - s.p5).toBeGreaterThan(0.05);
    expect(s.p95 - s.p5).toBeLessThan(0.25);
  });
});
