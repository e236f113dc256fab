// Batched strided GEMM, every schedule: `tiled` (workgroup-memory tiles, GPUs) and the direct
// kernels (CPU adapters). The parameters, bindings, epilogue and stores are in parts/gemm_common.wgsl;
// gemm_subgroups.wgsl builds the large direct kernel with subgroup operations from the same parts.
//#include parts/gemm_common.wgsl

const TILE_M: u32 = 32u;
const TILE_N: u32 = 32u;
const TILE_K: u32 = 16u;

var<workgroup> a_tile: array<vec4<f32>, 128>;  // [TILE_K, TILE_M / 4], k-major: one vec4 = 4 rows of A
var<workgroup> b_tile: array<vec4<f32>, 128>;  // [TILE_K, TILE_N / 4]: one vec4 = 4 columns of B

@compute @workgroup_size(THREADS)
fn gemm(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  // Workgroups are laid out linearly over (z, tile row, tile column) and folded into x/y so
  // no dispatch dimension exceeds the device limit; the tail of the last row does nothing.
  let linear = wid.x + wid.y * nwg.x;
  var per_z = p.tiles_m * p.tiles_n;
  if (has(F_SYMMETRIC)) {
    per_z = p.tiles_m * (p.tiles_m + 1u) / 2u;
  }
  if (linear >= per_z * p.batch) {
    return;
  }
  let z = linear / per_z;
  var tile_row = (linear % per_z) / p.tiles_n;
  var tile_col = (linear % per_z) % p.tiles_n;
  if (has(F_SYMMETRIC)) {
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
  let cz = c_slice(z);

  if (has(F_GATE) && gate[z] != 0u) {
    if (has(F_RESIDUAL)) {
      carry_block(cz, row0 + tr, col0 + tc);
    }
    return;
  }
  let az = a_slice(z);
  let bz = b_slice(z);

  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var k0 = 0u; k0 < p.k; k0 += TILE_K) {
    for (var e = lid; e < TILE_M * TILE_K; e += THREADS) {
      let kk = e % TILE_K;
      let mm = e / TILE_K;
      var v = 0.0;
      if (row0 + mm < p.m && k0 + kk < p.k) {
        v = a[az + (row0 + mm) * p.a_row + (k0 + kk) * p.a_col];
      }
      a_tile[kk * (TILE_M / 4u) + mm / 4u][mm % 4u] = v;
    }
    for (var e = lid; e < TILE_K * TILE_N; e += THREADS) {
      let nn = e % TILE_N;
      let kk = e / TILE_N;
      var v = 0.0;
      if (k0 + kk < p.k && col0 + nn < p.n) {
        v = b[bz + (k0 + kk) * p.b_row + (col0 + nn) * p.b_col];
      }
      b_tile[kk * (TILE_N / 4u) + nn / 4u][nn % 4u] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let av = a_tile[kk * (TILE_M / 4u) + tr / 4u];
      let bv = b_tile[kk * (TILE_N / 4u) + tc / 4u];
      acc0 = fma(vec4<f32>(av.x), bv, acc0);
      acc1 = fma(vec4<f32>(av.y), bv, acc1);
      acc2 = fma(vec4<f32>(av.z), bv, acc2);
      acc3 = fma(vec4<f32>(av.w), bv, acc3);
    }
    workgroupBarrier();
  }

  // Unrolled by hand: a private array indexed in a loop would leave registers for memory.
  store_row(cz, row0 + tr, col0 + tc, acc0);
  store_row(cz, row0 + tr + 1u, col0 + tc, acc1);
  store_row(cz, row0 + tr + 2u, col0 + tc, acc2);
  store_row(cz, row0 + tr + 3u, col0 + tc, acc3);
}

// The same product without workgroup memory or barriers, for adapters where both are
// emulated (CPU rasterisers such as SwiftShader: caches already play the role of shared
// memory, and a barrier is a context switch). Invocations come in quads; a quad owns a
// 8-row × 32-column block of C for one z, and invocation l of the quad computes columns
// l, l + 4, …, l + 28 of it: per step of k, 8 loads of A (the same for the whole quad) and
// 8 of B (consecutive across the quad) feed 64 FMAs. Results are stored column by column.
@compute @workgroup_size(THREADS)
fn gemm_direct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let blocks_m = (p.m + 7u) / 8u;
  let blocks_n = (p.n + 31u) / 32u;
  let per_z = blocks_m * blocks_n;
  let linear = gid.x + gid.y * nwg.x * THREADS;
  let quad = linear / 4u;
  if (quad >= per_z * p.batch) {
    return;
  }
  let z = quad / per_z;
  let row0 = ((quad % per_z) / blocks_n) * 8u;
  let col32 = ((quad % per_z) % blocks_n) * 32u;
  let col0 = col32 + linear % 4u;
  if (has(F_SYMMETRIC) && row0 > col32 + 31u) {
    return;
  }
  let cz = c_slice(z);
  if (has(F_GATE) && gate[z] != 0u) {
    if (has(F_RESIDUAL)) {
      carry_columns(cz, row0, col0, 8u, 8u, 4u);
    }
    return;
  }
  if (col0 >= p.n) {
    return;
  }
  // Rows past m and columns past n read a clamped neighbour and are never stored.
  let lm = p.m - 1u;
  let rows = vec4<u32>(row0, min(row0 + 1u, lm), min(row0 + 2u, lm), min(row0 + 3u, lm));
  let rows2 = vec4<u32>(min(row0 + 4u, lm), min(row0 + 5u, lm), min(row0 + 6u, lm), min(row0 + 7u, lm));
  let last = p.n - 1u;
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  var acc4 = vec4<f32>();
  var acc5 = vec4<f32>();
  var acc6 = vec4<f32>();
  var acc7 = vec4<f32>();
  var bcc0 = vec4<f32>();
  var bcc1 = vec4<f32>();
  var bcc2 = vec4<f32>();
  var bcc3 = vec4<f32>();
  var bcc4 = vec4<f32>();
  var bcc5 = vec4<f32>();
  var bcc6 = vec4<f32>();
  var bcc7 = vec4<f32>();
  let a_base = a_slice(z);
  let ia = a_base + rows * p.a_row;
  let ia2 = a_base + rows2 * p.a_row;
  let b_base = b_slice(z);
  let ib0 = b_base + vec4<u32>(min(col0, last), min(col0 + 4u, last), min(col0 + 8u, last), min(col0 + 12u, last)) * p.b_col;
  let ib1 = b_base + vec4<u32>(min(col0 + 16u, last), min(col0 + 20u, last), min(col0 + 24u, last), min(col0 + 28u, last)) * p.b_col;
  var ka = 0u;
  var kb = 0u;
  for (var k = 0u; k < p.k; k++) {
    // Addresses hoisted out of the loop and stepped: the JIT (Subzero) does not do it for us.
    let av = vec4<f32>(a[ia.x + ka], a[ia.y + ka], a[ia.z + ka], a[ia.w + ka]);
    let aw = vec4<f32>(a[ia2.x + ka], a[ia2.y + ka], a[ia2.z + ka], a[ia2.w + ka]);
    let b0 = vec4<f32>(b[ib0.x + kb]);
    let b1 = vec4<f32>(b[ib0.y + kb]);
    let b2 = vec4<f32>(b[ib0.z + kb]);
    let b3 = vec4<f32>(b[ib0.w + kb]);
    let b4 = vec4<f32>(b[ib1.x + kb]);
    let b5 = vec4<f32>(b[ib1.y + kb]);
    let b6 = vec4<f32>(b[ib1.z + kb]);
    let b7 = vec4<f32>(b[ib1.w + kb]);
    acc0 = fma(av, b0, acc0);
    acc1 = fma(av, b1, acc1);
    acc2 = fma(av, b2, acc2);
    acc3 = fma(av, b3, acc3);
    acc4 = fma(av, b4, acc4);
    acc5 = fma(av, b5, acc5);
    acc6 = fma(av, b6, acc6);
    acc7 = fma(av, b7, acc7);
    bcc0 = fma(aw, b0, bcc0);
    bcc1 = fma(aw, b1, bcc1);
    bcc2 = fma(aw, b2, bcc2);
    bcc3 = fma(aw, b3, bcc3);
    bcc4 = fma(aw, b4, bcc4);
    bcc5 = fma(aw, b5, bcc5);
    bcc6 = fma(aw, b6, bcc6);
    bcc7 = fma(aw, b7, bcc7);
    ka += p.a_col;
    kb += p.b_row;
  }
  // Stored in a loop of 4 trips, 4 inlined stores: written out, the 16 stores (each 4 scattered
  // scalar writes, in the general pipeline each with its epilogue and symmetric mirror) made
  // these the slowest pipelines of createRuntime to compile on SwiftShader (2.2 s and 4.2 s).
  // The values are picked with selects, not read from an array at a run-time index, which a CPU
  // adapter turns into a gather per component (1.3× slower at k = 16, where stores dominate).
  for (var i = 0u; i < 4u; i++) {
    store_column(cz, row0, col0 + 4u * i, pick(i, acc0, acc1, acc2, acc3));
    store_column(cz, row0, col0 + 4u * i + 16u, pick(i, acc4, acc5, acc6, acc7));
    store_column(cz, row0 + 4u, col0 + 4u * i, pick(i, bcc0, bcc1, bcc2, bcc3));
    store_column(cz, row0 + 4u, col0 + 4u * i + 16u, pick(i, bcc4, bcc5, bcc6, bcc7));
  }
}

// v[i] of (v0, v1, v2, v3), i < 4.
fn pick(i: u32, v0: vec4<f32>, v1: vec4<f32>, v2: vec4<f32>, v3: vec4<f32>) -> vec4<f32> {
  return select(select(v0, v1, i == 1u), select(v2, v3, i == 3u), i >= 2u);
}

// The direct schedule for small products (n < 16, e.g. thousands of 8×8 matrices), where a
// 32-column block would mostly idle: invocations are numbered linearly over (z, 4-row block,
// 4-column block) and each computes one 4×4 block.
@compute @workgroup_size(THREADS)
fn gemm_direct_small(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let blocks_m = (p.m + 3u) / 4u;
  let blocks_n = (p.n + 3u) / 4u;
  let per_z = blocks_m * blocks_n;
  let linear = gid.x + gid.y * nwg.x * THREADS;
  if (linear >= per_z * p.batch) {
    return;
  }
  let z = linear / per_z;
  let row0 = ((linear % per_z) / blocks_n) * 4u;
  let col0 = ((linear % per_z) % blocks_n) * 4u;
  if (has(F_SYMMETRIC) && row0 > col0 + 3u) {
    return;
  }
  let cz = c_slice(z);
  if (has(F_GATE) && gate[z] != 0u) {
    if (has(F_RESIDUAL)) {
      carry_block(cz, row0, col0);
    }
    return;
  }
  let lm = p.m - 1u;
  let ln = p.n - 1u;
  let rows = vec4<u32>(row0, min(row0 + 1u, lm), min(row0 + 2u, lm), min(row0 + 3u, lm));
  let cols = vec4<u32>(col0, min(col0 + 1u, ln), min(col0 + 2u, ln), min(col0 + 3u, ln));
  let ia = a_slice(z) + rows * p.a_row;
  let ib = b_slice(z) + cols * p.b_col;
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var k = 0u; k < p.k; k++) {
    let ka = k * p.a_col;
    let kb = k * p.b_row;
    let av = vec4<f32>(a[ia.x + ka], a[ia.y + ka], a[ia.z + ka], a[ia.w + ka]);
    let bv = vec4<f32>(b[ib.x + kb], b[ib.y + kb], b[ib.z + kb], b[ib.w + kb]);
    acc0 = fma(vec4<f32>(av.x), bv, acc0);
    acc1 = fma(vec4<f32>(av.y), bv, acc1);
    acc2 = fma(vec4<f32>(av.z), bv, acc2);
    acc3 = fma(vec4<f32>(av.w), bv, acc3);
  }
  if (specialised()) {
    let cols = vec4<u32>(col0) + vec4<u32>(0u, 1u, 2u, 3u);
    store_clamped(cz, vec4<u32>(row0), cols, acc0);
    store_clamped(cz, vec4<u32>(row0 + 1u), cols, acc1);
    store_clamped(cz, vec4<u32>(row0 + 2u), cols, acc2);
    store_clamped(cz, vec4<u32>(row0 + 3u), cols, acc3);
    return;
  }
  store_row(cz, row0, col0, acc0);
  store_row(cz, row0 + 1u, col0, acc1);
  store_row(cz, row0 + 2u, col0, acc2);
  store_row(cz, row0 + 3u, col0, acc3);
}

//#include parts/gemm_large.wgsl

// Without subgroups every invocation of a quad loads the 4 rows of A itself (4 loads, the same
// addresses across the quad), in its lane's order.
fn quad_rows(rows: vec4<u32>, ka: u32) -> vec4<f32> {
  return vec4<f32>(a[rows.x + ka], a[rows.y + ka], a[rows.z + ka], a[rows.w + ka]);
}

@compute @workgroup_size(LARGE_THREADS)
fn gemm_direct_large(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let linear = gid.x + gid.y * nwg.x * LARGE_THREADS;
  gemm_large(linear, linear % 4u);
}
