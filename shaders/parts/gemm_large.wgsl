// The direct schedule's kernel for large products (m and n ≥ 64, k a multiple of 4, enough
// blocks to keep every thread of a CPU adapter busy: src/gpu/gemm.ts decides). Pasted into
// gemm.wgsl and gemm_subgroups.wgsl, which each supply `quad_rows` (how a quad gets its 4 × 4
// blocks of A) and the entry point.
//
// A quad owns a 32-row × 64-column block of C for one z; invocation l of the quad (its lane)
// computes all 32 rows of columns l, l + 4, …, l + 60 as 8 × 4 accumulators of 4 × 4 (column j of
// one is a column of C over 4 rows). A trip of the k loop takes 4 steps of k at once: each
// accumulator gains one 4 × 4 matrix product, A's 4 rows × 4 k times B's 4 k × 4 columns, so it is
// read and written once per 4 steps (a CPU JIT keeps loop-carried values in memory), and every
// element loaded feeds 32 (A) or 16 (B) multiply-adds. On SwiftShader a load is a per-lane gather,
// the dominant cost of the smaller direct kernel.

const LARGE_ROWS: u32 = 32u;  // rows of C per quad
const LARGE_COLS: u32 = 64u;  // columns of C per quad

// A at one row (offset `row` into a) and k .. k + 3 (ka: offset of k).
fn k_run(row: u32, ka: u32) -> vec4<f32> {
  let s = p.a_col;
  return vec4<f32>(a[row + ka], a[row + ka + s], a[row + ka + 2u * s], a[row + ka + 3u * s]);
}

// B at k .. k + 3 for 4 columns (offsets `cols`): column j is column cols[j] over the 4 k.
fn b_block(cols: vec4<u32>, kb: u32) -> mat4x4<f32> {
  let s = p.b_row;
  return mat4x4<f32>(
    vec4<f32>(b[cols.x + kb], b[cols.x + kb + s], b[cols.x + kb + 2u * s], b[cols.x + kb + 3u * s]),
    vec4<f32>(b[cols.y + kb], b[cols.y + kb + s], b[cols.y + kb + 2u * s], b[cols.y + kb + 3u * s]),
    vec4<f32>(b[cols.z + kb], b[cols.z + kb + s], b[cols.z + kb + 2u * s], b[cols.z + kb + 3u * s]),
    vec4<f32>(b[cols.w + kb], b[cols.w + kb + s], b[cols.w + kb + 2u * s], b[cols.w + kb + 3u * s]),
  );
}

// A 4 × 4 accumulator to C: rows row0 .. row0 + 3, columns col0, col0 + 4, col0 + 8, col0 + 12.
fn store_block(cz: u32, row0: u32, col0: u32, m: mat4x4<f32>) {
  store_column(cz, row0, col0, m[0]);
  store_column(cz, row0, col0 + 4u, m[1]);
  store_column(cz, row0, col0 + 8u, m[2]);
  store_column(cz, row0, col0 + 12u, m[3]);
}

// linear: the invocation's index over the dispatch; lane: its place in its quad (0..3).
fn gemm_large(linear: u32, lane: u32) {
  let blocks_m = (p.m + LARGE_ROWS - 1u) / LARGE_ROWS;
  let blocks_n = (p.n + LARGE_COLS - 1u) / LARGE_COLS;
  let per_z = blocks_m * blocks_n;
  let quad = linear / 4u;
  // Every early return below is taken by a whole quad (it depends on the quad's block and z only).
  if (quad >= per_z * p.batch) {
    return;
  }
  let z = quad / per_z;
  let row0 = ((quad % per_z) / blocks_n) * LARGE_ROWS;
  let colq = ((quad % per_z) % blocks_n) * LARGE_COLS;
  let col0 = colq + lane;
  if (has(F_SYMMETRIC) && row0 > colq + LARGE_COLS - 1u) {
    return;
  }
  let cz = c_slice(z);
  if (has(F_GATE) && gate[z] != 0u) {
    if (has(F_RESIDUAL)) {
      carry_columns(cz, row0, col0, LARGE_ROWS, LARGE_COLS / 4u);
    }
    return;
  }
  // Rows past m and columns past n read a clamped neighbour; the stores clamp or skip them.
  let lm = vec4<u32>(p.m - 1u);
  let ln = vec4<u32>(p.n - 1u);
  let a_base = a_slice(z);
  let b_base = b_slice(z);
  let q = vec4<u32>(0u, 1u, 2u, 3u);
  // Offsets of each group of 4 rows of A, and of this invocation's own row in it.
  let r0 = a_base + min(vec4<u32>(row0) + q, lm) * p.a_row;
  let r1 = a_base + min(vec4<u32>(row0 + 4u) + q, lm) * p.a_row;
  let r2 = a_base + min(vec4<u32>(row0 + 8u) + q, lm) * p.a_row;
  let r3 = a_base + min(vec4<u32>(row0 + 12u) + q, lm) * p.a_row;
  let r4 = a_base + min(vec4<u32>(row0 + 16u) + q, lm) * p.a_row;
  let r5 = a_base + min(vec4<u32>(row0 + 20u) + q, lm) * p.a_row;
  let r6 = a_base + min(vec4<u32>(row0 + 24u) + q, lm) * p.a_row;
  let r7 = a_base + min(vec4<u32>(row0 + 28u) + q, lm) * p.a_row;
  // Offsets of the invocation's columns of B, 4 per accumulator column block.
  let c0 = b_base + min(vec4<u32>(col0) + 4u * q, ln) * p.b_col;
  let c1 = b_base + min(vec4<u32>(col0 + 16u) + 4u * q, ln) * p.b_col;
  let c2 = b_base + min(vec4<u32>(col0 + 32u) + 4u * q, ln) * p.b_col;
  let c3 = b_base + min(vec4<u32>(col0 + 48u) + 4u * q, ln) * p.b_col;
  // m<g><j>: rows row0 + 4g .. + 3, columns col0 + 16j + 4i (i = 0..3).
  var m00 = mat4x4<f32>(); var m01 = mat4x4<f32>(); var m02 = mat4x4<f32>(); var m03 = mat4x4<f32>();
  var m10 = mat4x4<f32>(); var m11 = mat4x4<f32>(); var m12 = mat4x4<f32>(); var m13 = mat4x4<f32>();
  var m20 = mat4x4<f32>(); var m21 = mat4x4<f32>(); var m22 = mat4x4<f32>(); var m23 = mat4x4<f32>();
  var m30 = mat4x4<f32>(); var m31 = mat4x4<f32>(); var m32 = mat4x4<f32>(); var m33 = mat4x4<f32>();
  var m40 = mat4x4<f32>(); var m41 = mat4x4<f32>(); var m42 = mat4x4<f32>(); var m43 = mat4x4<f32>();
  var m50 = mat4x4<f32>(); var m51 = mat4x4<f32>(); var m52 = mat4x4<f32>(); var m53 = mat4x4<f32>();
  var m60 = mat4x4<f32>(); var m61 = mat4x4<f32>(); var m62 = mat4x4<f32>(); var m63 = mat4x4<f32>();
  var m70 = mat4x4<f32>(); var m71 = mat4x4<f32>(); var m72 = mat4x4<f32>(); var m73 = mat4x4<f32>();
  var ka = 0u;
  var kb = 0u;
  for (var k = 0u; k < p.k; k += 4u) {
    let a0 = quad_rows(r0, r0[lane], ka);
    let a1 = quad_rows(r1, r1[lane], ka);
    let a2 = quad_rows(r2, r2[lane], ka);
    let a3 = quad_rows(r3, r3[lane], ka);
    let a4 = quad_rows(r4, r4[lane], ka);
    let a5 = quad_rows(r5, r5[lane], ka);
    let a6 = quad_rows(r6, r6[lane], ka);
    let a7 = quad_rows(r7, r7[lane], ka);
    let b0 = b_block(c0, kb);
    let b1 = b_block(c1, kb);
    let b2 = b_block(c2, kb);
    let b3 = b_block(c3, kb);
    m00 += a0 * b0; m01 += a0 * b1; m02 += a0 * b2; m03 += a0 * b3;
    m10 += a1 * b0; m11 += a1 * b1; m12 += a1 * b2; m13 += a1 * b3;
    m20 += a2 * b0; m21 += a2 * b1; m22 += a2 * b2; m23 += a2 * b3;
    m30 += a3 * b0; m31 += a3 * b1; m32 += a3 * b2; m33 += a3 * b3;
    m40 += a4 * b0; m41 += a4 * b1; m42 += a4 * b2; m43 += a4 * b3;
    m50 += a5 * b0; m51 += a5 * b1; m52 += a5 * b2; m53 += a5 * b3;
    m60 += a6 * b0; m61 += a6 * b1; m62 += a6 * b2; m63 += a6 * b3;
    m70 += a7 * b0; m71 += a7 * b1; m72 += a7 * b2; m73 += a7 * b3;
    ka += 4u * p.a_col;
    kb += 4u * p.b_row;
  }
  // Stored from an array in a loop: written out, 32 inlined block stores multiply the JIT's work.
  let blocks = array<mat4x4<f32>, 32>(
    m00, m01, m02, m03, m10, m11, m12, m13,
    m20, m21, m22, m23, m30, m31, m32, m33,
    m40, m41, m42, m43, m50, m51, m52, m53,
    m60, m61, m62, m63, m70, m71, m72, m73,
  );
  for (var i = 0u; i < 32u; i++) {
    store_block(cz, row0 + 4u * (i / 4u), col0 + 16u * (i % 4u), blocks[i]);
  }
}
