// Newton–Schulz inversion, the parts that are not GEMMs (those run in gemm.wgsl):
//   ns_scale     α = 1 / (‖A‖₁ ‖A‖∞) per matrix, and a fresh status      (one workgroup per matrix)
//   ns_init      X₀ = α Aᵀ                                                (elementwise)
//   ns_residual  ‖I − T‖_F for T = A X_k, and the per-matrix stop decision (one workgroup per matrix)
// status is [STATUS_SECTIONS, batch] u32, section by section: state | iterations | residual |
// previous | alpha (the last three are f32 bits). state: ACTIVE, TOLERANCE_MET, FLOOR or FAILED.
// gemm.wgsl reads section 0 as its gate, so finished matrices stop costing arithmetic.

struct Params {
  n: u32,
  batch: u32,
  tolerance: f32,   // 0: no tolerance, iterate to the float32 floor
  last: u32,        // 1: evaluation after the final allowed step (record, do not count a step)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;            // [batch, n, n]
@group(0) @binding(2) var<storage, read_write> x: array<f32>;      // [batch, n, n], X₀ out
@group(0) @binding(3) var<storage, read_write> status: array<u32>; // [STATUS_SECTIONS, batch]
@group(0) @binding(4) var<storage, read> t: array<f32>;            // [batch, n, n], T = A X_k

const WG: u32 = 256u;
const STATUS_SECTIONS: u32 = 5u;
const S_STATE: u32 = 0u;
const S_ITERATIONS: u32 = 1u;
const S_RESIDUAL: u32 = 2u;
const S_PREVIOUS: u32 = 3u;
const S_ALPHA: u32 = 4u;
// invert encodes this many steps per submit, then reads the status once.
const STEPS_PER_SUBMIT: u32 = 8u;
const ACTIVE: u32 = 0u;
const TOLERANCE_MET: u32 = 1u;
const FLOOR: u32 = 2u;
const FAILED: u32 = 3u;
// Below this residual the iteration is in its quadratic phase; a step that then fails to at
// least halve the residual has hit rounding (the float32 floor).
const QUADRATIC: f32 = 0.1;

var<workgroup> part_a: array<f32, 256>;
var<workgroup> part_b: array<f32, 256>;
var<workgroup> gate: u32;

fn matrix_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}

@compute @workgroup_size(WG)
fn ns_scale(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let z = matrix_index(wid, nwg);
  if (z >= p.batch) {
    return;
  }
  let n = p.n;
  let base = z * n * n;
  var col_max = 0.0;   // ‖A‖₁: largest column sum of |a|
  var row_max = 0.0;   // ‖A‖∞: largest row sum of |a|
  for (var j = lid; j < n; j += WG) {
    var s = 0.0;
    for (var i = 0u; i < n; i++) {
      s += abs(a[base + i * n + j]);
    }
    col_max = max(col_max, s);
  }
  for (var i = lid; i < n; i += WG) {
    var s = 0.0;
    for (var j = 0u; j < n; j++) {
      s += abs(a[base + i * n + j]);
    }
    row_max = max(row_max, s);
  }
  part_a[lid] = col_max;
  part_b[lid] = row_max;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      part_a[lid] = max(part_a[lid], part_a[lid + stride]);
      part_b[lid] = max(part_b[lid], part_b[lid + stride]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let product = part_a[0] * part_b[0];
    var alpha = 1.0 / product;
    var state = ACTIVE;
    // A zero matrix, or one whose norms overflow or are NaN, cannot start the iteration.
    if (!(product > 0.0) || product > 3.0e38) {
      alpha = 0.0;
      state = FAILED;
    }
    let b = p.batch;
    status[S_STATE * b + z] = state;
    status[S_ITERATIONS * b + z] = 0u;
    status[S_RESIDUAL * b + z] = bitcast<u32>(select(sqrt(f32(n)), 3.0e38, state == ACTIVE));
    status[S_PREVIOUS * b + z] = bitcast<u32>(3.0e38);
    status[S_ALPHA * b + z] = bitcast<u32>(alpha);
  }
}

@compute @workgroup_size(WG)
fn ns_init(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let e = matrix_index(wid, nwg) * WG + lid;
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
  let z = matrix_index(wid, nwg);
  if (z >= p.batch) {
    return;
  }
  if (lid == 0u) {
    gate = status[S_STATE * p.batch + z];
  }
  if (workgroupUniformLoad(&gate) != ACTIVE) {
    return;
  }
  let n = p.n;
  let nn = n * n;
  let base = z * nn;
  var s = 0.0;
  for (var e = lid; e < nn; e += WG) {
    let d = select(0.0, 1.0, e / n == e % n) - t[base + e];
    s += d * d;
  }
  part_a[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      part_a[lid] += part_a[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let b = p.batch;
    let res = sqrt(part_a[0]);
    let previous = bitcast<f32>(status[S_PREVIOUS * b + z]);
    var state = ACTIVE;
    if (res != res || res > 3.0e38) {
      state = FAILED;
    } else if (res == 0.0 || (p.tolerance > 0.0 && res <= p.tolerance)) {
      state = TOLERANCE_MET;
    } else if (previous < QUADRATIC && res > 0.5 * previous) {
      state = FLOOR;
    }
    status[S_STATE * b + z] = state;
    status[S_RESIDUAL * b + z] = bitcast<u32>(res);
    status[S_PREVIOUS * b + z] = bitcast<u32>(res);
    if (state == ACTIVE && p.last == 0u) {
      status[S_ITERATIONS * b + z] += 1u;
    }
  }
}
