import { checkNorm, LAYER_NORM_EPS, type NormParams } from '../layers.js';
import { checkShape, checkValues, type Shape } from '../shape.js';

/**
 * Float64 LayerNorm over the D rows of each token column (biased variance, eps 1e-5):
 * `gain[r] · (x[r] − mean) / sqrt(var + eps) + bias[r]`. h: [B, D, N]; returns a new array.
 */
export function layerNorm(h: ArrayLike<number>, shape: Shape, norm: NormParams): Float64Array {
  const [batch, d, n] = checked('reference.layerNorm', h, shape, norm);
  const out = new Float64Array(batch * d * n);
  forEachColumn(h, batch, d, n, (base, t, mean, rstd) => {
    for (let r = 0; r < d; r++) {
      const i = base + r * n + t;
      out[i] = norm.gain[r]! * (h[i]! - mean) * rstd + norm.bias[r]!;
    }
  });
  return out;
}

export interface LayerNormGradients {
  input: Float64Array;
  gain: Float64Array;
  bias: Float64Array;
}

/**
 * VJP of `layerNorm`: with x̂ the normalised column and ĝ = gain ⊙ g,
 * dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)); dgain = Σ g ⊙ x̂, dbias = Σ g over batch and tokens.
 */
export function layerNormBackward(h: ArrayLike<number>, shape: Shape, norm: NormParams, gradOutput: ArrayLike<number>): LayerNormGradients {
  const [batch, d, n] = checked('reference.layerNormBackward', h, shape, norm);
  checkValues('reference.layerNormBackward gradOutput', gradOutput, batch * d * n);
  const input = new Float64Array(batch * d * n);
  const gain = new Float64Array(d);
  const bias = new Float64Array(d);
  const xhat = new Float64Array(d);
  const ghat = new Float64Array(d);
  forEachColumn(h, batch, d, n, (base, t, mean, rstd) => {
    let meanG = 0;
    let meanGX = 0;
    for (let r = 0; r < d; r++) {
      const i = base + r * n + t;
      xhat[r] = (h[i]! - mean) * rstd;
      ghat[r] = norm.gain[r]! * gradOutput[i]!;
      gain[r]! += gradOutput[i]! * xhat[r]!;
      bias[r]! += gradOutput[i]!;
      meanG += ghat[r]! / d;
      meanGX += (ghat[r]! * xhat[r]!) / d;
    }
    for (let r = 0; r < d; r++) input[base + r * n + t] = rstd * (ghat[r]! - meanG - xhat[r]! * meanGX);
  });
  return { input, gain, bias };
}

function checked(what: string, h: ArrayLike<number>, shape: Shape, norm: NormParams): [number, number, number] {
  checkShape(`${what} h`, shape, 3);
  const [batch, d, n] = shape as [number, number, number];
  checkValues(`${what} h`, h, batch * d * n);
  checkNorm(what, norm, d);
  return [batch, d, n];
}

/** Calls `fn` for every token column with its mean and 1/sqrt(var + eps). */
function forEachColumn(h: ArrayLike<number>, batch: number, d: number, n: number, fn: (base: number, t: number, mean: number, rstd: number) => void): void {
  for (let b = 0; b < batch; b++) {
    const base = b * d * n;
    for (let t = 0; t < n; t++) {
      let mean = 0;
      for (let r = 0; r < d; r++) mean += h[base + r * n + t]!;
      mean /= d;
      let variance = 0;
      for (let r = 0; r < d; r++) variance += (h[base + r * n + t]! - mean) ** 2;
      variance /= d;
      fn(base, t, mean, 1 / Math.sqrt(variance + LAYER_NORM_EPS));
    }
  }
}
