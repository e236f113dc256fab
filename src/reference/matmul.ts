/**
 * Batched product `C[z] = op(A[z]) op(B[z])` in float64, plain loops. `a` is [batch?, m, k]
 * ([batch?, k, m] with transposeA), `b` is [batch?, k, n] ([batch?, n, k] with transposeB); an
 * operand without a batch dimension is shared by every z. Returns [batch, m, n] row-major.
 */
export function matmul(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  options: { transposeA?: boolean; transposeB?: boolean } = {},
): Float64Array {
  const [ar, ac] = aShape.slice(-2) as [number, number];
  const [br, bc] = bShape.slice(-2) as [number, number];
  const m = options.transposeA ? ac : ar;
  const k = options.transposeA ? ar : ac;
  const n = options.transposeB ? br : bc;
  const batch = aShape.length === 3 ? aShape[0]! : bShape.length === 3 ? bShape[0]! : 1;
  const aStride = aShape.length === 3 ? m * k : 0;
  const bStride = bShape.length === 3 ? k * n : 0;
  const out = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let l = 0; l < k; l++) {
          const av = a[z * aStride + (options.transposeA ? l * m + i : i * k + l)]!;
          const bv = b[z * bStride + (options.transposeB ? j * k + l : l * n + j)]!;
          s += av * bv;
        }
        out[(z * m + i) * n + j] = s;
      }
    }
  }
  return out;
}
