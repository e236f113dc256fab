// The training benchmark's model in TensorFlow.js: the loss in tf ops, gradients from
// `tf.variableGrads`, updates from `tf.train.adam`; one tidy per step.
import type * as TF from '@tensorflow/tfjs-core';
import { flatParameters, masks } from './jax-train.js';
import type { PeerTrainer } from './peer.js';
import { registerTfGradients } from './tf-gradients.js';

type Tensor = TF.Tensor;

export function tfTrainer(tf: typeof TF): PeerTrainer {
  registerTfGradients(tf);
  // Means as sums times 1/count: the kernels `registerTfGradients` covers.
  const layerNorm = (x: Tensor, gain: Tensor, bias: Tensor) => {
    const rows = 1 / x.shape[1]!;
    const centred = tf.sub(x, tf.mul(tf.sum(x, 1, true), rows));
    const variance = tf.mul(tf.sum(tf.square(centred), 1, true), rows);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), gain), bias);
  };
  return {
    train(spec, h, target) {
      const [batch, d, n] = spec.shape;
      const vars = flatParameters(spec).map((p) => tf.variable(tf.tensor(p.data, p.shape)));
      const mk = masks(spec);
      const keyMask = tf.tensor3d(mk.keys, [1, 1, n]);
      const entry = tf.tensor3d(mk.entry, [1, d, n]);
      const x0 = tf.tensor3d(h, [batch, d, n]);
      const t0 = tf.tensor1d(target);
      const { learningRate, beta1, beta2, epsilon } = spec.adam;
      const adam = tf.train.adam(learningRate, beta1, beta2, epsilon);
      const loss = (x: Tensor, t: Tensor) => () => {
        let i = 0;
        const next = () => vars[i++]!;
        let y = x;
        for (const layer of spec.layers) {
          const heads = layer.heads.map(() => [next(), next(), next()] as const);
          const nx = layer.norm ? layerNorm(y, next(), next()) : y;
          const nk = tf.mul(nx, keyMask);
          let out = y;
          for (const [wv, wk, wq] of heads) {
            const s = tf.matMul(tf.matMul(wv, nk), tf.matMul(wk, nk), false, true);
            out = tf.add(out, tf.matMul(s, tf.matMul(wq, nx)));
          }
          y = out;
        }
        if (spec.finalNorm) y = layerNorm(y, next(), next());
        const prediction = tf.sum(tf.mul(y, entry), [1, 2]);
        return tf.mul(tf.sum(tf.square(tf.sub(prediction, t))), 1 / t.shape[0]!) as TF.Scalar;
      };
      const objective = loss(x0, t0);
      return {
        async train(steps) {
          let last: Tensor | null = null;
          for (let s = 0; s < steps; s++) {
            const value = tf.tidy(() => {
              const { value, grads } = tf.variableGrads(objective, vars);
              adam.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
              return value;
            });
            last?.dispose();
            last = value;
          }
          const out = (await last!.data())[0]!;
          last!.dispose();
          return out;
        },
        async gradients(h2, t2, b) {
          const x = tf.tensor3d(h2, [b, d, n]);
          const t = tf.tensor1d(t2);
          const { value, grads } = tf.variableGrads(loss(x, t), vars);
          const parts = await Promise.all(vars.map((v) => grads[v.name]!.data() as Promise<Float32Array>));
          for (const g of [value, x, t, ...Object.values(grads)]) g.dispose();
          const flat = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
          let o = 0;
          for (const p of parts) {
            flat.set(p, o);
            o += p.length;
          }
          return flat;
        },
        dispose() {
          for (const t of [...vars, keyMask, entry, x0, t0]) t.dispose();
          adam.dispose();
        },
      };
    },
  };
}
