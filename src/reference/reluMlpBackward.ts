import { checkMlp, type MlpLayer } from '../layers.js';
import { checkShape, checkValues, type Shape } from '../shape.js';

export interface MlpGradients {
  /** dL/dh, [B, D, N]. */
  input: Float64Array;
  /** dL/dW summed over the batch; biases only where the layer has them. */
  layer: { w1: Float64Array; b1?: Float64Array; w2: Float64Array; b2?: Float64Array };
}

/**
 * VJP of `reluMlp`, token by token: with Z = W_1 h + b_1 and A = ReLU(Z),
 * dA = W_2ᵀ g, dZ = dA where Z > 0 (else 0), dh = g + W_1ᵀ dZ, dW_1 += dZ hᵀ, db_1 += dZ,
 * dW_2 += g Aᵀ, db_2 += g.
 */
export function reluMlpBackward(h: ArrayLike<number>, shape: Shape, layer: MlpLayer, gradOutput: ArrayLike<number>): MlpGradients {
  const what = 'reference.reluMlpBackward';
  checkShape(`${what} h`, shape, 3);
  const [batch, d, n] = shape as [number, number, number];
  checkValues(`${what} h`, h, batch * d * n);
  checkValues(`${what} gradOutput`, gradOutput, batch * d * n);
  checkMlp(what, layer, d);
  const f = layer.hidden;

  const input = Float64Array.from(gradOutput);
  const w1 = new Float64Array(f * d);
  const b1 = new Float64Array(f);
  const w2 = new Float64Array(d * f);
  const b2 = new Float64Array(d);
  const act = new Float64Array(f);
  const dz = new Float64Array(f);
  for (let b = 0; b < batch; b++) {
    const base = b * d * n;
    for (let t = 0; t < n; t++) {
      const x = (c: number) => h[base + c * n + t]!;
      const g = (r: number) => gradOutput[base + r * n + t]!;
      for (let i = 0; i < f; i++) {
        let z = layer.b1 ? layer.b1[i]! : 0;
        for (let c = 0; c < d; c++) z += layer.w1[i * d + c]! * x(c);
        act[i] = z > 0 ? z : 0;
        let da = 0;
        for (let r = 0; r < d; r++) da += layer.w2[r * f + i]! * g(r);
        dz[i] = z > 0 ? da : 0;
      }
      for (let r = 0; r < d; r++) {
        b2[r]! += g(r);
        for (let i = 0; i < f; i++) w2[r * f + i]! += g(r) * act[i]!;
      }
      for (let i = 0; i < f; i++) {
        b1[i]! += dz[i]!;
        for (let c = 0; c < d; c++) {
          w1[i * d + c]! += dz[i]! * x(c);
          input[base + c * n + t]! += layer.w1[i * d + c]! * dz[i]!;
        }
      }
    }
  }
  const grads: MlpGradients['layer'] = { w1, w2 };
  if (layer.b1) grads.b1 = b1;
  if (layer.b2) grads.b2 = b2;
  return { input, layer: grads };
}
