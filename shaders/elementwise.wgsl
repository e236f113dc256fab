// Element-by-element layers and gates, one invocation per element:
//   clip            y = clamp(x, −limit, limit)
//   clip_backward   y = g where −limit ≤ x ≤ limit, else 0
//   relu_backward   y = g where a > 0 (a = ReLU output of the forward pass), else 0

struct Params {
  count: u32,
  limit: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;         // [count] forward input (relu: activation)
@group(0) @binding(2) var<storage, read> g: array<f32>;         // [count] gradient of the output
@group(0) @binding(3) var<storage, read_write> y: array<f32>;   // [count]

const WG: u32 = 64u;

fn index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn clip(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = index(gid, nwg);
  if (i < p.count) {
    y[i] = clamp(x[i], -p.limit, p.limit);
  }
}

@compute @workgroup_size(WG)
fn clip_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = index(gid, nwg);
  if (i < p.count) {
    y[i] = select(0.0, g[i], abs(x[i]) <= p.limit);
  }
}

@compute @workgroup_size(WG)
fn relu_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = index(gid, nwg);
  if (i < p.count) {
    y[i] = select(0.0, g[i], x[i] > 0.0);
  }
}
