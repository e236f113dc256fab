// Gradient functions for the kernels the training benchmark's model uses. TensorFlow.js's core
// UMD bundle (what bench.html loads) registers none (the `@tensorflow/tfjs` union package does),
// so `tf.variableGrads` needs these. Each is the textbook VJP written with tf ops; operands that
// were broadcast get their gradient summed back to their shape.
import type * as TF from '@tensorflow/tfjs-core';

type Tensor = TF.Tensor;

export function registerTfGradients(tf: typeof TF): void {
  const registered = (name: string) => tf.getGradient(name) !== undefined;
  /** Sums a gradient over the axes along which an operand of `shape` was broadcast. */
  const reduceTo = (g: Tensor, shape: number[]) => {
    const pad = g.rank - shape.length;
    const axes = g.shape.flatMap((n, i) => ((i < pad ? 1 : shape[i - pad]!) === 1 && n !== 1 ? [i] : []));
    return tf.reshape(axes.length ? tf.sum(g, axes, true) : g, shape);
  };
  const binary = (kernelName: string, da: (dy: Tensor, a: Tensor, b: Tensor) => Tensor, db: typeof da) => {
    if (registered(kernelName)) return;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]) => ({
        a: () => reduceTo(da(dy as Tensor, a!, b!), a!.shape),
        b: () => reduceTo(db(dy as Tensor, a!, b!), b!.shape),
      }),
    });
  };
  binary(
    'Add',
    (dy) => dy,
    (dy) => dy,
  );
  binary(
    'Sub',
    (dy) => dy,
    (dy) => tf.neg(dy),
  );
  binary(
    'Multiply',
    (dy, _, b) => tf.mul(dy, b),
    (dy, a) => tf.mul(dy, a),
  );
  if (!registered('BatchMatMul')) {
    tf.registerGradient({
      kernelName: 'BatchMatMul',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b], attrs) => {
        const g = dy as Tensor;
        const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
        if (transposeA) throw new Error('BatchMatMul gradient: transposeA is not used by the benchmark');
        // C = A B: dA = dC Bᵀ, dB = Aᵀ dC.  C = A Bᵀ: dA = dC B, dB = dCᵀ A.
        return {
          a: () => reduceTo(tf.matMul(g, b!, false, !transposeB), a!.shape),
          b: () => reduceTo(transposeB ? tf.matMul(g, a!, true, false) : tf.matMul(a!, g, true, false), b!.shape),
        };
      },
    });
  }
  if (!registered('Sum')) {
    tf.registerGradient({
      kernelName: 'Sum',
      inputsToSave: ['x'],
      gradFunc: (dy, [x], attrs) => {
        const { axis } = attrs as unknown as { axis: number | number[] | null | undefined };
        const all = x!.shape.map((_, i) => i);
        const axes = axis === null || axis === undefined ? all : [axis].flat().map((a) => (a < 0 ? a + x!.rank : a));
        const kept = x!.shape.map((n, i) => (axes.includes(i) ? 1 : n));
        return { x: () => tf.mul(tf.reshape(dy as Tensor, kept), tf.onesLike(x!)) };
      },
    });
  }
  if (!registered('Square')) {
    tf.registerGradient({
      kernelName: 'Square',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as Tensor, tf.mul(x!, 2)) }),
    });
  }
  if (!registered('Rsqrt')) {
    // d/dx x^(−1/2) = −½ x^(−3/2)
    tf.registerGradient({
      kernelName: 'Rsqrt',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]) => ({ x: () => tf.div(dy as Tensor, tf.mul(tf.mul(x!, tf.sqrt(x!)), -2)) }),
    });
  }
}
