import { checkLayers, type Layer } from '../layers.js';
import { checkShape, checkValues, type Shape } from '../shape.js';
import { clipBackward } from './clip.js';
import { layerNormBackward } from './layerNorm.js';
import { lsaBackward } from './lsaBackward.js';
import { reluMlpBackward } from './reluMlpBackward.js';
import { applyLayer } from './transformer.js';

export interface TransformerGradients {
  /** dL/dh, [B, D, N]. */
  input: Float64Array;
  /** The stack's structure with every weight replaced by dL/dweight (summed over the batch). */
  layers: Layer[];
}

/** VJP of `transformer`: a forward pass keeping each layer's input, then the layers' VJPs in reverse. */
export function transformerBackward(h: ArrayLike<number>, shape: Shape, layers: readonly Layer[], gradOutput: ArrayLike<number>): TransformerGradients {
  checkShape('reference.transformerBackward h', shape, 3);
  const [batch, width, tokens] = shape as [number, number, number];
  checkValues('reference.transformerBackward h', h, batch * width * tokens);
  checkValues('reference.transformerBackward gradOutput', gradOutput, batch * width * tokens);
  checkLayers(layers, { batch, width, tokens });
  const inputs: Float64Array[] = [Float64Array.from(h)];
  for (const layer of layers) inputs.push(applyLayer(inputs[inputs.length - 1]!, shape, layer));

  let g: Float64Array = Float64Array.from(gradOutput);
  const grads: Layer[] = new Array(layers.length);
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const x = inputs[i]!;
    switch (layer.kind) {
      case 'lsa': {
        const r = lsaBackward(x, shape, layer.heads, g, { keys: layer.keys, norm: layer.norm });
        grads[i] = { kind: 'lsa', heads: r.heads, ...(layer.keys !== undefined && { keys: layer.keys }), ...(r.norm && { norm: r.norm }) };
        g = r.input;
        break;
      }
      case 'mlp': {
        const r = reluMlpBackward(x, shape, layer, g);
        grads[i] = { kind: 'mlp', hidden: layer.hidden, ...r.layer };
        g = r.input;
        break;
      }
      case 'layerNorm': {
        const r = layerNormBackward(x, shape, layer, g);
        grads[i] = { kind: 'layerNorm', gain: r.gain, bias: r.bias };
        g = r.input;
        break;
      }
      case 'clip':
        grads[i] = { kind: 'clip', limit: layer.limit };
        g = clipBackward(x, layer.limit, g);
        break;
    }
  }
  return { input: g, layers: grads };
}
