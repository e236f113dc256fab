// The direct schedule's large GEMM kernel (parts/gemm_large.wgsl) with A shared across each quad
// through subgroup operations: at each step of k an invocation loads only its own row of each group
// of 4 (1 load, not 4) and quad swaps hand it the other 3 rows. Compiled only on devices created
// with the `subgroups` feature; everywhere else gemm.wgsl's gemm_direct_large runs, with the same
// bindings, the same products in the same order, and so the same bits.
//
// Assumes quads are 4 consecutive invocations of the workgroup (subgroup invocations 4q .. 4q + 3
// are local invocations 4q' .. 4q' + 3), as on every implementation we know of; the tests compare
// this kernel with gemm.wgsl's bit for bit.
enable subgroups;
// Every early return of gemm_large is taken by a whole quad, so each quad swap runs with its
// whole quad; the uniformity analysis cannot see that.
diagnostic(off, subgroup_uniformity);

//#include parts/gemm_common.wgsl
//#include parts/gemm_large.wgsl

// The quad's 4 rows of A at one step of k in this lane's order (rows.x is the lane's own row;
// quad swaps hand it those of lanes lane ^ 1, lane ^ 2 and lane ^ 3).
fn quad_rows(rows: vec4<u32>, ka: u32) -> vec4<f32> {
  let v = a[rows.x + ka];
  return vec4<f32>(v, quadSwapX(v), quadSwapY(v), quadSwapDiagonal(v));
}

@compute @workgroup_size(LARGE_THREADS)
fn gemm_direct_large(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(subgroup_invocation_id) lane: u32,
) {
  let linear = gid.x + gid.y * nwg.x * LARGE_THREADS;
  gemm_large(linear, lane % 4u);
}
