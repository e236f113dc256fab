import elementwiseCode from '../../shaders/elementwise.wgsl?raw';
import { wgslConstant, type GpuContext } from '../gpu/context.js';
import type { ShaderSpec } from '../gpu/kernel.js';
import { Program, type DispatchStep } from '../gpu/program.js';
import { checkLimit, type TokenShape } from '../layers.js';
import { tokenCount, type LayerProgram } from './program.js';

export const CLIP: ShaderSpec = { label: 'Clip', code: elementwiseCode, entryPoint: 'clip' };
export const CLIP_BACKWARD: ShaderSpec = { label: 'ClipBackward', code: elementwiseCode, entryPoint: 'clip_backward' };
export const RELU_BACKWARD: ShaderSpec = { label: 'ReluBackward', code: elementwiseCode, entryPoint: 'relu_backward' };
const WG = wgslConstant(elementwiseCode, 'WG');

/** One element-by-element dispatch over `count` entries (`g` unused by the forward clip). */
export function elementwiseStep(
  label: string,
  spec: ShaderSpec,
  count: number,
  limit: number,
  buffers: { x: string; g?: string; y: string },
): DispatchStep {
  return {
    label,
    spec,
    constants: {},
    uniform: { count, limit },
    workgroups: Math.ceil(count / WG),
    buffers: spec === CLIP ? { x: buffers.x, y: buffers.y } : { x: buffers.x, g: buffers.g ?? null, y: buffers.y },
  };
}

/** Clamp to ±limit for the inference path. */
export function createClipProgram(ctx: GpuContext, limit: number, shape: TokenShape): LayerProgram {
  const label = 'Clip';
  checkLimit('clip', limit);
  const program = new Program(ctx, label, [elementwiseStep('clip', CLIP, tokenCount(shape), limit, { x: 'input', y: 'output' })]);
  return {
    label,
    scratch: {},
    record: (pass, buffers) => program.record(pass, buffers),
    destroy: () => program.destroy(),
  };
}
