// Newton–Schulz inversion. Two paths share the status layout and the stop rule below.
// GEMM path (any n; the products run in gemm.wgsl):
//   ns_scale     α = 1 / (‖A‖₁ ‖A‖∞) per matrix, and a fresh status
//   ns_init      X₀ = α Aᵀ                                                (elementwise)
//   ns_residual  ‖I − T‖_F for T = A X_k, and the per-matrix stop decision
// Both reductions give each matrix LANES invocations (a power of two ≤ WG sized to n), so a
// workgroup holds WG / LANES matrices and reduces in log2(LANES) barriers.
// Fused path (n ≤ MAX_N), in two schedules like gemm.wgsl:
//   ns_step, ns_invert                one whole step X → X' per matrix; up to `steps`
//                                     evaluate-and-update trips per matrix (scaling in the
//                                     first dispatch), so an inversion is one submit
//   ns_step_direct, ns_invert_direct  the same for CPU adapters ('direct' schedule)
// ns_step / ns_invert (GPUs): n invocations per matrix, several matrices per workgroup, X and T
// in workgroup memory; invocation i owns row i in vec4 blocks: T[i, :] = A[i, :] X, then
// X'[i, :] = X[i, :] Σ c_m T^m by Horner from the right (S and T commute): p row products.
// *_direct: one invocation per matrix, no workgroup memory or barriers (emulated on CPU
// adapters, where each barrier is a coroutine switch); the matrix lives in private 4×4 blocks.
// status is [STATUS_SECTIONS, batch] u32, section by section: state | iterations | residual |
// previous | alpha (the last three are f32 bits). gemm.wgsl reads section 0 as its gate.

struct Params {
  n: u32,
  batch: u32,
  lanes: u32,           // reductions: invocations per matrix
  per_group: u32,       // matrices per workgroup
  order: u32,           // fused: p, 2..5
  steps: u32,           // ns_invert: trips in this dispatch
  first: u32,           // ns_invert: 1 = scale and start from X₀ in this dispatch
  max_iterations: u32,
  symmetric: u32,       // fused: 1 = A and X symmetric, X' computed on and above the diagonal, mirrored
  tolerance: f32,       // 0: no tolerance, iterate to the float32 floor
  c0: f32, c1: f32, c2: f32, c3: f32, c4: f32,  // fused: c_m = (−1)^m C(p, m+1)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;            // [batch, n, n]
@group(0) @binding(2) var<storage, read_write> x: array<f32>;      // [batch, n, n], X₀ out / iterate in place
@group(0) @binding(3) var<storage, read_write> status: array<u32>; // [STATUS_SECTIONS, batch]
@group(0) @binding(4) var<storage, read> t: array<f32>;            // [batch, n, n], T = A X_k
@group(0) @binding(5) var<storage, read_write> x_next: array<f32>; // [batch, n, n], ns_step out
@group(0) @binding(6) var<storage, read> x_in: array<f32>;         // [batch, n, n], ns_step in
// A, the step's input and output as vec4s, for ns_step_rows4 (n = 4 or 8: a row is whole vec4s).
// A writable buffer may not be bound twice, so that kernel binds only these.
@group(0) @binding(7) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read> x_in4: array<vec4<f32>>;
@group(0) @binding(9) var<storage, read_write> x_next4: array<vec4<f32>>;  // ns_step_rows4 out

const WG: u32 = 64u;
const STATUS_SECTIONS: u32 = 5u;
const S_STATE: u32 = 0u;
const S_ITERATIONS: u32 = 1u;
const S_RESIDUAL: u32 = 2u;
const S_PREVIOUS: u32 = 3u;
const S_ALPHA: u32 = 4u;
// GEMM path: invert encodes this many steps per submit, then reads the status once.
const STEPS_PER_SUBMIT: u32 = 8u;
// Fused path: evaluate-and-update trips per dispatch, as many as TRIP_BUDGET multiply-adds
// allow (batch × order × n³ per trip; 2²⁸ is well under a millisecond of a GPU's arithmetic),
// at least MIN_TRIPS, at most the whole inversion; dispatches per submit (16 × 8 trips cover
// the default 64 steps). Every dispatch costs its fixed overhead even when it has nothing left
// to do, so small batches take the whole inversion in one.
const MIN_TRIPS: u32 = 8u;
const TRIP_BUDGET: u32 = 268435456u;
const DISPATCHES_PER_SUBMIT: u32 = 16u;
const ACTIVE: u32 = 0u;
const TOLERANCE_MET: u32 = 1u;
const FLOOR: u32 = 2u;
const FAILED: u32 = 3u;
const LIMIT: u32 = 4u;       // evaluated after the last allowed step, still above tolerance
const MAX_N: u32 = 32u;      // fused path: largest n
const CAPACITY: u32 = 484u;  // fused path: vec4s of X (and of T) per workgroup, within 16 KiB
// Below this residual the iteration is in its quadratic phase; a step that then fails to at
// least halve the residual has hit rounding (the float32 floor).
const QUADRATIC: f32 = 0.1;
const HUGE: f32 = 3.0e38;

var<workgroup> part_a: array<f32, WG>;
var<workgroup> part_b: array<f32, WG>;
var<workgroup> xs: array<vec4<f32>, CAPACITY>;  // [per_group, n, ⌈n/4⌉]: rows of X, zero-padded
var<workgroup> ts: array<vec4<f32>, CAPACITY>;  // [per_group, n, ⌈n/4⌉]: rows of T = A X
var<workgroup> running: array<u32, WG>;    // [per_group], 1 while the matrix iterates
var<workgroup> busy: u32;                  // any matrix of this workgroup still iterating

var<private> cur: array<vec4<f32>, MAX_N / 4>;  // the row being computed
var<private> nxt: array<vec4<f32>, MAX_N / 4>;

fn group_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// 0 when A cannot start the iteration: a zero matrix, or norms that overflow or are NaN.
fn scaling(col_max: f32, row_max: f32) -> f32 {
  let product = col_max * row_max;
  return select(0.0, 1.0 / product, product > 0.0 && product <= HUGE);
}

fn write_start(z: u32, alpha: f32) {
  let b = p.batch;
  let ok = alpha > 0.0;
  status[S_STATE * b + z] = select(FAILED, ACTIVE, ok);
  status[S_ITERATIONS * b + z] = 0u;
  status[S_RESIDUAL * b + z] = bitcast<u32>(select(sqrt(f32(p.n)), HUGE, ok));
  status[S_PREVIOUS * b + z] = bitcast<u32>(HUGE);
  status[S_ALPHA * b + z] = bitcast<u32>(alpha);
}

// α of matrix z by one invocation (the fused kernels).
fn alpha_of(z: u32) -> f32 {
  let n = p.n;
  var col_max = 0.0;
  var row_max = 0.0;
  for (var r = 0u; r < n; r++) {
    var col = 0.0;
    var row = 0.0;
    for (var c = 0u; c < n; c++) {
      col += abs(a[z * n * n + c * n + r]);
      row += abs(a[z * n * n + r * n + c]);
    }
    col_max = max(col_max, col);
    row_max = max(row_max, row);
  }
  return scaling(col_max, row_max);
}

// The stop rule, after evaluating ‖I − A X_k‖_F = res with k = iterations steps taken.
fn next_state(res: f32, previous: f32, iterations: u32) -> u32 {
  if (res != res || res > HUGE) {
    return FAILED;
  }
  if (res == 0.0 || (p.tolerance > 0.0 && res <= p.tolerance)) {
    return TOLERANCE_MET;
  }
  if (previous < QUADRATIC && res > 0.5 * previous) {
    return FLOOR;
  }
  if (iterations >= p.max_iterations) {
    return LIMIT;
  }
  return ACTIVE;
}

@compute @workgroup_size(WG)
fn ns_scale(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let lanes = p.lanes;
  let lane = lid % lanes;
  let z = group_index(wid, nwg) * p.per_group + lid / lanes;
  let n = p.n;
  var col_max = 0.0;   // ‖A‖₁: largest column sum of |a|
  var row_max = 0.0;   // ‖A‖∞: largest row sum of |a|
  if (z < p.batch) {
    let base = z * n * n;
    for (var j = lane; j < n; j += lanes) {
      var s = 0.0;
      for (var i = 0u; i < n; i++) {
        s += abs(a[base + i * n + j]);
      }
      col_max = max(col_max, s);
    }
    for (var i = lane; i < n; i += lanes) {
      var s = 0.0;
      for (var j = 0u; j < n; j++) {
        s += abs(a[base + i * n + j]);
      }
      row_max = max(row_max, s);
    }
  }
  part_a[lid] = col_max;
  part_b[lid] = row_max;
  for (var stride = lanes / 2u; stride > 0u; stride /= 2u) {
    workgroupBarrier();
    if (lane < stride) {
      part_a[lid] = max(part_a[lid], part_a[lid + stride]);
      part_b[lid] = max(part_b[lid], part_b[lid + stride]);
    }
  }
  if (lane == 0u && z < p.batch) {
    write_start(z, scaling(part_a[lid], part_b[lid]));
  }
}

@compute @workgroup_size(WG)
fn ns_init(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let e = group_index(wid, nwg) * WG + lid;
  let nn = p.n * p.n;
  if (e >= nn * p.batch) {
    return;
  }
  let z = e / nn;
  let i = (e % nn) / p.n;
  let j = e % p.n;
  let alpha = bitcast<f32>(status[S_ALPHA * p.batch + z]);
  x[e] = alpha * a[z * nn + j * p.n + i];
}

@compute @workgroup_size(WG)
fn ns_residual(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let lanes = p.lanes;
  let lane = lid % lanes;
  let z = group_index(wid, nwg) * p.per_group + lid / lanes;
  let n = p.n;
  let nn = n * n;
  let iterating = z < p.batch && status[S_STATE * p.batch + z] == ACTIVE;
  var s = 0.0;
  if (iterating) {
    let base = z * nn;
    for (var e = lane; e < nn; e += lanes) {
      let d = select(0.0, 1.0, e / n == e % n) - t[base + e];
      s += d * d;
    }
  }
  part_a[lid] = s;
  for (var stride = lanes / 2u; stride > 0u; stride /= 2u) {
    workgroupBarrier();
    if (lane < stride) {
      part_a[lid] += part_a[lid + stride];
    }
  }
  if (lane == 0u && iterating) {
    let b = p.batch;
    let res = sqrt(part_a[lid]);
    let iterations = status[S_ITERATIONS * b + z];
    let state = next_state(res, bitcast<f32>(status[S_PREVIOUS * b + z]), iterations);
    status[S_STATE * b + z] = state;
    status[S_RESIDUAL * b + z] = bitcast<u32>(res);
    status[S_PREVIOUS * b + z] = bitcast<u32>(res);
    if (state == ACTIVE) {
      status[S_ITERATIONS * b + z] = iterations + 1u;
    }
  }
}

fn symmetric() -> bool {
  return p.symmetric == 1u;
}

fn coefficient(m: u32) -> f32 {
  switch (m) {
    case 0u: { return p.c0; }
    case 1u: { return p.c1; }
    case 2u: { return p.c2; }
    case 3u: { return p.c3; }
    default: { return p.c4; }
  }
}

// Row i of the identity, as vec4 block q.
fn unit(i: u32, q: u32) -> vec4<f32> {
  return select(vec4<f32>(0.0), vec4<f32>(1.0), vec4<u32>(4u * q) + vec4<u32>(0u, 1u, 2u, 3u) == vec4<u32>(i));
}

// T[i, :] = A[z][i, :] X into ts (X read from xs); returns ‖e_i − T[i, :]‖².
fn t_row(z: u32, slot: u32, i: u32) -> f32 {
  let n = p.n;
  let q4 = (n + 3u) / 4u;
  let wb = slot * n * q4;
  let ab = z * n * n + i * n;
  for (var q = 0u; q < q4; q++) {
    cur[q] = vec4<f32>(0.0);
  }
  for (var k = 0u; k < n; k++) {
    let aik = vec4<f32>(a[ab + k]);
    for (var q = 0u; q < q4; q++) {
      cur[q] = fma(aik, xs[wb + k * q4 + q], cur[q]);
    }
  }
  var sq = 0.0;
  for (var q = 0u; q < q4; q++) {
    ts[wb + i * q4 + q] = cur[q];
    let d = unit(i, q) - cur[q];
    sq += dot(d, d);
  }
  return sq;
}

// cur = X[i, :] Σ_m c_m T^m by Horner from the right (S and T commute): r ← r T + c_m X[i, :].
fn update_row(slot: u32, i: u32) {
  let n = p.n;
  let q4 = (n + 3u) / 4u;
  let wb = slot * n * q4;
  let own = wb + i * q4;
  for (var q = 0u; q < q4; q++) {
    cur[q] = coefficient(p.order - 1u) * xs[own + q];
  }
  for (var m = p.order - 1u; m > 0u; m--) {
    let c = coefficient(m - 1u);
    for (var q = 0u; q < q4; q++) {
      nxt[q] = c * xs[own + q];
    }
    for (var k = 0u; k < n; k++) {
      let r = vec4<f32>(cur[k / 4u][k % 4u]);
      for (var q = 0u; q < q4; q++) {
        nxt[q] = fma(r, ts[wb + k * q4 + q], nxt[q]);
      }
    }
    for (var q = 0u; q < q4; q++) {
      cur[q] = nxt[q];
    }
  }
}

@compute @workgroup_size(WG)
fn ns_step(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let n = p.n;
  let slot = lid / n;
  let i = lid % n;
  let z = group_index(wid, nwg) * p.per_group + slot;
  let live = slot < p.per_group && z < p.batch;
  if (live) {
    let wb = slot * n * ((n + 3u) / 4u);
    for (var q = 0u; q < (n + 3u) / 4u; q++) {
      var v = vec4<f32>(0.0);
      for (var c = 0u; c < 4u && 4u * q + c < n; c++) {
        v[c] = x_in[z * n * n + i * n + 4u * q + c];
      }
      xs[wb + i * ((n + 3u) / 4u) + q] = v;
    }
  }
  workgroupBarrier();
  if (live) {
    t_row(z, slot, i);
  }
  workgroupBarrier();
  if (live) {
    update_row(slot, i);
    for (var j = select(0u, i, symmetric()); j < n; j++) {
      let v = cur[j / 4u][j % 4u];
      x_next[z * n * n + i * n + j] = v;
      if (symmetric()) {
        x_next[z * n * n + j * n + i] = v;
      }
    }
  }
}

// Slots past the batch stay 0 (workgroup memory starts zeroed).
fn any_running() -> u32 {
  var found = 0u;
  for (var s = 0u; s < p.per_group; s++) {
    found |= running[s];
  }
  return found;
}

// Each trip evaluates ‖I − A X‖_F, decides, and (while active) takes one step; invocation i
// owns row i. Finished matrices idle through the barriers; a workgroup whose matrices are all
// finished leaves the loop.
@compute @workgroup_size(WG)
fn ns_invert(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let n = p.n;
  let nn = n * n;
  let q4 = (n + 3u) / 4u;
  let b = p.batch;
  let slot = lid / n;
  let i = lid % n;
  let z = group_index(wid, nwg) * p.per_group + slot;
  let live = slot < p.per_group && z < b;
  let own = slot * n * q4 + i * q4;
  var state = FAILED;
  var iterations = 0u;
  var residual = 0.0;
  var previous = HUGE;
  var loaded = false;
  if (live) {
    if (p.first == 1u) {
      // Every invocation of the matrix computes α itself: same loops, same value, no barrier.
      let alpha = alpha_of(z);
      if (i == 0u) {
        write_start(z, alpha);
      }
      state = select(FAILED, ACTIVE, alpha > 0.0);
      residual = select(sqrt(f32(n)), HUGE, state == ACTIVE);
      // X₀[i, :] = α A[:, i]ᵀ
      for (var q = 0u; q < q4; q++) {
        var v = vec4<f32>(0.0);
        for (var c = 0u; c < 4u && 4u * q + c < n; c++) {
          v[c] = alpha * a[z * nn + (4u * q + c) * n + i];
        }
        xs[own + q] = v;
      }
      loaded = true;
    } else {
      state = status[S_STATE * b + z];
      if (state == ACTIVE) {
        iterations = status[S_ITERATIONS * b + z];
        previous = bitcast<f32>(status[S_PREVIOUS * b + z]);
        for (var q = 0u; q < q4; q++) {
          var v = vec4<f32>(0.0);
          for (var c = 0u; c < 4u && 4u * q + c < n; c++) {
            v[c] = x[z * nn + i * n + 4u * q + c];
          }
          xs[own + q] = v;
        }
        loaded = true;
      }
    }
    if (i == 0u) {
      running[slot] = select(0u, 1u, state == ACTIVE);
    }
  }
  workgroupBarrier();
  if (lid == 0u) {
    busy = any_running();
  }
  for (var trip = 0u; trip < p.steps; trip++) {
    let iterating = live && state == ACTIVE;
    if (iterating) {
      part_a[lid] = t_row(z, slot, i);
    }
    if (workgroupUniformLoad(&busy) == 0u) {
      break;
    }
    var updated = false;
    if (iterating) {
      var sq = 0.0;
      for (var l = 0u; l < n; l++) {
        sq += part_a[slot * n + l];
      }
      residual = sqrt(sq);
      state = next_state(residual, previous, iterations);
      previous = residual;
      if (state == ACTIVE) {
        update_row(slot, i);
        iterations += 1u;
        updated = true;
        // Row i of X is read only by t_row (finished everywhere) and by this invocation.
        if (!symmetric()) {
          for (var q = 0u; q < q4; q++) {
            xs[own + q] = cur[q];
          }
        }
      }
      if (i == 0u) {
        running[slot] = select(0u, 1u, state == ACTIVE);
      }
    }
    if (symmetric()) {
      // The mirrored writes touch other rows: wait until every update_row has read its own.
      workgroupBarrier();
      if (updated) {
        for (var j = i; j < n; j++) {
          let v = cur[j / 4u][j % 4u];
          xs[own + j / 4u][j % 4u] = v;
          xs[slot * n * q4 + j * q4 + i / 4u][i % 4u] = v;
        }
      }
    }
    // X complete for the next T; T no longer read.
    workgroupBarrier();
    if (lid == 0u) {
      busy = any_running();
    }
  }
  if (loaded) {
    for (var j = 0u; j < n; j++) {
      x[z * nn + i * n + j] = xs[own + j / 4u][j % 4u];
    }
    if (i == 0u) {
      status[S_STATE * b + z] = state;
      status[S_ITERATIONS * b + z] = iterations;
      status[S_RESIDUAL * b + z] = bitcast<u32>(residual);
      status[S_PREVIOUS * b + z] = bitcast<u32>(previous);
    }
  }
}

// ---- direct schedule: one invocation per matrix --------------------------------------------
// Blocks are stored transposed: a WGSL matrix is column-major, so block row r goes in column r
// and the stored block of M_IJ is M̃_IJ = M_IJᵀ. Then C = A B is C̃_IJ = Σ_K B̃_KJ Ã_IK.

const NO_ELEMENT: u32 = 0xffffffffu;

var<private> ab: array<mat4x4<f32>, 64>;  // [nb, nb] Ã, nb = ⌈n/4⌉
var<private> xb: array<mat4x4<f32>, 64>;  // [nb, nb] X̃
var<private> tb: array<mat4x4<f32>, 64>;  // [nb, nb] T̃, T = A X
var<private> rb: array<mat4x4<f32>, 8>;   // [nb] one block row being computed
var<private> sb: array<mat4x4<f32>, 8>;   // [nb]

fn blocks() -> u32 {
  return (p.n + 3u) / 4u;
}

// Offset in a row-major n×n matrix of element e of the block array (16 per block, block
// row-major, each block by rows), or NO_ELEMENT in the padding.
fn element(e: u32) -> u32 {
  let nb = blocks();
  let row = 4u * (e / 16u / nb) + e / 4u % 4u;
  let col = 4u * (e / 16u % nb) + e % 4u;
  return select(NO_ELEMENT, row * p.n + col, row < p.n && col < p.n);
}

// Row r of block (bi, bj): offsets clamped in bounds (`valid` zeroes the padding).
fn row_offsets(bi: u32, bj: u32, r: u32) -> vec4<u32> {
  let row = 4u * bi + r;
  let cols = vec4<u32>(4u * bj) + vec4<u32>(0u, 1u, 2u, 3u);
  let inside = (vec4<u32>(row) < vec4<u32>(p.n)) & (cols < vec4<u32>(p.n));
  return select(vec4<u32>(0u), vec4<u32>(row * p.n) + cols, inside);
}

fn row_valid(bi: u32, bj: u32, r: u32) -> vec4<f32> {
  let cols = vec4<u32>(4u * bj) + vec4<u32>(0u, 1u, 2u, 3u);
  return select(vec4<f32>(0.0), vec4<f32>(1.0), (vec4<u32>(4u * bi + r) < vec4<u32>(p.n)) & (cols < vec4<u32>(p.n)));
}

// Stored (transposed) block (bi, bj) of A, X or the step's input X.
fn a_block(base: u32, bi: u32, bj: u32) -> mat4x4<f32> {
  var m: mat4x4<f32>;
  for (var r = 0u; r < 4u; r++) {
    let o = base + row_offsets(bi, bj, r);
    m[r] = row_valid(bi, bj, r) * vec4<f32>(a[o.x], a[o.y], a[o.z], a[o.w]);
  }
  return m;
}

fn x_block(base: u32, bi: u32, bj: u32) -> mat4x4<f32> {
  var m: mat4x4<f32>;
  for (var r = 0u; r < 4u; r++) {
    let o = base + row_offsets(bi, bj, r);
    m[r] = row_valid(bi, bj, r) * vec4<f32>(x[o.x], x[o.y], x[o.z], x[o.w]);
  }
  return m;
}

fn x_in_block(base: u32, bi: u32, bj: u32) -> mat4x4<f32> {
  var m: mat4x4<f32>;
  for (var r = 0u; r < 4u; r++) {
    let o = base + row_offsets(bi, bj, r);
    m[r] = row_valid(bi, bj, r) * vec4<f32>(x_in[o.x], x_in[o.y], x_in[o.z], x_in[o.w]);
  }
  return m;
}

fn load_a(base: u32) {
  for (var e = 0u; e < blocks() * blocks(); e++) {
    ab[e] = a_block(base, e / blocks(), e % blocks());
  }
}

fn load_x(base: u32) {
  for (var e = 0u; e < blocks() * blocks(); e++) {
    xb[e] = x_block(base, e / blocks(), e % blocks());
  }
}

fn load_x_in(base: u32) {
  for (var e = 0u; e < blocks() * blocks(); e++) {
    xb[e] = x_in_block(base, e / blocks(), e % blocks());
  }
}

fn store_x(base: u32) {
  for (var e = 0u; e < blocks() * blocks() * 16u; e++) {
    let k = element(e);
    if (k != NO_ELEMENT) {
      x[base + k] = xb[e / 16u][e / 4u % 4u][e % 4u];
    }
  }
}

fn store_x_next(base: u32) {
  for (var e = 0u; e < blocks() * blocks() * 16u; e++) {
    let k = element(e);
    if (k != NO_ELEMENT) {
      x_next[base + k] = xb[e / 16u][e / 4u % 4u][e % 4u];
    }
  }
}

// The identity's block (bi, bi), zero on padding rows.
fn eye_block(bi: u32) -> mat4x4<f32> {
  let d = select(vec4<f32>(0.0), vec4<f32>(1.0), vec4<u32>(4u * bi) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(p.n));
  return mat4x4<f32>(vec4<f32>(d.x, 0.0, 0.0, 0.0), vec4<f32>(0.0, d.y, 0.0, 0.0),
                     vec4<f32>(0.0, 0.0, d.z, 0.0), vec4<f32>(0.0, 0.0, 0.0, d.w));
}

// tb = A X; returns ‖I − T‖²_F.
fn direct_t() -> f32 {
  let nb = blocks();
  var sq = 0.0;
  for (var bi = 0u; bi < nb; bi++) {
    for (var bj = 0u; bj < nb; bj++) {
      var acc = mat4x4<f32>();
      for (var bk = 0u; bk < nb; bk++) {
        acc += xb[bk * nb + bj] * ab[bi * nb + bk];
      }
      tb[bi * nb + bj] = acc;
      var d = acc;
      if (bi == bj) {
        d -= eye_block(bi);
      }
      sq += dot(d[0], d[0]) + dot(d[1], d[1]) + dot(d[2], d[2]) + dot(d[3], d[3]);
    }
  }
  return sq;
}

// X ← X Σ c_m T^m, block row by block row (row I needs only its own old row, and T): Horner
// from the right, R ← R T + c_m X[I, :]. Symmetric: rows bottom-up, the last product only for
// blocks J ≥ I, mirrored into rows already done; diagonal blocks symmetrised.
fn direct_update() {
  let nb = blocks();
  let top = p.order - 1u;
  for (var step = 0u; step < nb; step++) {
    let bi = select(step, nb - 1u - step, symmetric());
    let first = select(0u, bi, symmetric());
    for (var bj = 0u; bj < nb; bj++) {
      rb[bj] = coefficient(top) * xb[bi * nb + bj];
    }
    for (var m = top; m > 0u; m--) {
      let c = coefficient(m - 1u);
      let start = select(0u, first, m == 1u);
      for (var bj = start; bj < nb; bj++) {
        var acc = c * xb[bi * nb + bj];
        for (var bk = 0u; bk < nb; bk++) {
          acc += tb[bk * nb + bj] * rb[bk];
        }
        sb[bj] = acc;
      }
      for (var bj = start; bj < nb; bj++) {
        rb[bj] = sb[bj];
      }
    }
    for (var bj = first; bj < nb; bj++) {
      var v = rb[bj];
      if (symmetric()) {
        if (bj == bi) {
          v = 0.5 * (v + transpose(v));
        } else {
          xb[bj * nb + bi] = transpose(v);
        }
      }
      xb[bi * nb + bj] = v;
    }
  }
}

// n ≤ 8 (at most 2 × 2 blocks): the blocks as struct members, not array elements, so no
// access is indexed at run time. Symmetric: X' is averaged with its transpose (exactly symmetric).
struct Blocks2 {
  b00: mat4x4<f32>,
  b01: mat4x4<f32>,
  b10: mat4x4<f32>,
  b11: mat4x4<f32>,
}

// L R, stored blocks.
fn mul2(l: Blocks2, r: Blocks2) -> Blocks2 {
  return Blocks2(r.b00 * l.b00 + r.b10 * l.b01, r.b01 * l.b00 + r.b11 * l.b01,
                 r.b00 * l.b10 + r.b10 * l.b11, r.b01 * l.b10 + r.b11 * l.b11);
}

// c U + V (parameter names must not shadow the bindings: reflection would count them as used)
fn axpy2(c: f32, u: Blocks2, v: Blocks2) -> Blocks2 {
  return Blocks2(c * u.b00 + v.b00, c * u.b01 + v.b01, c * u.b10 + v.b10, c * u.b11 + v.b11);
}

fn frobenius2(m: mat4x4<f32>) -> f32 {
  return dot(m[0], m[0]) + dot(m[1], m[1]) + dot(m[2], m[2]) + dot(m[3], m[3]);
}

// ‖I − T‖²_F
fn residual2(t2: Blocks2) -> f32 {
  return frobenius2(t2.b00 - eye_block(0u)) + frobenius2(t2.b01) + frobenius2(t2.b10)
    + frobenius2(t2.b11 - eye_block(1u));
}

// X Σ c_m T^m by Horner from the right.
fn update2(x2: Blocks2, t2: Blocks2) -> Blocks2 {
  let zero = mat4x4<f32>();
  var r = axpy2(coefficient(p.order - 1u), x2, Blocks2(zero, zero, zero, zero));
  for (var m = p.order - 1u; m > 0u; m--) {
    r = axpy2(coefficient(m - 1u), x2, mul2(r, t2));
  }
  if (symmetric()) {
    r = Blocks2(0.5 * (r.b00 + transpose(r.b00)), 0.5 * (r.b01 + transpose(r.b10)),
                0.5 * (r.b10 + transpose(r.b01)), 0.5 * (r.b11 + transpose(r.b11)));
  }
  return r;
}

@compute @workgroup_size(WG)
fn ns_step_direct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let z = gid.x + gid.y * nwg.x * WG;
  if (z >= p.batch) {
    return;
  }
  let base = z * p.n * p.n;
  if (blocks() <= 2u) {
    let a2 = Blocks2(a_block(base, 0u, 0u), a_block(base, 0u, 1u), a_block(base, 1u, 0u), a_block(base, 1u, 1u));
    let x2 = Blocks2(x_in_block(base, 0u, 0u), x_in_block(base, 0u, 1u),
                     x_in_block(base, 1u, 0u), x_in_block(base, 1u, 1u));
    let r = update2(x2, mul2(a2, x2));
    xb[0] = r.b00;
    xb[1] = r.b01;
    xb[2] = r.b10;
    xb[3] = r.b11;
  } else {
    load_a(base);
    load_x_in(base);
    direct_t();
    direct_update();
  }
  store_x_next(base);
}

@compute @workgroup_size(WG)
fn ns_invert_direct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let z = gid.x + gid.y * nwg.x * WG;
  let b = p.batch;
  if (z >= b) {
    return;
  }
  let nb = blocks();
  let base = z * p.n * p.n;
  var state = ACTIVE;
  var iterations = 0u;
  var residual = 0.0;
  var previous = HUGE;
  if (p.first == 1u) {
    let alpha = alpha_of(z);
    write_start(z, alpha);
    state = select(FAILED, ACTIVE, alpha > 0.0);
    residual = select(sqrt(f32(p.n)), HUGE, state == ACTIVE);
    load_a(base);
    // X₀ = α Aᵀ: X̃₀_IJ = α A_JI = α Ã_JIᵀ
    for (var e = 0u; e < nb * nb; e++) {
      xb[e] = alpha * transpose(ab[(e % nb) * nb + e / nb]);
    }
  } else {
    state = status[S_STATE * b + z];
    if (state != ACTIVE) {
      return;
    }
    iterations = status[S_ITERATIONS * b + z];
    previous = bitcast<f32>(status[S_PREVIOUS * b + z]);
    load_a(base);
    load_x(base);
  }
  // Past 2 × 2 blocks xb and tb (arrays) hold the iterate; up to it a2, x2, t2 (values).
  let small = nb <= 2u;
  let a2 = Blocks2(ab[0], ab[1], ab[2], ab[3]);
  var x2 = Blocks2(xb[0], xb[1], xb[2], xb[3]);
  for (var trip = 0u; trip < p.steps && state == ACTIVE; trip++) {
    var t2: Blocks2;
    if (small) {
      t2 = mul2(a2, x2);
      residual = sqrt(residual2(t2));
    } else {
      residual = sqrt(direct_t());
    }
    state = next_state(residual, previous, iterations);
    previous = residual;
    if (state == ACTIVE) {
      if (small) {
        x2 = update2(x2, t2);
      } else {
        direct_update();
      }
      iterations += 1u;
    }
  }
  if (small) {
    xb[0] = x2.b00;
    xb[1] = x2.b01;
    xb[2] = x2.b10;
    xb[3] = x2.b11;
  }
  store_x(base);
  status[S_STATE * b + z] = state;
  status[S_ITERATIONS * b + z] = iterations;
  status[S_RESIDUAL * b + z] = bitcast<u32>(residual);
  status[S_PREVIOUS * b + z] = bitcast<u32>(previous);
}

// ---- direct schedule, n ≤ 8: A, X and T as Blocks2 values ----------------------------------
// Own entry points, so their pipelines hold none of the private block arrays above: every
// invocation zeroes its private memory on entry, which on a CPU adapter costs more than a trip.

fn a4_block(q: u32, bi: u32, bj: u32) -> mat4x4<f32> {
  let nq = p.n / 4u;
  let o = q + 4u * bi * nq + bj;
  return mat4x4<f32>(a4[o], a4[o + nq], a4[o + 2u * nq], a4[o + 3u * nq]);
}

fn x_in4_block(q: u32, bi: u32, bj: u32) -> mat4x4<f32> {
  let nq = p.n / 4u;
  let o = q + 4u * bi * nq + bj;
  return mat4x4<f32>(x_in4[o], x_in4[o + nq], x_in4[o + 2u * nq], x_in4[o + 3u * nq]);
}

fn load2_a(base: u32) -> Blocks2 {
  return Blocks2(a_block(base, 0u, 0u), a_block(base, 0u, 1u), a_block(base, 1u, 0u), a_block(base, 1u, 1u));
}

fn load2_x(base: u32) -> Blocks2 {
  return Blocks2(x_block(base, 0u, 0u), x_block(base, 0u, 1u), x_block(base, 1u, 0u), x_block(base, 1u, 1u));
}

fn load2_x_in(base: u32) -> Blocks2 {
  return Blocks2(x_in_block(base, 0u, 0u), x_in_block(base, 0u, 1u),
                 x_in_block(base, 1u, 0u), x_in_block(base, 1u, 1u));
}

// Columns of row `row` from 4 bj on that exist (0..4), or 0 past the matrix.
fn row_width(row: u32, bj: u32) -> u32 {
  return select(0u, min(4u, p.n - min(p.n, 4u * bj)), row < p.n);
}

// Row r of stored block (bi, bj), v, into x or x_next.
fn put_x(base: u32, bi: u32, bj: u32, r: u32, v: vec4<f32>) {
  let w = row_width(4u * bi + r, bj);
  let o = base + (4u * bi + r) * p.n + 4u * bj;
  if (w > 0u) { x[o] = v.x; }
  if (w > 1u) { x[o + 1u] = v.y; }
  if (w > 2u) { x[o + 2u] = v.z; }
  if (w > 3u) { x[o + 3u] = v.w; }
}

fn put_x_next(base: u32, bi: u32, bj: u32, r: u32, v: vec4<f32>) {
  let w = row_width(4u * bi + r, bj);
  let o = base + (4u * bi + r) * p.n + 4u * bj;
  if (w > 0u) { x_next[o] = v.x; }
  if (w > 1u) { x_next[o + 1u] = v.y; }
  if (w > 2u) { x_next[o + 2u] = v.z; }
  if (w > 3u) { x_next[o + 3u] = v.w; }
}

fn store2_block_x(base: u32, bi: u32, bj: u32, m: mat4x4<f32>) {
  put_x(base, bi, bj, 0u, m[0]);
  put_x(base, bi, bj, 1u, m[1]);
  put_x(base, bi, bj, 2u, m[2]);
  put_x(base, bi, bj, 3u, m[3]);
}

fn store2_block_x_next(base: u32, bi: u32, bj: u32, m: mat4x4<f32>) {
  put_x_next(base, bi, bj, 0u, m[0]);
  put_x_next(base, bi, bj, 1u, m[1]);
  put_x_next(base, bi, bj, 2u, m[2]);
  put_x_next(base, bi, bj, 3u, m[3]);
}

fn store2_x(base: u32, m: Blocks2) {
  store2_block_x(base, 0u, 0u, m.b00);
  store2_block_x(base, 0u, 1u, m.b01);
  store2_block_x(base, 1u, 0u, m.b10);
  store2_block_x(base, 1u, 1u, m.b11);
}

fn store2_x_next(base: u32, m: Blocks2) {
  store2_block_x_next(base, 0u, 0u, m.b00);
  store2_block_x_next(base, 0u, 1u, m.b01);
  store2_block_x_next(base, 1u, 0u, m.b10);
  store2_block_x_next(base, 1u, 1u, m.b11);
}

@compute @workgroup_size(WG)
fn ns_step_small(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let z = gid.x + gid.y * nwg.x * WG;
  if (z >= p.batch) {
    return;
  }
  let base = z * p.n * p.n;
  let x2 = load2_x_in(base);
  store2_x_next(base, update2(x2, mul2(load2_a(base), x2)));
}

@compute @workgroup_size(WG)
fn ns_invert_small(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let z = gid.x + gid.y * nwg.x * WG;
  let b = p.batch;
  if (z >= b) {
    return;
  }
  let base = z * p.n * p.n;
  var state = ACTIVE;
  var iterations = 0u;
  var residual = 0.0;
  var previous = HUGE;
  var a2: Blocks2;
  var x2: Blocks2;
  if (p.first == 1u) {
    let alpha = alpha_of(z);
    write_start(z, alpha);
    state = select(FAILED, ACTIVE, alpha > 0.0);
    residual = select(sqrt(f32(p.n)), HUGE, state == ACTIVE);
    a2 = load2_a(base);
    // X₀ = α Aᵀ: X̃₀_IJ = α Ã_JIᵀ
    x2 = Blocks2(alpha * transpose(a2.b00), alpha * transpose(a2.b10), alpha * transpose(a2.b01),
                 alpha * transpose(a2.b11));
  } else {
    state = status[S_STATE * b + z];
    if (state != ACTIVE) {
      return;
    }
    iterations = status[S_ITERATIONS * b + z];
    previous = bitcast<f32>(status[S_PREVIOUS * b + z]);
    a2 = load2_a(base);
    x2 = load2_x(base);
  }
  for (var trip = 0u; trip < p.steps && state == ACTIVE; trip++) {
    let t2 = mul2(a2, x2);
    residual = sqrt(residual2(t2));
    state = next_state(residual, previous, iterations);
    previous = residual;
    if (state == ACTIVE) {
      x2 = update2(x2, t2);
      iterations += 1u;
    }
  }
  store2_x(base, x2);
  status[S_STATE * b + z] = state;
  status[S_ITERATIONS * b + z] = iterations;
  status[S_RESIDUAL * b + z] = bitcast<u32>(residual);
  status[S_PREVIOUS * b + z] = bitcast<u32>(previous);
}

// n = 4 or 8: the step with every load and store a whole vec4 row (the output too).
@compute @workgroup_size(WG)
fn ns_step_rows4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let z = gid.x + gid.y * nwg.x * WG;
  if (z >= p.batch) {
    return;
  }
  let q = z * p.n * p.n / 4u;
  let zero = mat4x4<f32>();
  var a2 = Blocks2(a4_block(q, 0u, 0u), zero, zero, zero);
  var x2 = Blocks2(x_in4_block(q, 0u, 0u), zero, zero, zero);
  if (p.n == 8u) {
    a2 = Blocks2(a2.b00, a4_block(q, 0u, 1u), a4_block(q, 1u, 0u), a4_block(q, 1u, 1u));
    x2 = Blocks2(x2.b00, x_in4_block(q, 0u, 1u), x_in4_block(q, 1u, 0u), x_in4_block(q, 1u, 1u));
  }
  let r = update2(x2, mul2(a2, x2));
  put4_x_next(q, 0u, 0u, r.b00);
  if (p.n == 8u) {
    put4_x_next(q, 0u, 1u, r.b01);
    put4_x_next(q, 1u, 0u, r.b10);
    put4_x_next(q, 1u, 1u, r.b11);
  }
}

fn put4_x_next(q: u32, bi: u32, bj: u32, m: mat4x4<f32>) {
  let nq = p.n / 4u;
  let o = q + 4u * bi * nq + bj;
  x_next4[o] = m[0];
  x_next4[o + nq] = m[1];
  x_next4[o + 2u * nq] = m[2];
  x_next4[o + 3u * nq] = m[3];
}
