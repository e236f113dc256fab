// The adapter's own ceilings, measured in the same run as the kernels they judge:
//   fma_peak  independent FMA chains in registers: arithmetic throughput, no memory traffic
//   copy      vec4 load + store over a large buffer: memory bandwidth
//   empty     one workgroup that does nothing: submit-to-completion latency

struct Params {
  iterations: u32,   // fma_peak: loop trips per invocation
  count: u32,        // copy: vec4 elements
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;        // [count]
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;  // [count]

const WG: u32 = 256u;
// FLOPs per invocation per loop trip: 8 chains × vec4 × (multiply + add).
const FLOPS_PER_TRIP: u32 = 64u;

@compute @workgroup_size(256)
fn fma_peak(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let seed = f32(gid.x + gid.y * nwg.x * WG) * 1e-7;
  var c0 = vec4<f32>(seed, seed + 0.1, seed + 0.2, seed + 0.3);
  var c1 = c0 + 0.01; var c2 = c0 + 0.02; var c3 = c0 + 0.03;
  var c4 = c0 + 0.04; var c5 = c0 + 0.05; var c6 = c0 + 0.06; var c7 = c0 + 0.07;
  let m = vec4<f32>(0.999999);
  let a = vec4<f32>(1e-6);
  for (var i = 0u; i < p.iterations; i++) {
    c0 = fma(c0, m, a); c1 = fma(c1, m, a); c2 = fma(c2, m, a); c3 = fma(c3, m, a);
    c4 = fma(c4, m, a); c5 = fma(c5, m, a); c6 = fma(c6, m, a); c7 = fma(c7, m, a);
  }
  let s = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7;
  // Never true for these inputs, but the compiler cannot know: keeps every chain alive.
  if (s.x == 12345.0) {
    dst[0] = s;
  }
}

@compute @workgroup_size(256)
fn copy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < p.count) {
    dst[i] = src[i];
  }
}

@compute @workgroup_size(1)
fn empty() {
}
