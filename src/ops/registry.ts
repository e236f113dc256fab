import { largeGemmOp } from '../gpu/gemm.js';
import type { Family, Op } from '../gpu/op.js';
import { linearAttentionOp } from './linearAttention.js';
import { lsaOp } from './lsa.js';
import { matmulOp } from './matmul.js';
import { invertOp, newtonSchulzOp } from './newtonSchulz.js';
import { reluMlpOp } from './reluMlp.js';
import { transformerOp } from './transformer.js';

/** The forward ops: createRuntime compiles their declared variants. */
export const FORWARD_OPS: readonly Op[] = [
  matmulOp,
  lsaOp,
  reluMlpOp,
  transformerOp,
  newtonSchulzOp,
  linearAttentionOp,
];

/** The training family's code (backward kernels, optimizer, prompt samplers), imported on first use. */
export const loadTraining = () => import('../training/index.js');

/** Every op of a family; the training family loads its code first. */
export async function familyOps(family: Family): Promise<readonly Op[]> {
  if (family === 'forward') return FORWARD_OPS;
  if (family === 'invert') return [invertOp];
  if (family === 'large') return [largeGemmOp];
  const training = await loadTraining();
  return [training.trainingOp, training.promptSamplerOp];
}
