// jax-js (@jax-js/jax) as a benchmark peer: its own WebGPU device on the same adapter, every op
// under `jit`. Arrays are reference-counted: passing an array to a function consumes it, `.ref`
// keeps it alive, and `data()` realizes, reads back and releases it.
import type * as Jax from '@jax-js/jax';
import { jaxTrainer } from './jax-train.js';
import { causalMask, type Peer, type PeerHead, type PeerOp, type PeerTrainer } from './peer.js';

type JArray = Jax.Array;
type Heads = { wv: JArray; wk: JArray; wq: JArray }[][];

export async function loadJax(): Promise<{ peer: Peer; device: GPUDevice; training: PeerTrainer }> {
  const url = '/node_modules/@jax-js/jax/dist/index.js';
  const jax = (await import(/* @vite-ignore */ url)) as typeof Jax;
  const version = ((await (await fetch('/node_modules/@jax-js/jax/package.json')).json()) as { version: string })
    .version;
  const started = await jax.init('webgpu');
  if (!started.includes('webgpu')) throw new Error('jax-js: no WebGPU backend in this browser');
  jax.defaultDevice('webgpu');
  const np = jax.numpy;
  const array = (data: Float32Array, shape: number[]) => np.array(data, { shape });

  // X' = 2X − X(AX); x is used three times, so two `.ref`s.
  const step = jax.jit((a: JArray, x: JArray) => x.ref.mul(2).sub(np.matmul(x.ref, np.matmul(a, x))));
  // X₀ = Aᵀ/(‖A‖₁‖A‖∞) per matrix of [B, n, n].
  const start = jax.jit((a: JArray) => {
    const [b] = a.shape;
    const norm1 = np.max(np.sum(np.abs(a.ref), 1), -1);
    const normInf = np.max(np.sum(np.abs(a.ref), 2), -1);
    return np.transpose(a, [0, 2, 1]).div(np.reshape(norm1.mul(normInf), [b!, 1, 1]));
  });
  // One LSA layer per entry of `heads`; weights are [1, D, D] (jax-js 0.1.25 mis-broadcasts a
  // 2-D left operand against a 3-D right one in matmul, so the batch axis is explicit).
  const lsa = jax.jit((h: JArray, heads: Heads) => {
    let x = h;
    for (const layer of heads) {
      let sum: JArray | null = null;
      for (const { wv, wk, wq } of layer) {
        const s = np.matmul(np.matmul(wv, x.ref), np.matrixTranspose(np.matmul(wk, x.ref)));
        const head = np.matmul(s, np.matmul(wq, x.ref));
        sum = sum ? sum.add(head) : head;
      }
      x = x.add(sum!);
    }
    return x;
  });

  // Causal linear attention in the T×T form; [B, T, H, ·] in and out.
  const heads = (x: JArray) => np.transpose(x, [0, 2, 1, 3]);
  const attend = (s: JArray, mask: JArray, v: JArray) => heads(np.matmul(s.mul(mask), heads(v)));
  const scores = (q: JArray, k: JArray, scale: number) => np.matmul(heads(q), np.matrixTranspose(heads(k))).mul(scale);
  const linear = jax.jit((q: JArray, k: JArray, v: JArray, mask: JArray, scale: number) =>
    attend(scores(q, k, scale), mask, v),
  );
  const gated = jax.jit((q: JArray, k: JArray, v: JArray, mask: JArray, g: JArray, scale: number) => {
    const c = np.transpose(np.cumsum(g, 1), [0, 2, 1]); // [B, H, T]
    const decay = np.exp(np.minimum(np.expandDims(c.ref, 3).sub(np.expandDims(c, 2)), 0));
    return attend(scores(q, k, scale).mul(decay), mask, v);
  });

  const read = async (x: JArray) => (await x.data()) as Float32Array;
  const op = (held: JArray[], run: () => JArray): PeerOp => ({
    once: () => read(run()),
    dispose() {
      for (const a of held) a.dispose();
    },
  });
  const weights = (hs: PeerHead[], d: number) =>
    hs.map((h) => ({
      wv: array(Float32Array.from(h.wv), [1, d, d]),
      wk: array(Float32Array.from(h.wk), [1, d, d]),
      wq: array(Float32Array.from(h.wq), [1, d, d]),
    }));

  const peer: Peer = {
    linearAttention(q, k, v, gates, [b, t, h, kd, vd], scale) {
      const [Q, K, V] = [array(q, [b, t, h, kd]), array(k, [b, t, h, kd]), array(v, [b, t, h, vd])];
      const mask = array(causalMask(t), [t, t]);
      if (!gates) return op([Q, K, V, mask], () => linear(Q.ref, K.ref, V.ref, mask.ref, scale));
      const G = array(gates, [b, t, h]);
      return op([Q, K, V, mask, G], () => gated(Q.ref, K.ref, V.ref, mask.ref, G.ref, scale));
    },
    name: 'jax-js',
    version,
    nsStep(a, x, shape) {
      const [A, X] = [array(a, shape), array(x, shape)];
      return op([A, X], () => step(A.ref, X.ref));
    },
    nsChain(a, x, shape, steps) {
      const [A, X] = [array(a, shape), array(x, shape)];
      return op([A, X], () => {
        let y = X.ref;
        for (let s = 0; s < steps; s++) y = step(A.ref, y);
        return y;
      });
    },
    invert(a, shape, steps) {
      const A = array(a, shape);
      return op([A], () => {
        let x = start(A.ref);
        for (let s = 0; s < steps; s++) x = step(A.ref, x);
        return x;
      });
    },
    lsaStack(h, shape, layers) {
      const H = array(h, shape);
      const held = layers.map((hs) => weights(hs, shape[1]));
      const refs = () => held.map((hs) => hs.map((w) => ({ wv: w.wv.ref, wk: w.wk.ref, wq: w.wq.ref })));
      return op([H, ...held.flatMap((hs) => hs.flatMap((w) => [w.wv, w.wk, w.wq]))], () => lsa(H.ref, refs()));
    },
  };
  return { peer, device: jax.getWebGPUDevice(), training: jaxTrainer(jax) };
}
