// The adapter's own ceilings, measured in the same run as the kernels they judge:
//   fma_*     independent multiply-add chains in registers: arithmetic throughput, no memory
//             traffic. Several shapes (chains × vector width × multiply-adds per loop trip,
//             written as `fma` or as `c * m + a`); the benchmark takes the fastest, so a
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
const FLOPS_PER_TRIP_MAD_V4_C2_U8: u32 = 128u;  // as above, `c * m + a` instead of fma
const FLOPS_PER_TRIP_MAD_V4_C4_U8: u32 = 256u;

const MUL: f32 = 0.999999;
const ADD: f32 = 1e-6;
const M4 = vec4<f32>(MUL);
const A4 = vec4<f32>(ADD);

// One step of every chain (the columns), so the 8 nested steps of a trip interleave the
// chains: each step's operations are independent of one another.
fn fma2(c: mat2x4<f32>) -> mat2x4<f32> {
  return mat2x4<f32>(fma(c[0], M4, A4), fma(c[1], M4, A4));
}

fn fma4(c: mat4x4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(fma(c[0], M4, A4), fma(c[1], M4, A4), fma(c[2], M4, A4), fma(c[3], M4, A4));
}

fn mad2(c: mat2x4<f32>) -> mat2x4<f32> {
  return mat2x4<f32>(c[0] * M4 + A4, c[1] * M4 + A4);
}

fn mad4(c: mat4x4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(c[0] * M4 + A4, c[1] * M4 + A4, c[2] * M4 + A4, c[3] * M4 + A4);
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
    c0 = fma(c0, M4, A4); c1 = fma(c1, M4, A4); c2 = fma(c2, M4, A4); c3 = fma(c3, M4, A4);
    c4 = fma(c4, M4, A4); c5 = fma(c5, M4, A4); c6 = fma(c6, M4, A4); c7 = fma(c7, M4, A4);
  }
  keep(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7);
}

@compute @workgroup_size(256)
fn fma_v4_c2_u8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = seed4(gid, nwg);
  var c = mat2x4<f32>(s, s + 0.01);
  for (var i = 0u; i < TRIPS; i++) {
    c = fma2(fma2(fma2(fma2(fma2(fma2(fma2(fma2(c))))))));
  }
  keep(c[0] + c[1]);
}

@compute @workgroup_size(256)
fn fma_v4_c4_u8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = seed4(gid, nwg);
  var c = mat4x4<f32>(s, s + 0.01, s + 0.02, s + 0.03);
  for (var i = 0u; i < TRIPS; i++) {
    c = fma4(fma4(fma4(fma4(fma4(fma4(fma4(fma4(c))))))));
  }
  keep(c[0] + c[1] + c[2] + c[3]);
}

@compute @workgroup_size(256)
fn fma_mad_v4_c2_u8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var c0 = seed4(gid, nwg);
  var c1 = c0 + 0.01;
  let m = vec4<f32>(MUL);
  let a = vec4<f32>(ADD);
  for (var i = 0u; i < TRIPS; i++) {
    c0 = c0 * m + a; c1 = c1 * m + a;
    c0 = c0 * m + a; c1 = c1 * m + a;
    c0 = c0 * m + a; c1 = c1 * m + a;
    c0 = c0 * m + a; c1 = c1 * m + a;
    c0 = c0 * m + a; c1 = c1 * m + a;
    c0 = c0 * m + a; c1 = c1 * m + a;
    c0 = c0 * m + a; c1 = c1 * m + a;
    c0 = c0 * m + a; c1 = c1 * m + a;
  }
  keep(c0 + c1);
}

@compute @workgroup_size(256)
fn fma_mad_v4_c4_u8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = seed4(gid, nwg);
  var c = mat4x4<f32>(s, s + 0.01, s + 0.02, s + 0.03);
  for (var i = 0u; i < TRIPS; i++) {
    c = mad4(mad4(mad4(mad4(mad4(mad4(mad4(mad4(c))))))));
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
