import { DestroyedError, ValueError } from '../errors.js';
import { Plan } from '../gpu/plan.js';
import { checkSamplerLimits, promptSamplerOp, promptSamplerSteps } from '../ops/promptSampler.js';
import { type PromptTask, promptShape, promptTargetShape, resolvePromptTask } from '../promptTask.js';
import { elementCount } from '../shape.js';
import type { Tensor } from '../tensor.js';
import type { TrainingHost } from './gradients.js';

export interface PromptSampler {
  /** [batch, dZeros + d + 1, n + 1]: columns [0; x_i; y_i], the query [0; x_q; 0]. */
  readonly input: Tensor;
  /** Linear: the query's label [batch, 1]; logistic: w* [batch, d]. */
  readonly target: Tensor;
  /** The step the next `trainer.step(sampler)` samples (the one after the latest encoded step). */
  readonly next: number;
  /** Records the sampling of `step`'s prompts into `input` and `target` (no upload when `step` is `next`). */
  encode(encoder: GPUCommandEncoder, step: number): void;
  destroy(): void;
}

/**
 * A sampler owns its two tensors and a one-word step counter on the GPU: sampling reads the
 * counter and then advances it, so consecutive steps upload nothing. Encoding any other step
 * first copies that number into the counter (from a small mapped buffer, in the same encoder).
 */
export class PromptSamplerImpl implements PromptSampler {
  readonly input: Tensor;
  readonly target: Tensor;
  private plan: Plan | null;
  private following = 0;

  constructor(
    private readonly host: TrainingHost,
    task: PromptTask,
  ) {
    const t = resolvePromptTask('createPromptSampler', task);
    checkSamplerLimits('createPromptSampler', t);
    const shape = promptShape(t);
    const targetShape = promptTargetShape(t);
    this.plan = new Plan(host.ctx, promptSamplerOp, {
      label: 'PromptSampler',
      slots: { prompts: elementCount(shape) * 4, targets: elementCount(targetShape) * 4 },
      outputs: ['prompts', 'targets'],
      scratch: { counter: 1 },
      steps: promptSamplerSteps(t),
    });
    this.input = host.allocate(shape, 'PromptSampler.input');
    this.target = host.allocate(targetShape, 'PromptSampler.target');
  }

  get next(): number {
    return this.following;
  }

  get destroyed(): boolean {
    return this.plan === null;
  }

  encode(encoder: GPUCommandEncoder, step: number): void {
    const plan = this.plan;
    if (!plan) throw new DestroyedError('sampler.encode: the sampler was destroyed');
    if (!Number.isInteger(step) || step < 0 || step >= 2 ** 32) {
      throw new ValueError(`sampler.encode: expected step to be an integer in [0, 2^32), got ${String(step)}`);
    }
    const io = { prompts: this.input.buffer, targets: this.target.buffer };
    if (step !== this.following) {
      const jump = this.host.ctx.device.createBuffer({
        label: 'PromptSampler.jump',
        size: 4,
        usage: GPUBufferUsage.COPY_SRC,
        mappedAtCreation: true,
      });
      new Uint32Array(jump.getMappedRange()).set([step]);
      jump.unmap();
      encoder.copyBufferToBuffer(jump, 0, plan.buffer('counter'), 0, 4);
    }
    plan.encode(encoder, io);
    this.following = (step + 1) % 2 ** 32;
  }

  destroy(): void {
    if (!this.plan) return;
    this.plan.destroy();
    this.plan = null;
    this.input.destroy();
    this.target.destroy();
  }
}

export function createPromptSampler(host: TrainingHost, task: PromptTask): PromptSampler {
  return new PromptSamplerImpl(host, task);
}
