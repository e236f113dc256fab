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
  invertOp,
  linearAttentionOp,
];

/** The training family's code (backward kernels, optimizer), imported on first use. */
export const loadTraining = () => import('../training/index.js');

/** Every op of a family; families other than 'forward' load their code first. */
export async function familyOps(family: Family): Promise<readonly Op[]> {
  return family === 'forward' ? FORWARD_OPS : [(await loadTraining()).trainingOp];
}
