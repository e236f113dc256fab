export { type GradientDescentConstruction, gradientDescent } from './gradientDescent.js';
export type { Construction } from './layout.js';
export { type LogisticNewtonConstruction, logisticNewton } from './logisticNewton.js';
export { type NewtonSchulzConstruction, newtonSchulz } from './newtonSchulz.js';
export { type RidgeNewtonConstruction, ridgeNewton } from './ridgeNewton.js';
