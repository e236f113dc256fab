import layerNormCode from '../../shaders/layer_norm.wgsl?raw';
import { wgslConstant, type GpuContext } from '../gpu/context.js';
import type { ShaderSpec } from '../gpu/kernel.js';
import { Program, type DispatchStep } from '../gpu/program.js';
import { checkNorm, type NormParams, type TokenShape } from '../layers.js';
import { uploadWeights, type LayerProgram } from './program.js';

export const LAYER_NORM: ShaderSpec = { label: 'LayerNorm', code: layerNormCode, entryPoint: 'layer_norm' };
export const LAYER_NORM_BACKWARD: ShaderSpec = { label: 'LayerNormBackward', code: layerNormCode, entryPoint: 'layer_norm_backward' };
const WG = wgslConstant(layerNormCode, 'WG');

/** Where a LayerNorm's gain and bias live: a buffer name and two element offsets. */
export interface NormSlot {
  params: string;
  gain: number;
  bias: number;
}

function uniform(shape: TokenShape, slot: NormSlot) {
  return { columns: shape.batch * shape.tokens, width: shape.width, tokens: shape.tokens, gain_off: slot.gain, bias_off: slot.bias };
}

/** `output = LN(input)` column by column. */
export function layerNormStep(label: string, shape: TokenShape, slot: NormSlot, input: string, output: string): DispatchStep {
  return {
    label,
    spec: LAYER_NORM,
    constants: {},
    uniform: uniform(shape, slot),
    workgroups: Math.ceil((shape.batch * shape.tokens) / WG),
    buffers: { x: input, params: slot.params, y: output },
  };
}

/**
 * `dx = LN'(x)ᵀ dy (+ residual)` and `dyXhat = dy ⊙ x̂` (summed later into dgain; dy sums into dbias).
 */
export function layerNormBackwardStep(
  label: string,
  shape: TokenShape,
  slot: NormSlot,
  buffers: { x: string; dy: string; dx: string; dyXhat: string; residual?: string },
): DispatchStep {
  return {
    label,
    spec: LAYER_NORM_BACKWARD,
    constants: { RESIDUAL: buffers.residual !== undefined },
    uniform: uniform(shape, slot),
    workgroups: Math.ceil((shape.batch * shape.tokens) / WG),
    buffers: { x: buffers.x, params: slot.params, y: buffers.dx, dy: buffers.dy, r: buffers.residual ?? null, dy_xhat: buffers.dyXhat },
  };
}

/** The final LayerNorm layer (not residual) for the inference path. */
export function createLayerNormProgram(ctx: GpuContext, norm: NormParams, shape: TokenShape): LayerProgram {
  const label = 'LayerNorm';
  checkNorm('layerNorm', norm, shape.width);
  const program = new Program(ctx, label, [layerNormStep('norm', shape, { params: 'weights', gain: 0, bias: shape.width }, 'input', 'output')]);
  const weights = uploadWeights(ctx, label, [norm.gain, norm.bias]);
  return {
    label,
    scratch: {},
    record: (pass, buffers) => program.record(pass, { ...buffers, weights }),
    destroy: () => {
      program.destroy();
      weights.destroy();
    },
  };
}
