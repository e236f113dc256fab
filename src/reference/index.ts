export { lsa } from './lsa.js';
export { reluMlp } from './reluMlp.js';
export { transformer } from './transformer.js';
export { compare, relativeError, type Comparison } from './compare.js';
export { random, type Random } from './random.js';
export { inverseLU, newtonSchulzInverse, newtonSchulzStep, residual, safeAlpha, theoryIterations, type ReferenceInverse } from './newtonSchulz.js';
export { conditioned, logisticData, type Conditioned } from './matrices.js';
export { gradientDescent, gram, logisticLoss, logisticNewton, newtonSchulz, ridgeNewton } from './algorithms.js';
export { matmul } from './matmul.js';
