// The adapter's own ceilings, measured in the same run as the kernels they judge:
//   fma_*     independent multiply-add chains in registers: arithmetic throughput, no memory
//             traffic. Three shapes (chains × multiply-adds per loop trip), each compiled with
//             `fma` and with `c * m + a` (MAD); the benchmark takes the fastest, so a
//             percentage of it is a percentage of the best this adapter showed.
//   copy      vec4 load + store over a large buffer: memory bandwidth
//   empty     one workgroup that does nothing: submit-to-completion latency
//
// Why several shapes: a compiler that keeps loop-carried values in memory (SwiftShader's
// Subzero JIT) pays a load and a store per chain per trip, so one FMA per chain per trip measures
// that traffic, not the arithmetic units; eight dependent FMAs per trip amortise it. And `fma`
// and a multiply then an add need not cost the same (a kernel may use either: the GEMMs' 4 × 4
// matrix products are multiplies and adds). A GPU reaches its peak with any shape that has
// enough independent chains.

struct Params {
  count: u32,        // copy: vec4 elements
}

// fma_*: loop trips per invocation, a pipeline constant. (A trip count read from a uniform cost
// SwiftShader half its throughput here: the JIT then keeps the chains in memory across trips.)
override TRIPS: u32 = 1u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;        // [count]
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;  // [count]

const WG: u32 = 256u;
// FLOPs per invocation per loop trip of each FMA kernel (multiply + add per lane of each fma).
const FLOPS_PER_TRIP_V4_C8_U1: u32 = 64u;       // 8 vec4 chains × 1 fma
const FLOPS_PER_TRIP_V4_C2_U8: u32 = 128u;      // 2 vec4 chains × 8 fmas
const FLOPS_PER_TRIP_V4_C4_U8: u32 = 256u;      // 4 vec4 chains × 8 fmas

// Every step as `c * m + a` instead of `fma`: a second pipeline of each FMA kernel (the
// benchmark measures both).
override MAD: bool = false;

const MUL: f32 = 0.999999;
const ADD: f32 = 1e-6;
const M4 = vec4<f32>(MUL);
const A4 = vec4<f32>(ADD);

// One multiply-add step of one chain.
fn step(c: vec4<f32>) -> vec4<f32> {
  if (MAD) {
    return c * M4 + A4;
  }
  return fma(c, M4, A4);
}

// One step of every chain (the columns), so the 8 nested steps of a trip interleave the
// chains: each step's operations are independent of one another.
fn step2(c: mat2x4<f32>) -> mat2x4<f32> {
  return mat2x4<f32>(step(c[0]), step(c[1]));
}

fn step4(c: mat4x4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(step(c[0]), step(c[1]), step(c[2]), step(c[3]));
}

fn seed4(gid: vec3<u32>, nwg: vec3<u32>) -> vec4<f32> {
  let s = f32(gid.x + gid.y * nwg.x * WG) * 1e-7;
  return vec4<f32>(s, s + 0.1, s + 0.2, s + 0.3);
}

// Never true for these inputs, but the compiler cannot know: keeps every chain (and every
// component of it) alive.
fn keep(s: vec4<f32>) {
  if (s.x + s.y + s.z + s.w == 12345.0) {
    dst[0] = s;
  }
}

@compute @workgroup_size(256)
fn fma_v4_c8_u1(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var c0 = seed4(gid, nwg);
  var c1 = c0 + 0.01; var c2 = c0 + 0.02; var c3 = c0 + 0.03;
  var c4 = c0 + 0.04; var c5 = c0 + 0.05; var c6 = c0 + 0.06; var c7 = c0 + 0.07;
  for (var i = 0u; i < TRIPS; i++) {
    c0 = step(c0); c1 = step(c1); c2 = step(c2); c3 = step(c3);
    c4 = step(c4); c5 = step(c5); c6 = step(c6); c7 = step(c7);
  }
  keep(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7);
}

@compute @workgroup_size(256)
fn fma_v4_c2_u8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = seed4(gid, nwg);
  var c = mat2x4<f32>(s, s + 0.01);
  for (var i = 0u; i < TRIPS; i++) {
    c = step2(step2(step2(step2(step2(step2(step2(step2(c))))))));
  }
  keep(c[0] + c[1]);
}

@compute @workgroup_size(256)
fn fma_v4_c4_u8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = seed4(gid, nwg);
  var c = mat4x4<f32>(s, s + 0.01, s + 0.02, s + 0.03);
  for (var i = 0u; i < TRIPS; i++) {
    c = step4(step4(step4(step4(step4(step4(step4(step4(c))))))));
  }
  keep(c[0] + c[1] + c[2] + c[3]);
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
