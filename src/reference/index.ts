export { gradientDescent, gram, logisticLoss, logisticNewton, newtonSchulz, ridge, ridgeNewton } from './algorithms.js';
export { clip, clipBackward } from './clip.js';
export { type Comparison, compare, relativeError } from './compare.js';
export { type LayerNormGradients, layerNorm, layerNormBackward } from './layerNorm.js';
export { type LinearAttentionShape, linearAttention, type ReferenceLinearAttentionOptions } from './linearAttention.js';
export { lsa, type ReferenceLsaOptions } from './lsa.js';
export { type LsaGradients, lsaBackward } from './lsaBackward.js';
export { matmul } from './matmul.js';
export { type Conditioned, conditioned, logisticData, type RidgeData, ridgeData } from './matrices.js';
export {
  inverseLU,
  newtonSchulzInverse,
  newtonSchulzStep,
  type ReferenceInverse,
  residual,
  theoryIterations,
} from './newtonSchulz.js';
export { initialInverse, norm1, normInf, safeAlpha } from './norms.js';
export { pcgHash, promptSampler, type ReferencePrompts } from './promptSampler.js';
export { type Random, random } from './random.js';
export {
  gradientDescentLineSearch,
  newtonRegression,
  newtonRegressionAlpha,
  symmetricEigenvalues,
} from './regression.js';
export { reluMlp } from './reluMlp.js';
export { type MlpGradients, reluMlpBackward } from './reluMlpBackward.js';
export { transformer } from './transformer.js';
export { type TransformerGradients, transformerBackward } from './transformerBackward.js';
