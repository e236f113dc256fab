import type { GemmKernel, Op } from '../gpu/op.js';
import { checkLayers, type Layer, type TokenShape } from '../layers.js';
import { type Fragment, LAYER_IO, tokenCount } from './fragment.js';
import { lsaFragment, lsaOp } from './lsa.js';
import { reluMlpFragment, reluMlpOp } from './reluMlp.js';
import { clipFragment, clipOp } from './clip.js';
import { layerNormFragment, layerNormOp } from './layerNorm.js';

/** A stack dispatches what its layer kinds dispatch. */
export const transformerOp: Op = {
  name: 'transformer',
  family: 'forward',
  variants: (g) => [...lsaOp.variants(g), ...reluMlpOp.variants(g), ...layerNormOp.variants(g), ...clipOp.variants(g)],
};

/** The fragment of one layer, reading `input`, writing `output`, its weights under `weights`. */
export function layerFragment(gemmKernel: GemmKernel, layer: Layer, shape: TokenShape, io: typeof LAYER_IO): Fragment {
  switch (layer.kind) {
    case 'lsa':
      return lsaFragment(gemmKernel, layer.heads, shape, { keys: layer.keys, norm: layer.norm }, io);
    case 'mlp':
      return reluMlpFragment(gemmKernel, layer, shape, io);
    case 'layerNorm':
      return layerNormFragment(layer, shape, io);
    case 'clip':
      return clipFragment(layer.limit, shape, io);
  }
}

/**
 * A stack of layers recorded back to back: intermediate token matrices ping-pong between two
 * scratch buffers; scratch of the same name is shared by all layers (sized to the largest),
 * since the layers run one after another.
 */
export function transformerFragment(gemmKernel: GemmKernel, layers: readonly Layer[], shape: TokenShape): Fragment {
  checkLayers(layers, shape);
  const last = layers.length - 1;
  const pingPong = (i: number) => (i % 2 === 0 ? 'tokens0' : 'tokens1');
  const steps = [];
  const scratch: Record<string, number> = {};
  const data: Record<string, ArrayLike<number>> = {};
  for (const [i, layer] of layers.entries()) {
    const io = {
      input: i === 0 ? LAYER_IO.input : pingPong(i - 1),
      output: i === last ? LAYER_IO.output : pingPong(i),
      weights: `weights${i}`,
    };
    const f = layerFragment(gemmKernel, layer, shape, io);
    steps.push(...f.steps.map((s) => ({ ...s, label: `layer${i}.${s.label}` })));
    for (const [name, count] of Object.entries(f.scratch)) scratch[name] = Math.max(scratch[name] ?? 0, count);
    Object.assign(data, f.data);
  }
  for (let i = 0; i < Math.min(2, last); i++) scratch[pingPong(i)] = tokenCount(shape);
  return { steps, scratch, data };
}
