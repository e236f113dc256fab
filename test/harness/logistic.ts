import { random } from '../../src/reference/index.js';

/** Seeded logistic data: ‖a_i‖ ≤ 1, labels drawn from a logistic model. */
export function logisticData(seed: number, d: number, n: number) {
  const rng = random(seed);
  const a = new Float64Array(n * d);
  const y = new Float64Array(n);
  const wTrue = Array.from({ length: d }, () => 2 * rng.normal());
  for (let t = 0; t < n; t++) {
    let norm = 0;
    for (let k = 0; k < d; k++) {
      a[t * d + k] = rng.normal();
      norm += a[t * d + k]! ** 2;
    }
    const scale = Math.sqrt(rng.next()) / Math.sqrt(norm);
    let z = 0;
    for (let k = 0; k < d; k++) {
      a[t * d + k]! *= scale;
      z += wTrue[k]! * a[t * d + k]!;
    }
    y[t] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : -1;
  }
  return { a, y };
}

