// The direct schedule's kernel for large products (m and n ≥ 64, k a multiple of 8, enough
// blocks to keep every thread of a CPU adapter busy: src/gpu/gemm.ts decides). Pasted into
// gemm.wgsl and gemm_subgroups.wgsl, which each supply `quad_rows` (how a quad gets A's rows) and
// the entry point.
//
// A quad owns a 64 × 64 block of C for one z; invocation l of the quad (its lane) computes all 64
// rows of the 16 consecutive columns starting at l · 16. A trip of the k loop takes 8 steps of k:
// it first stages them (A's 64 rows and the lane's 16 columns of B at those 8 steps), then updates
// each accumulator, 4 columns of one row, with the 8 steps one after another.
//
// Written for a CPU JIT (SwiftShader), where it ran 1.2–1.3× the previous 32 × 64 kernel at
// n = 512 (docs/kernels.md, "GEMM schedules: what was measured"):
// * Accumulators and staged operands live in one per-invocation array, `w`, indexed only by
//   constants in the k loop (every helper below is called with constant arguments, so the indices
//   fold once inlined). The stores at the end index it at run time, which keeps all of it in
//   memory: values the JIT would otherwise keep as thousands of SSA values, live at once, and spill
//   around every instruction. Each update then loads its operands just before use and holds 4
//   accumulators and one operand in registers over 8 steps of k.
// * A storage load whose index is not a constant is a per-lane gather (tens of cycles per 4
//   lanes), so the block is as large as the staging allows: each lane loads 16 rows of A (with
//   subgroups; 64 without) and 16 columns of B per step of k, and feeds them to 1024 multiply-adds.

const LARGE_ROWS: u32 = 64u;     // rows of C per quad
const LARGE_COLS: u32 = 64u;     // columns of C per quad, 16 per lane
const LARGE_STEPS: u32 = 8u;     // steps of k per trip of the k loop
// Invocations per workgroup (4 quads): a CPU adapter gives each workgroup to one thread, and at
// n = 256 there are only 16 blocks to share out.
const LARGE_THREADS: u32 = 16u;

// Per step of k: A's rows in groups of 4 (one vec4 each), the lane's B columns in groups of 4.
const A_GROUPS: u32 = LARGE_ROWS / 4u;
const B_GROUPS: u32 = LARGE_COLS / 16u;

// w's layout: [0, W_A) the accumulators, row r's columns 4j .. 4j + 3 at B_GROUPS·r + j (r: the
// lane's row order, below); [W_A, W_B) A staged, step u's group i at W_A + A_GROUPS·u + i;
// [W_B, W_END) B staged, step u's group j at W_B + B_GROUPS·u + j.
const W_A: u32 = LARGE_ROWS * B_GROUPS;
const W_B: u32 = W_A + LARGE_STEPS * A_GROUPS;
const W_END: u32 = W_B + LARGE_STEPS * B_GROUPS;
var<private> w: array<vec4<f32>, W_END>;
// Operand offsets, filled at a run-time index (kept in memory likewise): [0, A_GROUPS) A's rows,
// group i the rows 4i + (lane ^ d), d = 0..3 (see below); then the lane's columns of B, 4 per group.
var<private> offsets: array<vec4<u32>, A_GROUPS + B_GROUPS>;

// Row order: the lane's accumulator row r = 4i + d holds C's row 4i + (lane ^ d) of the block, the
// order in which quad_rows hands a lane its quad's rows (a quad swap exchanges lanes l and l ^ d).

// Step u of the trip (k = ka / kb offsets of the trip's first step): A's rows, then B's columns.
fn stage(u: u32, ka: u32, kb: u32) {
  let sa = ka + u * p.a_col;
  let sb = kb + u * p.b_row;
  stage_rows(u, sa, 0u);
  stage_rows(u, sa, 4u);
  stage_rows(u, sa, 8u);
  stage_rows(u, sa, 12u);
  stage_columns(u, sb, 0u);
  stage_columns(u, sb, 1u);
  stage_columns(u, sb, 2u);
  stage_columns(u, sb, 3u);
}

fn stage_rows(u: u32, sa: u32, i0: u32) {
  let at = W_A + A_GROUPS * u + i0;
  w[at] = quad_rows(offsets[i0], sa);
  w[at + 1u] = quad_rows(offsets[i0 + 1u], sa);
  w[at + 2u] = quad_rows(offsets[i0 + 2u], sa);
  w[at + 3u] = quad_rows(offsets[i0 + 3u], sa);
}

fn stage_columns(u: u32, sb: u32, j: u32) {
  let cols = offsets[A_GROUPS + j];
  w[W_B + B_GROUPS * u + j] = vec4<f32>(b[cols.x + sb], b[cols.y + sb], b[cols.z + sb], b[cols.w + sb]);
}

// Accumulator (r, j) gains the trip's LARGE_STEPS = 8 steps of k, one after another: step u adds
// row r's element of A (component d of its group at ai) times the group of B columns at bj. (The
// offsets are computed once here: a helper per term took SwiftShader 2.4× as long to compile.)
fn update(r: u32, j: u32) {
  let t = B_GROUPS * r + j;
  let ai = W_A + r / 4u;
  let d = r % 4u;
  let bj = W_B + j;
  var s = w[t];
  s += w[ai][d] * w[bj];
  s += w[ai + A_GROUPS][d] * w[bj + B_GROUPS];
  s += w[ai + 2u * A_GROUPS][d] * w[bj + 2u * B_GROUPS];
  s += w[ai + 3u * A_GROUPS][d] * w[bj + 3u * B_GROUPS];
  s += w[ai + 4u * A_GROUPS][d] * w[bj + 4u * B_GROUPS];
  s += w[ai + 5u * A_GROUPS][d] * w[bj + 5u * B_GROUPS];
  s += w[ai + 6u * A_GROUPS][d] * w[bj + 6u * B_GROUPS];
  s += w[ai + 7u * A_GROUPS][d] * w[bj + 7u * B_GROUPS];
  w[t] = s;
}

fn update_row(r: u32) {
  update(r, 0u);
  update(r, 1u);
  update(r, 2u);
  update(r, 3u);
}

fn update_rows(r0: u32) {
  update_row(r0);
  update_row(r0 + 1u);
  update_row(r0 + 2u);
  update_row(r0 + 3u);
  update_row(r0 + 4u);
  update_row(r0 + 5u);
  update_row(r0 + 6u);
  update_row(r0 + 7u);
}

// linear: the invocation's index over the dispatch; lane: its place in its quad (0..3).
fn gemm_large(linear: u32, lane: u32) {
  let blocks_m = (p.m + LARGE_ROWS - 1u) / LARGE_ROWS;
  let blocks_n = (p.n + LARGE_COLS - 1u) / LARGE_COLS;
  let per_z = blocks_m * blocks_n;
  let quad = linear / 4u;
  // Every early return below is taken by a whole quad (it depends on the quad's block and z only).
  if (quad >= per_z * p.batch) {
    return;
  }
  let z = quad / per_z;
  let row0 = ((quad % per_z) / blocks_n) * LARGE_ROWS;
  let colq = ((quad % per_z) % blocks_n) * LARGE_COLS;
  let col0 = colq + lane * (LARGE_COLS / 4u);
  if (has(F_SYMMETRIC) && row0 > colq + LARGE_COLS - 1u) {
    return;
  }
  let cz = c_slice(z);
  if (has(F_GATE) && gate[z] != 0u) {
    if (has(F_RESIDUAL)) {
      carry_columns(cz, row0, col0, LARGE_ROWS, LARGE_COLS / 4u, 1u);
    }
    return;
  }
  // Rows past m and columns past n read a clamped neighbour; the stores clamp or skip them.
  let lm = vec4<u32>(p.m - 1u);
  let ln = vec4<u32>(p.n - 1u);
  let a_base = a_slice(z);
  let b_base = b_slice(z);
  let q = vec4<u32>(0u, 1u, 2u, 3u);
  let order = vec4<u32>(lane) ^ q;
  for (var i = 0u; i < A_GROUPS; i++) {
    offsets[i] = a_base + min(vec4<u32>(row0 + 4u * i) + order, lm) * p.a_row;
  }
  for (var j = 0u; j < B_GROUPS; j++) {
    offsets[A_GROUPS + j] = b_base + min(vec4<u32>(col0 + 4u * j) + q, ln) * p.b_col;
  }
  var ka = 0u;
  var kb = 0u;
  for (var k = 0u; k < p.k; k += LARGE_STEPS) {
    stage(0u, ka, kb);
    stage(1u, ka, kb);
    stage(2u, ka, kb);
    stage(3u, ka, kb);
    stage(4u, ka, kb);
    stage(5u, ka, kb);
    stage(6u, ka, kb);
    stage(7u, ka, kb);
    update_all();
    ka += LARGE_STEPS * p.a_col;
    kb += LARGE_STEPS * p.b_row;
  }
  // The run-time index here is what keeps w in memory (see the top of this file).
  for (var t = 0u; t < W_A; t++) {
    let r = t / B_GROUPS;
    let row = row0 + 4u * (r / 4u) + (lane ^ (r % 4u));
    let col = col0 + 4u * (t % B_GROUPS);
    if (specialised()) {
      store_clamped(cz, vec4<u32>(row), vec4<u32>(col) + q, w[t]);
    } else {
      store_row(cz, row, col, w[t]);
    }
  }
}

fn update_all() {
  update_rows(0u);
  update_rows(8u);
  update_rows(16u);
  update_rows(24u);
  update_rows(32u);
  update_rows(40u);
  update_rows(48u);
  update_rows(56u);
}
