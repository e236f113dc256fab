import elementwiseShader from '../../shaders/elementwise.wgsl';
import { type Op, type Step, step, type Variant, variant } from '../gpu/op.js';
import { checkLimit, type TokenShape } from '../layers.js';
import { type Fragment, type LayerIo, tokenCount } from './fragment.js';

const E = elementwiseShader.entryPoints;
export const CLIP = variant(elementwiseShader, E.clip);
export const CLIP_BACKWARD = variant(elementwiseShader, E.clip_backward);
export const RELU_BACKWARD = variant(elementwiseShader, E.relu_backward);

export const clipOp: Op = { name: 'clip', family: 'forward', variants: () => [CLIP] };

/** One element-by-element dispatch over `count` entries (`g`: the gradient, read by the backward gates). */
export function elementwiseStep(label: string, v: Variant, count: number, limit: number, buffers: { x: string; g?: string; y: string }): Step {
  return step({
    label,
    variant: v as Variant<typeof E.clip_backward>,
    uniform: { count, limit },
    invocations: count,
    buffers: v === CLIP ? { x: buffers.x, y: buffers.y } : { x: buffers.x, g: buffers.g ?? null, y: buffers.y },
  });
}

/** Clamp to ±limit. */
export function clipFragment(limit: number, shape: TokenShape, io: LayerIo): Fragment {
  checkLimit('clip', limit);
  return { steps: [elementwiseStep('clip', CLIP, tokenCount(shape), limit, { x: io.input, y: io.output })], scratch: {}, data: {} };
}
