export { lsa, type ReferenceLsaOptions } from './lsa.js';
export { reluMlp } from './reluMlp.js';
export { layerNorm, layerNormBackward, type LayerNormGradients } from './layerNorm.js';
export { clip, clipBackward } from './clip.js';
export { transformer } from './transformer.js';
export { lsaBackward, type LsaGradients } from './lsaBackward.js';
export { reluMlpBackward, type MlpGradients } from './reluMlpBackward.js';
export { transformerBackward, type TransformerGradients } from './transformerBackward.js';
export { compare, relativeError, type Comparison } from './compare.js';
export { random, type Random } from './random.js';
export {
  inverseLU,
  newtonSchulzInverse,
  newtonSchulzStep,
  residual,
  theoryIterations,
  type ReferenceInverse,
} from './newtonSchulz.js';
export { initialInverse, norm1, normInf, safeAlpha } from './norms.js';
export { conditioned, logisticData, ridgeData, type Conditioned, type RidgeData } from './matrices.js';
export { gradientDescent, gram, logisticLoss, logisticNewton, newtonSchulz, ridge, ridgeNewton } from './algorithms.js';
export { matmul } from './matmul.js';
export {
  gradientDescentLineSearch,
  newtonRegression,
  newtonRegressionAlpha,
  symmetricEigenvalues,
} from './regression.js';
