import type { Op } from '../gpu/op.js';
import { matmulOp } from './matmul.js';
import { invertOp, newtonSchulzOp } from './newtonSchulz.js';
import { lsaOp } from './lsa.js';
import { reluMlpOp } from './reluMlp.js';
import { transformerOp } from './transformer.js';
import { trainingOp } from '../training/op.js';

/** Every op the runtime can build; createRuntime compiles the 'forward' family's declared variants. */
export const OPS: readonly Op[] = [matmulOp, lsaOp, reluMlpOp, transformerOp, newtonSchulzOp, invertOp, trainingOp];
