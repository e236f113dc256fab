import layerNormShader from '../../shaders/layer_norm.wgsl';
import { type Op, type Step, step, variant } from '../gpu/op.js';
import { checkNorm, type NormParams, type TokenShape } from '../layers.js';
import type { Fragment, LayerIo } from './fragment.js';

const E = layerNormShader.entryPoints;
export const LAYER_NORM = variant(layerNormShader, E.layer_norm);
export const layerNormBackwardVariant = (residual: boolean) => variant(layerNormShader, E.layer_norm_backward, { RESIDUAL: residual });

export const layerNormOp: Op = { name: 'layerNorm', family: 'forward', variants: () => [LAYER_NORM] };

/** Where a LayerNorm's gain and bias live: a buffer name and two element offsets. */
export interface NormSlot {
  params: string;
  gain: number;
  bias: number;
}

function uniform(shape: TokenShape, slot: NormSlot) {
  return { columns: shape.batch * shape.tokens, width: shape.width, tokens: shape.tokens, gain_off: slot.gain, bias_off: slot.bias };
}

/** `output = LN(input)`, one invocation per token column. */
export function layerNormStep(label: string, shape: TokenShape, slot: NormSlot, input: string, output: string): Step {
  return step({
    label,
    variant: LAYER_NORM,
    uniform: uniform(shape, slot),
    invocations: shape.batch * shape.tokens,
    buffers: { x: input, params: slot.params, y: output },
  });
}

/** `dx = LN'(x)ᵀ dy (+ residual)` and `dyXhat = dy ⊙ x̂` (summed later into dgain; dy sums into dbias). */
export function layerNormBackwardStep(
  label: string,
  shape: TokenShape,
  slot: NormSlot,
  buffers: { x: string; dy: string; dx: string; dyXhat: string; residual?: string },
): Step {
  return step({
    label,
    variant: layerNormBackwardVariant(buffers.residual !== undefined),
    uniform: uniform(shape, slot),
    invocations: shape.batch * shape.tokens,
    buffers: { x: buffers.x, params: slot.params, y: buffers.dx, dy: buffers.dy, r: buffers.residual ?? null, dy_xhat: buffers.dyXhat },
  });
}

/** The final LayerNorm layer (not residual): gain and bias uploaded as the layer's weights. */
export function layerNormFragment(norm: NormParams, shape: TokenShape, io: LayerIo): Fragment {
  checkNorm('layerNorm', norm, shape.width);
  return {
    steps: [layerNormStep('norm', shape, { params: io.weights, gain: 0, bias: shape.width }, io.input, io.output)],
    scratch: {},
    data: { [io.weights]: [...norm.gain, ...norm.bias] },
  };
}
