import samplerShader from '../../shaders/prompt_sampler.wgsl';
import { LimitError } from '../errors.js';
import { type Op, type Step, step, variant } from '../gpu/op.js';
import { promptShape, type ResolvedPromptTask } from '../promptTask.js';

const E = samplerShader.entryPoints;
export const PROMPT_SAMPLE = variant(samplerShader, E.prompt_sample);
export const PROMPT_ADVANCE = variant(samplerShader, E.prompt_advance);
/** Largest d: the shader keeps x and one reflection vector in private arrays of this length. */
export const MAX_D = samplerShader.constants.MAX_D;

/** Prompt sampling, compiled with the training family. */
export const promptSamplerOp: Op = {
  name: 'promptSampler',
  family: 'training',
  variants: () => [PROMPT_SAMPLE, PROMPT_ADVANCE],
};

export function checkSamplerLimits(what: string, t: ResolvedPromptTask): void {
  if (t.d > MAX_D) throw new LimitError(`${what}: expected d ≤ ${MAX_D}, got ${t.d}`);
}

/** Samples the step held in `counter` into `prompts` and `targets`, then advances the counter. */
export function promptSamplerSteps(t: ResolvedPromptTask): Step[] {
  const [batch, , tokens] = promptShape(t);
  return [
    step({
      label: 'sample',
      variant: PROMPT_SAMPLE,
      uniform: {
        count: batch * tokens,
        d: t.d,
        n: t.n,
        zeros: t.dZeros,
        seed: t.seed,
        logistic: t.kind === 'logistic' ? 1 : 0,
        kappa: t.kappa,
        noise: t.noise,
      },
      invocations: batch * tokens,
      buffers: { counter: 'counter', prompts: 'prompts', targets: 'targets' },
    }),
    step({ label: 'advance', variant: PROMPT_ADVANCE, uniform: {}, invocations: 1, buffers: { counter: 'counter' } }),
  ];
}
