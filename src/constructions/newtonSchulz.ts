import type { Layer } from '../layers.js';
import { checkValues } from '../shape.js';
import {
  type Construction,
  checkLength,
  checkNonNegativeInteger,
  checkPositiveInteger,
  countLayers,
  head,
  lsaLayer,
  readBlock,
  stackRows,
  Weight,
  writeBlock,
} from './layout.js';

export interface NewtonSchulzConstruction
  extends Construction<[a: ArrayLike<number>, x0: ArrayLike<number>], Float64Array> {}

/**
 * Lemma 4.1: Newton–Schulz steps X ← X(2I − AX) as an LSA stack on d tokens (token j is
 * column j of every block). General A: rows [X; A; I; T] (width 4d), two layers per step:
 *   layer 1, head 1:  T += Aᵀ             (V: T←I, K: ·←A, Q: ·←I)
 *   layer 2, head 1:  X += X(I − A X)      (V: X←X, K: [I; Aᵀ], Q: [I; −X], read from blocks I, T, X)
 *           head 2:  T −= Aᵀ             (V: T←−T, K = Q: I) — restores the input format
 * Symmetric A: rows [X; A; I] (width 3d), one layer per step (layer 2, head 1 with Aᵀ = A).
 * See docs/constructions.md for the derivation.
 */
export function newtonSchulz(options: { d: number; steps?: number; symmetric?: boolean }): NewtonSchulzConstruction {
  const what = 'constructions.newtonSchulz';
  const d = checkPositiveInteger(what, 'd', options.d);
  const steps = checkNonNegativeInteger(what, 'steps', options.steps ?? 1);
  const symmetric = options.symmetric ?? false;
  const { rows, width } = stackRows(symmetric ? { x: d, a: d, i: d } : { x: d, a: d, i: d, t: d });
  const tokens = d;
  // Key/query space: two d-blocks; which rows they use does not matter (they are contracted).
  const k0 = rows.x!;
  const k1 = rows.a!;
  const transposeOfA = symmetric ? rows.a! : rows.t!;

  const update = [
    head(
      new Weight(width).copy(rows.x!, rows.x!),
      new Weight(width).copy(k0, rows.i!).copy(k1, transposeOfA),
      new Weight(width).copy(k0, rows.i!).copy(k1, rows.x!, -1),
    ),
  ];
  const layers: Layer[] = [];
  for (let s = 0; s < steps; s++) {
    if (symmetric) {
      layers.push(lsaLayer(update));
    } else {
      layers.push(
        lsaLayer([
          head(
            new Weight(width).copy(rows.t!, rows.i!),
            new Weight(width).copy(k0, rows.a!),
            new Weight(width).copy(k0, rows.i!),
          ),
        ]),
      );
      layers.push(
        lsaLayer([
          ...update,
          head(
            new Weight(width).copy(rows.t!, rows.t!, -1),
            new Weight(width).copy(k0, rows.i!),
            new Weight(width).copy(k0, rows.i!),
          ),
        ]),
      );
    }
  }
  return {
    width,
    tokens,
    layers,
    counts: countLayers(layers),
    embed(a, x0) {
      checkValues(`${what} embed A (d ${d})`, a, d * d);
      checkValues(`${what} embed X0 (d ${d})`, x0, d * d);
      const h = new Float64Array(width * tokens);
      writeBlock(h, tokens, rows.x![0], 0, x0, d, d);
      writeBlock(h, tokens, rows.a![0], 0, a, d, d);
      for (let j = 0; j < d; j++) h[(rows.i![0] + j) * tokens + j] = 1;
      return h;
    },
    readout(h) {
      checkLength(`${what} readout H (${width} × ${tokens})`, h, width * tokens);
      return readBlock(h, tokens, rows.x![0], 0, d, d);
    },
  };
}
