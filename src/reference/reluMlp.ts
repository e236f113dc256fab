import { checkMlp, type MlpLayer } from '../layers.js';
import { checkShape, checkValues, type Shape } from '../shape.js';

/**
 * Float64 ReLU layer `H + W_2 ReLU(W_1 H + b_1 1ᵀ) + b_2 1ᵀ`, token by token.
 *
 * h: [B, D, N] row-major. Returns a new [B, D, N] Float64Array.
 */
export function reluMlp(h: ArrayLike<number>, shape: Shape, layer: MlpLayer): Float64Array {
  checkShape('reference.reluMlp h', shape, 3);
  const [batch, d, n] = shape as [number, number, number];
  checkValues('reference.reluMlp h', h, batch * d * n);
  checkMlp('reference.reluMlp', layer, d);
  const f = layer.hidden;

  const out = Float64Array.from(h);
  const hidden = new Float64Array(f);
  for (let b = 0; b < batch; b++) {
    const base = b * d * n;
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < f; i++) {
        let s = layer.b1 ? layer.b1[i]! : 0;
        for (let c = 0; c < d; c++) s += layer.w1[i * d + c]! * h[base + c * n + t]!;
        hidden[i] = Math.max(s, 0);
      }
      for (let r = 0; r < d; r++) {
        let s = layer.b2 ? layer.b2[r]! : 0;
        for (let i = 0; i < f; i++) s += layer.w2[r * f + i]! * hidden[i]!;
        out[base + r * n + t]! += s;
      }
    }
  }
  return out;
}
