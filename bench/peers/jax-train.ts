// The training benchmark's model in jax-js: the loss written with jax.numpy, its gradient from
// `valueAndGrad`, and Adam written out; one jitted function per step (forward, backward, update).
import type * as Jax from '@jax-js/jax';
import type { PeerTrainer, PeerTrainSpec } from './peer.js';

type JArray = Jax.Array;

/** Initial parameters in the flat order of `PeerTrainOp.gradients`, with their jax-js shapes. */
export function flatParameters(spec: PeerTrainSpec): { data: Float32Array; shape: number[] }[] {
  const d = spec.shape[1];
  const out: { data: Float32Array; shape: number[] }[] = [];
  const norm = (n: { gain: ArrayLike<number>; bias: ArrayLike<number> }) =>
    out.push(
      { data: Float32Array.from(n.gain), shape: [1, d, 1] },
      { data: Float32Array.from(n.bias), shape: [1, d, 1] },
    );
  for (const layer of spec.layers) {
    for (const h of layer.heads)
      for (const w of [h.wv, h.wk, h.wq]) out.push({ data: Float32Array.from(w), shape: [1, d, d] });
    if (layer.norm) norm(layer.norm);
  }
  if (spec.finalNorm) norm(spec.finalNorm);
  return out;
}

/** A one-hot [1, 1, N] mask of the key tokens and a one-hot [1, D, N] selector of the loss entry. */
export function masks(spec: PeerTrainSpec): { keys: Float32Array; entry: Float32Array } {
  const [, d, n] = spec.shape;
  const keys = Float32Array.from({ length: n }, (_, i) => (i < spec.keys ? 1 : 0));
  const entry = new Float32Array(d * n);
  entry[spec.row * n + spec.token] = 1;
  return { keys, entry };
}

export function jaxTrainer(jax: typeof Jax): PeerTrainer {
  const np = jax.numpy;
  const array = (data: Float32Array, shape: number[]) => np.array(data, { shape });

  // LayerNorm over the D rows of each token column (biased variance, eps 1e-5).
  const layerNorm = (x: JArray, gain: JArray, bias: JArray) => {
    const centred = x.ref.sub(np.mean(x, 1, { keepdims: true }));
    const variance = np.mean(np.square(centred.ref), 1, { keepdims: true });
    return centred
      .div(np.sqrt(variance.add(1e-5)))
      .mul(gain)
      .add(bias);
  };

  return {
    train(spec, h, target) {
      const [batch, d, n] = spec.shape;
      const { learningRate: lr, beta1: b1, beta2: b2, epsilon } = spec.adam;
      // Arrays are consumed by every use: `.ref` for all uses but the last.
      const loss = (params: JArray[], x0: JArray, t: JArray, keyMask: JArray, entry: JArray) => {
        let i = 0;
        const next = () => params[i++]!;
        let x = x0;
        for (const layer of spec.layers) {
          const heads = layer.heads.map(() => [next(), next(), next()] as const);
          const nx = layer.norm ? layerNorm(x.ref, next(), next()) : x.ref;
          const nk = nx.ref.mul(keyMask.ref);
          let sum: JArray | null = null;
          for (const [wv, wk, wq] of heads) {
            const s = np.matmul(np.matmul(wv, nk.ref), np.matrixTranspose(np.matmul(wk, nk.ref)));
            const head = np.matmul(s, np.matmul(wq, nx.ref));
            sum = sum ? sum.add(head) : head;
          }
          nx.dispose();
          nk.dispose();
          x = x.add(sum!);
        }
        keyMask.dispose();
        if (spec.finalNorm) x = layerNorm(x, next(), next());
        const prediction = np.sum(x.mul(entry), [1, 2]);
        return np.mean(np.square(prediction.sub(t)));
      };
      const valueAndGrad = jax.valueAndGrad(loss);
      const step = jax.jit(
        (
          params: JArray[],
          m: JArray[],
          v: JArray[],
          c1: JArray,
          c2: JArray,
          x: JArray,
          t: JArray,
          k: JArray,
          e: JArray,
        ) => {
          const [value, grads] = valueAndGrad(
            params.map((p) => p.ref),
            x,
            t,
            k,
            e,
          );
          const m2 = grads.map((g, i) => m[i]!.mul(b1).add(g.ref.mul(1 - b1)));
          const v2 = grads.map((g, i) => v[i]!.mul(b2).add(np.square(g).mul(1 - b2)));
          const p2 = params.map((p, i) =>
            p.sub(
              m2[i]!.ref.mul(c1.ref)
                .div(np.sqrt(v2[i]!.ref.mul(c2.ref)).add(epsilon))
                .mul(lr),
            ),
          );
          c1.dispose();
          c2.dispose();
          return [p2, m2, v2, value] as [JArray[], JArray[], JArray[], JArray];
        },
      );
      const init = flatParameters(spec);
      let params = init.map((p) => array(p.data, p.shape));
      let m = init.map((p) => np.zeros(p.shape));
      let v = init.map((p) => np.zeros(p.shape));
      const mk = masks(spec);
      const keyMask = array(mk.keys, [1, 1, n]);
      const entry = array(mk.entry, [1, d, n]);
      const x = array(h, [batch, d, n]);
      const t = array(target, [batch]);
      let applied = 0;
      return {
        async train(steps) {
          let last: JArray | null = null;
          for (let s = 0; s < steps; s++) {
            applied++;
            const c1 = array(Float32Array.of(1 / (1 - b1 ** applied)), [1]);
            const c2 = array(Float32Array.of(1 / (1 - b2 ** applied)), [1]);
            const out = step(params, m, v, c1, c2, x.ref, t.ref, keyMask.ref, entry.ref);
            [params, m, v] = out;
            last?.dispose();
            last = out[3];
          }
          return ((await last!.data()) as Float32Array)[0]!;
        },
        async gradients(h2, t2, b) {
          const grads = jax.grad(loss)(
            params.map((p) => p.ref),
            array(h2, [b, d, n]),
            array(t2, [b]),
            keyMask.ref,
            entry.ref,
          );
          const parts = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
          const flat = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
          let o = 0;
          for (const p of parts) {
            flat.set(p, o);
            o += p.length;
          }
          return flat;
        },
        dispose() {
          for (const a of [...params, ...m, ...v, keyMask, entry, x, t]) a.dispose();
          step.dispose();
        },
      };
    },
  };
}
