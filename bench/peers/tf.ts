// TensorFlow.js's WebGPU backend as a benchmark peer (loaded by bench.html as UMD scripts).
// It runs on the device the page's lsa-newton runtime also uses: the page creates that device
// (with the optional features our kernels use) and TF.js's WebGPU backend is built on it.
import type * as TF from '@tensorflow/tfjs-core';
import { causalMask, type Peer, type PeerHead, type PeerOp, type PeerTrainer } from './peer.js';
import { tfTrainer } from './tf-train.js';

type Tensor = TF.Tensor;

export async function loadTf(
  device: GPUDevice,
  adapterInfo: GPUAdapterInfo,
): Promise<{ peer: Peer; training: PeerTrainer }> {
  type Backend = new (device: GPUDevice, info: GPUAdapterInfo) => TF.KernelBackend;
  const tf = (globalThis as unknown as { tf: typeof TF & { WebGPUBackend: Backend } }).tf;
  // The backend's kernels stay registered under 'webgpu'; only its device factory is replaced.
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new tf.WebGPUBackend(device, adapterInfo), 3);
  await tf.setBackend('webgpu');
  await tf.ready();
  if ((tf.backend() as unknown as { device: GPUDevice }).device !== device) throw new Error('TF.js: not on our device');

  /** `build` makes the result from tensors `held` across calls; each call reads it back once. */
  const op = (held: Tensor[], build: () => Tensor): PeerOp => ({
    async once() {
      const result = tf.tidy(build);
      const out = (await result.data()) as Float32Array;
      result.dispose();
      return out;
    },
    dispose() {
      for (const t of held) t.dispose();
    },
  });
  const step = (a: Tensor, x: Tensor) => tf.sub(tf.mul(x, 2), tf.matMul(x, tf.matMul(a, x)));
  const heads = (hs: PeerHead[], d: number) =>
    hs.map((h) => ({
      wv: tf.tensor3d(Float32Array.from(h.wv), [1, d, d]),
      wk: tf.tensor3d(Float32Array.from(h.wk), [1, d, d]),
      wq: tf.tensor3d(Float32Array.from(h.wq), [1, d, d]),
    }));

  const peer: Peer = {
    linearAttention(q, k, v, gates, [b, t, h, kd, vd], scale) {
      const [Q, K, V] = [tf.tensor4d(q, [b, t, h, kd]), tf.tensor4d(k, [b, t, h, kd]), tf.tensor4d(v, [b, t, h, vd])];
      const mask = tf.tensor2d(causalMask(t), [t, t]);
      const G = gates ? tf.tensor3d(gates, [b, t, h]) : null;
      const heads = (x: Tensor) => tf.transpose(x, [0, 2, 1, 3]); // [B, H, T, ·]
      return op([Q, K, V, mask, ...(G ? [G] : [])], () => {
        let s = tf.mul(tf.matMul(heads(Q), heads(K), false, true), scale); // [B, H, T, T]
        if (G) {
          const c = tf.transpose(tf.cumsum(G, 1), [0, 2, 1]); // [B, H, T]
          s = tf.mul(s, tf.exp(tf.minimum(tf.sub(tf.expandDims(c, 3), tf.expandDims(c, 2)), 0)));
        }
        return heads(tf.matMul(tf.mul(s, mask), heads(V)));
      });
    },
    name: 'TensorFlow.js',
    version: tf.version_core,
    nsStep(a, x, shape) {
      const [A, X] = [tf.tensor3d(a, shape), tf.tensor3d(x, shape)];
      return op([A, X], () => step(A, X));
    },
    nsChain(a, x, shape, steps) {
      const [A, X] = [tf.tensor3d(a, shape), tf.tensor3d(x, shape)];
      return op([A, X], () => {
        let y: Tensor = X;
        for (let s = 0; s < steps; s++) y = step(A, y);
        return y;
      });
    },
    invert(a, shape, steps) {
      const A = tf.tensor3d(a, shape);
      return op([A], () => {
        // Per matrix: ‖A‖₁ = max column sum, ‖A‖∞ = max row sum.
        const norms = tf.mul(tf.max(tf.sum(tf.abs(A), 1), 1), tf.max(tf.sum(tf.abs(A), 2), 1));
        let x: Tensor = tf.div(tf.transpose(A, [0, 2, 1]), tf.reshape(norms, [shape[0], 1, 1]));
        for (let s = 0; s < steps; s++) x = step(A, x);
        return x;
      });
    },
    lsaStack(h, shape, layers) {
      const d = shape[1];
      const H = tf.tensor3d(h, shape);
      const weights = layers.map((hs) => heads(hs, d));
      return op([H, ...weights.flatMap((hs) => hs.flatMap((w) => [w.wv, w.wk, w.wq]))], () =>
        weights.reduce((x: Tensor, hs) => {
          let out = x;
          for (const { wv, wk, wq } of hs) {
            const s = tf.matMul(tf.matMul(wv, x), tf.matMul(wk, x), false, true);
            out = tf.add(out, tf.matMul(s, tf.matMul(wq, x)));
          }
          return out;
        }, H),
      );
    },
  };
  return { peer, training: tfTrainer(tf) };
}
