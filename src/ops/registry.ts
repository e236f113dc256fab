import type { Op } from '../gpu/op.js';
import { trainingOp } from '../training/op.js';
import { linearAttentionOp } from './linearAttention.js';
import { lsaOp } from './lsa.js';
import { matmulOp } from './matmul.js';
import { invertOp, newtonSchulzOp } from './newtonSchulz.js';
import { reluMlpOp } from './reluMlp.js';
import { transformerOp } from './transformer.js';

/** Every op the runtime can build; createRuntime compiles the 'forward' family's declared variants. */
export const OPS: readonly Op[] = [
  matmulOp,
  lsaOp,
  reluMlpOp,
  transformerOp,
  newtonSchulzOp,
  invertOp,
  linearAttentionOp,
  trainingOp,
];
