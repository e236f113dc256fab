// Shared by gemm.wgsl and gemm_subgroups.wgsl (pasted in by their `//#include`): the
// parameters, bindings, epilogue and stores of the batched GEMM.
//
// Batched strided GEMM with a fused epilogue, the primitive every layer is built from:
//   C[z] = ReLU?(alpha · A[z] · B[z] + bias[row]) + beta · R[z] + gamma · I
// Operands are addressed through strides, so transposes, broadcasts (batch stride 0) and
// per-head layouts are views, never copies. Slice z splits as z = o·inner + i, and element
// (z, r, c) of an operand lives at
//   off + o*outer + i*batch + r*row + c*col     (inner = batch count: a single-level batch).

struct Params {
  m: u32,                 // rows of C
  n: u32,                 // columns of C
  k: u32,                 // inner dimension
  batch: u32,             // number of z slices
  tiles_m: u32,           // ceil(m / TILE_M)
  tiles_n: u32,           // ceil(n / TILE_N)
  inner: u32,             // slices per outer step
  a_off: u32, a_batch: u32, a_outer: u32, a_row: u32, a_col: u32,
  b_off: u32, b_batch: u32, b_outer: u32, b_row: u32, b_col: u32,
  c_off: u32, c_batch: u32, c_outer: u32, c_row: u32, c_col: u32,  // C and R share this layout
  bias_off: u32,
  alpha: f32,             // scales A·B
  beta: f32,              // scales the residual R (F_RESIDUAL)
  gamma: f32,             // added on the diagonal (F_DIAG)
  flags: u32,             // epilogue switches, F_* bits below
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;        // [batch?, m, k] strided
@group(0) @binding(2) var<storage, read> b: array<f32>;        // [batch?, k, n] strided
@group(0) @binding(3) var<storage, read_write> c: array<f32>;  // [batch, m, n] strided
@group(0) @binding(4) var<storage, read> r: array<f32>;        // [batch, m, n], residual addend
@group(0) @binding(5) var<storage, read> bias: array<f32>;     // [m], broadcast over z and columns
@group(0) @binding(6) var<storage, read> gate: array<u32>;     // [batch], 0 = active (F_GATE)

// Epilogue switches travel in the uniform, not as override constants: they cost a uniform
// branch per stored element, and keep the pipeline count (and start-up compile time) small.
const F_BIAS: u32 = 1u;      // + bias[row]
const F_RELU: u32 = 2u;      // ReLU after the bias
const F_RESIDUAL: u32 = 4u;  // + beta · R
const F_DIAG: u32 = 8u;      // + gamma on the diagonal
// A finished z (gate[z] != 0) does no arithmetic: with RESIDUAL it carries R into C unchanged
// (C is the next iterate of R), otherwise it writes nothing.
const F_GATE: u32 = 16u;
// C is symmetric (m = n): only blocks on or above the diagonal run, each writing C[r,c] and C[c,r].
const F_SYMMETRIC: u32 = 32u;

// The plain product C = alpha · A·B (no epilogue switch set), as its own pipeline. A CPU adapter
// (SwiftShader) runs every instruction of a shader under lane masks whether or not a uniform
// branch is taken, so the epilogue's code costs as much as running it; this specialisation
// leaves it out (measured 3–5× faster on small-k products such as LSA's projections).
override PLAIN: bool = false;
// C = alpha · A·B + beta · R and nothing else (the residual switch alone), for the same reason.
override RESIDUAL: bool = false;

// Invocations per workgroup of every GEMM kernel (the tiled one: 8 × 8, each a 4 × 4 block of C).
const THREADS: u32 = 64u;

fn has(flag: u32) -> bool {
  if (PLAIN) {
    return false;
  }
  if (RESIDUAL) {
    return flag == F_RESIDUAL;
  }
  return (p.flags & flag) != 0u;
}

// The specialised pipelines (PLAIN, RESIDUAL) carry no per-element switch.
fn specialised() -> bool {
  return PLAIN || RESIDUAL;
}

// Where slice z of an operand starts.
fn slice(z: u32, off: u32, batch: u32, outer: u32) -> u32 {
  return off + (z / p.inner) * outer + (z % p.inner) * batch;
}

fn a_slice(z: u32) -> u32 {
  return slice(z, p.a_off, p.a_batch, p.a_outer);
}

fn b_slice(z: u32) -> u32 {
  return slice(z, p.b_off, p.b_batch, p.b_outer);
}

fn c_slice(z: u32) -> u32 {
  return slice(z, p.c_off, p.c_batch, p.c_outer);
}

// cz: where C's slice starts (c_slice).
fn store(cz: u32, row: u32, col: u32, product: f32) {
  if (specialised()) {
    if (row < p.m && col < p.n) {
      let idx = cz + row * p.c_row + col * p.c_col;
      var v = p.alpha * product;
      if (RESIDUAL) {
        v += p.beta * r[idx];
      }
      c[idx] = v;
    }
    return;
  }
  let symmetric = has(F_SYMMETRIC);
  if (row >= p.m || col >= p.n || (symmetric && row > col)) {
    return;
  }
  let idx = cz + row * p.c_row + col * p.c_col;
  c[idx] = epilogue(product, row, col, idx);
  if (symmetric && row != col) {
    let mirror = cz + col * p.c_row + row * p.c_col;
    c[mirror] = epilogue(product, col, row, mirror);
  }
}

// The 4 elements go through one inlined `store` in a loop: each store carries the whole epilogue
// and its symmetric mirror, and written out 4 times they were most of a pipeline's compile time on
// SwiftShader.
fn store_row(cz: u32, row: u32, col: u32, v: vec4<f32>) {
  for (var i = 0u; i < 4u; i++) {
    store(cz, row, col + i, v[i]);
  }
}

fn epilogue(product: f32, row: u32, col: u32, idx: u32) -> f32 {
  var v = p.alpha * product;
  if (has(F_BIAS)) {
    v += bias[p.bias_off + row];
  }
  if (has(F_RELU)) {
    v = max(v, 0.0);
  }
  if (has(F_RESIDUAL)) {
    v += p.beta * r[idx];
  }
  if (has(F_DIAG) && row == col) {
    v += p.gamma;
  }
  return v;
}

fn store_column(cz: u32, row0: u32, col: u32, v: vec4<f32>) {
  if (specialised()) {
    store_clamped(cz, vec4<u32>(row0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(col), v);
    return;
  }
  for (var i = 0u; i < 4u; i++) {
    store(cz, row0 + i, col, v[i]);
  }
}

// The direct schedules read clamped rows and columns of A and B past m and n, so an element
// past the edge equals the one at the clamped index, bit for bit: the plain path stores it there
// (the same value again) instead of testing each element. With RESIDUAL the addend is read at
// the same clamped index, so the duplicate is still the same value.
fn store_clamped(cz: u32, rows: vec4<u32>, cols: vec4<u32>, v: vec4<f32>) {
  let idx = vec4<u32>(cz) + min(rows, vec4<u32>(p.m - 1u)) * p.c_row + min(cols, vec4<u32>(p.n - 1u)) * p.c_col;
  var s = p.alpha * v;
  if (RESIDUAL) {
    s += p.beta * vec4<f32>(r[idx.x], r[idx.y], r[idx.z], r[idx.w]);
  }
  c[idx.x] = s.x;
  c[idx.y] = s.y;
  c[idx.z] = s.z;
  c[idx.w] = s.w;
}

// A gated (finished) z carries R into C unchanged: rows row0 .. row0 + rows - 1, columns
// col0 + stride·j for j < cols (a direct-schedule invocation's share of its quad's block).
fn carry_columns(cz: u32, row0: u32, col0: u32, rows: u32, cols: u32, stride: u32) {
  for (var i = 0u; i < rows; i++) {
    for (var j = 0u; j < cols; j++) {
      carry(cz, row0 + i, col0 + stride * j);
    }
  }
}

// A gated (finished) z carries R into C unchanged for a 4×4 block (tiled schedule).
fn carry_block(cz: u32, row0: u32, col0: u32) {
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      carry(cz, row0 + i, col0 + j);
    }
  }
}

fn carry(cz: u32, row: u32, col: u32) {
  let symmetric = has(F_SYMMETRIC);
  if (row < p.m && col < p.n && (!symmetric || row <= col)) {
    let idx = cz + row * p.c_row + col * p.c_col;
    c[idx] = r[idx];
    if (symmetric) {
      let mirror = cz + col * p.c_row + row * p.c_col;
      c[mirror] = r[mirror];
    }
  }
}
