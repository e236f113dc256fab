export { newtonSchulz, type NewtonSchulzConstruction } from './newtonSchulz.js';
export { ridgeNewton, type RidgeNewtonConstruction } from './ridgeNewton.js';
export type { Construction } from './layout.js';
export { logisticNewton, type LogisticNewtonConstruction } from './logisticNewton.js';
export { gradientDescent, type GradientDescentConstruction } from './gradientDescent.js';
