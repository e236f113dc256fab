// The adapter's own ceilings, measured in the same run as the kernels they judge:
//   fma_*     independent FMA chains in registers: arithmetic throughput, no memory traffic.
//             Several shapes (chains × vector width × FMAs per loop trip); the benchmark takes
//             the fastest, so a percentage of it is a percentage of the best this adapter showed.
//   copy      vec4 load + store over a large buffer: memory bandwidth
//   empty     one workgroup that does nothing: submit-to-completion latency
//
// Why several FMA shapes: a compiler that keeps loop-carried values in memory (SwiftShader's
// Subzero JIT) pays a load and a store per chain per trip, so one FMA per chain per trip measures
// that traffic, not the FMA units; eight dependent FMAs per trip amortise it. A GPU reaches its
// peak with any shape that has enough independent chains.

struct Params {
  iterations: u32,   // fma_*: loop trips per invocation
  count: u32,        // copy: vec4 elements
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;        // [count]
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;  // [count]

const WG: u32 = 256u;
// FLOPs per invocation per loop trip of each FMA kernel (multiply + add per lane of each fma).
const FLOPS_PER_TRIP_V4_C8_U1: u32 = 64u;    // 8 vec4 chains × 1 fma
const FLOPS_PER_TRIP_V4_C2_U8: u32 = 128u;   // 2 vec4 chains × 8 fmas
const FLOPS_PER_TRIP_V4_C4_U8: u32 = 256u;   // 4 vec4 chains × 8 fmas
const FLOPS_PER_TRIP_F32_C8_U8: u32 = 128u;  // 8 scalar chains × 8 fmas

const MUL: f32 = 0.999999;
const ADD: f32 = 1e-6;

// Eight dependent FMAs on one chain.
fn fma8_v4(x: vec4<f32>) -> vec4<f32> {
  let m = vec4<f32>(MUL);
  let a = vec4<f32>(ADD);
  return fma(fma(fma(fma(fma(fma(fma(fma(x, m, a), m, a), m, a), m, a), m, a), m, a), m, a), m, a);
}

fn fma8_f32(x: f32) -> f32 {
  return fma(fma(fma(fma(fma(fma(fma(fma(x, MUL, ADD), MUL, ADD), MUL, ADD), MUL, ADD), MUL, ADD), MUL, ADD), MUL, ADD), MUL, ADD);
}

fn seed4(gid: vec3<u32>, nwg: vec3<u32>) -> vec4<f32> {
  let s = f32(gid.x + gid.y * nwg.x * WG) * 1e-7;
  return vec4<f32>(s, s + 0.1, s + 0.2, s + 0.3);
}

// Never true for these inputs, but the compiler cannot know: keeps every chain alive.
fn keep(s: vec4<f32>) {
  if (s.x == 12345.0) {
    dst[0] = s;
  }
}

@compute @workgroup_size(256)
fn fma_v4_c8_u1(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var c0 = seed4(gid, nwg);
  var c1 = c0 + 0.01; var c2 = c0 + 0.02; var c3 = c0 + 0.03;
  var c4 = c0 + 0.04; var c5 = c0 + 0.05; var c6 = c0 + 0.06; var c7 = c0 + 0.07;
  let m = vec4<f32>(MUL);
  let a = vec4<f32>(ADD);
  for (var i = 0u; i < p.iterations; i++) {
    c0 = fma(c0, m, a); c1 = fma(c1, m, a); c2 = fma(c2, m, a); c3 = fma(c3, m, a);
    c4 = fma(c4, m, a); c5 = fma(c5, m, a); c6 = fma(c6, m, a); c7 = fma(c7, m, a);
  }
  keep(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7);
}

@compute @workgroup_size(256)
fn fma_v4_c2_u8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var c0 = seed4(gid, nwg);
  var c1 = c0 + 0.01;
  for (var i = 0u; i < p.iterations; i++) {
    c0 = fma8_v4(c0); c1 = fma8_v4(c1);
  }
  keep(c0 + c1);
}

@compute @workgroup_size(256)
fn fma_v4_c4_u8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var c0 = seed4(gid, nwg);
  var c1 = c0 + 0.01; var c2 = c0 + 0.02; var c3 = c0 + 0.03;
  for (var i = 0u; i < p.iterations; i++) {
    c0 = fma8_v4(c0); c1 = fma8_v4(c1); c2 = fma8_v4(c2); c3 = fma8_v4(c3);
  }
  keep(c0 + c1 + c2 + c3);
}

@compute @workgroup_size(256)
fn fma_f32_c8_u8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = seed4(gid, nwg);
  var c0 = s.x; var c1 = s.y; var c2 = s.z; var c3 = s.w;
  var c4 = s.x + 0.01; var c5 = s.y + 0.01; var c6 = s.z + 0.01; var c7 = s.w + 0.01;
  for (var i = 0u; i < p.iterations; i++) {
    c0 = fma8_f32(c0); c1 = fma8_f32(c1); c2 = fma8_f32(c2); c3 = fma8_f32(c3);
    c4 = fma8_f32(c4); c5 = fma8_f32(c5); c6 = fma8_f32(c6); c7 = fma8_f32(c7);
  }
  keep(vec4<f32>(c0 + c1, c2 + c3, c4 + c5, c6 + c7));
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
