import { logisticData as make, random } from '../../src/reference/index.js';

/** Seeded logistic data (see reference.logisticData). */
export function logisticData(seed: number, d: number, n: number) {
  return make(random(seed), d, n);
}
