export { newtonSchulz, type NewtonSchulzConstruction } from './newtonSchulz.js';
export { ridgeNewton, type RidgeNewtonConstruction } from './ridgeNewton.js';
export type { Construction } from './layout.js';
