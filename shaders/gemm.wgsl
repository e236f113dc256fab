// Batched strided GEMM with a fused epilogue, the primitive every layer is built from:
//   C[z] = ReLU?(alpha · A[z] · B[z] + bias[row]) + beta · R[z] + gamma · I
// Operands are addressed through strides, so transposes, broadcasts (batch stride 0) and
// head-blocked layouts are views, never copies. Element (z, r, c) of an operand lives at
//   off + z*batch + r*row + c*col + (c / block) * block_skip.

struct Params {
  m: u32,                 // rows of C
  n: u32,                 // columns of C
  k: u32,                 // inner dimension
  batch: u32,             // number of z slices
  tiles_m: u32,           // ceil(m / TILE_M)
  tiles_n: u32,           // ceil(n / TILE_N)
  a_off: u32, a_batch: u32, a_row: u32, a_col: u32, a_block: u32, a_block_skip: u32,
  b_off: u32, b_batch: u32, b_row: u32, b_col: u32,
  c_off: u32, c_batch: u32, c_row: u32, c_col: u32,  // C and R share this layout
  bias_off: u32,
  alpha: f32,             // scales A·B
  beta: f32,              // scales the residual R (RESIDUAL)
  gamma: f32,             // added on the diagonal (DIAG)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;        // [batch?, m, k] strided
@group(0) @binding(2) var<storage, read> b: array<f32>;        // [batch?, k, n] strided
@group(0) @binding(3) var<storage, read_write> c: array<f32>;  // [batch, m, n] strided
@group(0) @binding(4) var<storage, read> r: array<f32>;        // [batch, m, n], residual addend
@group(0) @binding(5) var<storage, read> bias: array<f32>;     // [m], broadcast over z and columns
@group(0) @binding(6) var<storage, read> gate: array<u32>;     // [batch], 0 = active (GATE)

override BIAS: bool = false;
override RELU: bool = false;
override RESIDUAL: bool = false;
override DIAG: bool = false;
// A finished z (gate[z] != 0) does no arithmetic: with RESIDUAL it carries R into C unchanged
// (C is the next iterate of R), otherwise it writes nothing.
override GATE: bool = false;
// C is symmetric: only tiles on or above the diagonal run, each writing C[r,c] and C[c,r].
override SYMMETRIC: bool = false;

const TILE_M: u32 = 32u;
const TILE_N: u32 = 32u;
const TILE_K: u32 = 16u;
const THREADS: u32 = 64u;   // 8 x 8 threads, each owns a 4 x 4 block of C

var<workgroup> a_tile: array<f32, 512>;  // [TILE_K, TILE_M], k-major so a thread reads 4 rows at once
var<workgroup> b_tile: array<f32, 512>;  // [TILE_K, TILE_N]

fn a_index(z: u32, row: u32, col: u32) -> u32 {
  return p.a_off + z * p.a_batch + row * p.a_row + col * p.a_col + (col / p.a_block) * p.a_block_skip;
}

fn b_index(z: u32, row: u32, col: u32) -> u32 {
  return p.b_off + z * p.b_batch + row * p.b_row + col * p.b_col;
}

fn epilogue(product: f32, row: u32, col: u32, idx: u32) -> f32 {
  var v = p.alpha * product;
  if (BIAS) {
    v += bias[p.bias_off + row];
  }
  if (RELU) {
    v = max(v, 0.0);
  }
  if (RESIDUAL) {
    v += p.beta * r[idx];
  }
  if (DIAG && row == col) {
    v += p.gamma;
  }
  return v;
}

@compute @workgroup_size(64)
fn gemm(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  // Workgroups are laid out linearly over (z, tile row, tile column) and folded into x/y so
  // no dispatch dimension exceeds the device limit; the tail of the last row does nothing.
  let linear = wid.x + wid.y * nwg.x;
  var per_z = p.tiles_m * p.tiles_n;
  if (SYMMETRIC) {
    per_z = p.tiles_m * (p.tiles_m + 1u) / 2u;
  }
  if (linear >= per_z * p.batch) {
    return;
  }
  let z = linear / per_z;
  var tile_row = (linear % per_z) / p.tiles_n;
  var tile_col = (linear % per_z) % p.tiles_n;
  if (SYMMETRIC) {
    // Upper-triangle tiles in row-major order: row i holds tiles_m - i of them.
    var t = linear % per_z;
    tile_row = 0u;
    while (t >= p.tiles_m - tile_row) {
      t -= p.tiles_m - tile_row;
      tile_row += 1u;
    }
    tile_col = tile_row + t;
  }
  let row0 = tile_row * TILE_M;
  let col0 = tile_col * TILE_N;
  let tr = (lid / 8u) * 4u;
  let tc = (lid % 8u) * 4u;

  if (GATE && gate[z] != 0u) {
    if (RESIDUAL) {
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
          let row = row0 + tr + i;
          let col = col0 + tc + j;
          if (row < p.m && col < p.n && (!SYMMETRIC || row <= col)) {
            let idx = p.c_off + z * p.c_batch + row * p.c_row + col * p.c_col;
            c[idx] = r[idx];
            if (SYMMETRIC) {
              let mirror = p.c_off + z * p.c_batch + col * p.c_row + row * p.c_col;
              c[mirror] = r[mirror];
            }
          }
        }
      }
    }
    return;
  }

  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < p.k; k0 += TILE_K) {
    for (var e = lid; e < TILE_M * TILE_K; e += THREADS) {
      let kk = e % TILE_K;
      let mm = e / TILE_K;
      var v = 0.0;
      if (row0 + mm < p.m && k0 + kk < p.k) {
        v = a[a_index(z, row0 + mm, k0 + kk)];
      }
      a_tile[kk * TILE_M + mm] = v;
    }
    for (var e = lid; e < TILE_K * TILE_N; e += THREADS) {
      let nn = e % TILE_N;
      let kk = e / TILE_N;
      var v = 0.0;
      if (k0 + kk < p.k && col0 + nn < p.n) {
        v = b[b_index(z, k0 + kk, col0 + nn)];
      }
      b_tile[kk * TILE_N + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let av = vec4<f32>(a_tile[kk * TILE_M + tr], a_tile[kk * TILE_M + tr + 1u],
                         a_tile[kk * TILE_M + tr + 2u], a_tile[kk * TILE_M + tr + 3u]);
      let bv = vec4<f32>(b_tile[kk * TILE_N + tc], b_tile[kk * TILE_N + tc + 1u],
                         b_tile[kk * TILE_N + tc + 2u], b_tile[kk * TILE_N + tc + 3u]);
      acc[0] = fma(vec4<f32>(av.x), bv, acc[0]);
      acc[1] = fma(vec4<f32>(av.y), bv, acc[1]);
      acc[2] = fma(vec4<f32>(av.z), bv, acc[2]);
      acc[3] = fma(vec4<f32>(av.w), bv, acc[3]);
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < 4u; i++) {
    let row = row0 + tr + i;
    if (row >= p.m) {
      break;
    }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + tc + j;
      if (col >= p.n) {
        break;
      }
      if (SYMMETRIC && row > col) {
        continue;
      }
      let idx = p.c_off + z * p.c_batch + row * p.c_row + col * p.c_col;
      let mirror = p.c_off + z * p.c_batch + col * p.c_row + row * p.c_col;
      c[idx] = epilogue(acc[i][j], row, col, idx);
      if (SYMMETRIC && row != col) {
        c[mirror] = epilogue(acc[i][j], col, row, mirror);
      }
    }
  }
}
