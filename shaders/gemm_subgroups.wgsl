// The direct schedule's large GEMM kernel (parts/gemm_large.wgsl) with A shared across each quad
// through subgroup operations: an invocation loads only its own row's 4 steps of k (4 loads, not
// 16) and quadBroadcast hands it the other 3 rows of its quad. Compiled only on devices created
// with the `subgroups` feature; everywhere else gemm.wgsl's gemm_direct_large runs, with the same
// bindings, the same products in the same order, and so the same bits.
//
// Assumes quads are 4 consecutive invocations of the workgroup (subgroup invocations 4q .. 4q + 3
// are local invocations 4q' .. 4q' + 3), as on every implementation we know of; the tests compare
// this kernel with gemm.wgsl's bit for bit.
enable subgroups;
// Every early return of gemm_large is taken by a whole quad, so each quadBroadcast runs with its
// whole quad; the uniformity analysis cannot see that.
diagnostic(off, subgroup_uniformity);

//#include parts/gemm_common.wgsl
//#include parts/gemm_large.wgsl

fn quad_rows(rows: vec4<u32>, own: u32, ka: u32) -> mat4x4<f32> {
  let v = k_run(own, ka);
  return transpose(mat4x4<f32>(quadBroadcast(v, 0u), quadBroadcast(v, 1u), quadBroadcast(v, 2u), quadBroadcast(v, 3u)));
}

@compute @workgroup_size(THREADS)
fn gemm_direct_large(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(subgroup_invocation_id) lane: u32,
) {
  let linear = gid.x + gid.y * nwg.x * THREADS;
  gemm_large(linear, lane % 4u);
}
