import type { GpuContext } from '../gpu/context.js';
import { checkLayers, type Layer, type TokenShape } from '../layers.js';
import { createLsaProgram } from './lsa.js';
import { checkSizes, tokenCount, type LayerProgram } from './program.js';
import { createReluMlpProgram } from './reluMlp.js';
import { createClipProgram } from './clip.js';
import { createLayerNormProgram } from './layerNorm.js';

function layerProgram(ctx: GpuContext, layer: Layer, shape: TokenShape): LayerProgram {
  switch (layer.kind) {
    case 'lsa':
      return createLsaProgram(ctx, layer.heads, shape, { keys: layer.keys, norm: layer.norm });
    case 'mlp':
      return createReluMlpProgram(ctx, layer, shape);
    case 'layerNorm':
      return createLayerNormProgram(ctx, layer, shape);
    case 'clip':
      return createClipProgram(ctx, layer.limit, shape);
  }
}

/**
 * A stack of layers recorded back to back into one compute pass. Intermediate token
 * matrices ping-pong between two scratch buffers; scratch of the same name is shared by
 * all layers (sized to the largest), since the layers run one after another.
 */
export function createTransformerProgram(ctx: GpuContext, layers: readonly Layer[], shape: TokenShape): LayerProgram {
  const label = 'Transformer';
  checkLayers(layers, shape);
  const programs: LayerProgram[] = [];
  try {
    for (const layer of layers) {
      programs.push(layerProgram(ctx, layer, shape));
    }
  } catch (error) {
    for (const p of programs) p.destroy();
    throw error;
  }

  const scratch: Record<string, number> = {};
  for (const p of programs) {
    for (const [name, count] of Object.entries(p.scratch)) scratch[name] = Math.max(scratch[name] ?? 0, count);
  }
  const pingPong = ['tokens0', 'tokens1'].slice(0, Math.min(2, programs.length - 1));
  for (const name of pingPong) scratch[name] = tokenCount(shape);
  checkSizes(ctx, label, scratch);

  return {
    label,
    scratch,
    record(pass, buffers) {
      programs.forEach((p, i) => {
        const input = i === 0 ? buffers.input : buffers[pingPong[(i - 1) % 2]!];
        const output = i === programs.length - 1 ? buffers.output : buffers[pingPong[i % 2]!];
        p.record(pass, { ...buffers, input: input!, output: output! });
      });
    },
    destroy() {
      for (const p of programs) p.destroy();
    },
  };
}
