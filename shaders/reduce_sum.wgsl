// Deterministic sums for weight gradients (no atomics): each output element is one invocation
// that adds its terms in a fixed order,
//   out[out_off + i] = Σ_{j < outer} Σ_{t < inner} x[in_off + j·outer_stride + i·row_stride + t]
// (per-prompt partial products summed over the batch: inner = 1; bias gradients: inner = N).

struct Params {
  count: u32,
  outer: u32,
  inner: u32,
  outer_stride: u32,
  row_stride: u32,
  in_off: u32,
  out_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;          // [outer, count, inner] strided
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // [count] at out_off

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn reduce_sum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.count) {
    return;
  }
  var s = 0.0;
  for (var j = 0u; j < p.outer; j++) {
    let base = p.in_off + j * p.outer_stride + i * p.row_stride;
    for (var t = 0u; t < p.inner; t++) {
      s += x[base + t];
    }
  }
  out[p.out_off + i] = s;
}
