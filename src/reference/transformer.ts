import { checkLayers, type Layer } from '../layers.js';
import { checkShape, checkValues, type Shape } from '../shape.js';
import { clip } from './clip.js';
import { layerNorm } from './layerNorm.js';
import { lsa } from './lsa.js';
import { reluMlp } from './reluMlp.js';

/** Float64 stack of layers, applied in order. h: [B, D, N]; returns a new Float64Array. */
export function transformer(h: ArrayLike<number>, shape: Shape, layers: readonly Layer[]): Float64Array {
  checkShape('reference.transformer h', shape, 3);
  const [batch, width, tokens] = shape as [number, number, number];
  checkValues('reference.transformer h', h, batch * width * tokens);
  checkLayers(layers, { batch, width, tokens });
  let x: Float64Array = Float64Array.from(h);
  for (const layer of layers) x = applyLayer(x, shape, layer);
  return x;
}

/** One layer of any kind (the stack has been validated). */
export function applyLayer(x: ArrayLike<number>, shape: Shape, layer: Layer): Float64Array {
  switch (layer.kind) {
    case 'lsa':
      return lsa(x, shape, layer.heads, { keys: layer.keys, norm: layer.norm });
    case 'mlp':
      return reluMlp(x, shape, layer);
    case 'layerNorm':
      return layerNorm(x, shape, layer);
    case 'clip':
      return clip(x, layer.limit);
  }
}
