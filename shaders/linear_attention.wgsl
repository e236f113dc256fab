// Causal linear attention S_t = exp(g_t) S_{t-1} + k_t v_tᵀ, o_t = scale · S_tᵀ q_t, in chunks of C tokens
// (docs/linear-attention.md). G is the inclusive cumulative log-gate inside each chunk; only differences
// G_i − G_j (j ≤ i), G_last − G_j and G_i themselves are exponentiated, all ≤ 0 for gates ≤ 0.
//   linear_attention_gates   G per (b, h, chunk)
//   linear_attention_scores  P = Q Kᵀ ⊙ exp(G_i − G_j), j ≤ i, else 0       per (b, h, chunk, 4 i, 8 j)
//   linear_attention_states  ΔS = Kᵀ (V ⊙ exp(G_last − G))                per (b, h, chunk, 8 k, 8 v)
//   linear_attention_scan    per chunk: store S (its incoming state), S ← exp(G_last) S + ΔS    per (b, h, k, v)
//   linear_attention_output  O = scale · (exp(G) ⊙ Q S + P V)              per (b, h, chunk, 8 t, 8 v)
//   linear_attention_decode  T = 1: S' = exp(g) S + k vᵀ, o = scale · S'ᵀ q  per (b, h, v)
// Blocked kernels keep 8 vec4 accumulators unrolled by hand: the JIT (Subzero) does not unroll or hoist.

struct Params {
  batch: u32,
  tokens: u32,
  heads: u32,
  key_dim: u32,
  value_dim: u32,
  chunk: u32,
  chunks: u32,
  scale: f32,
  gate_batch: u32,   // stride of b in `gate`: T·H for per-token gates, 0 for per-head decays
  gate_token: u32,   // stride of t in `gate`: H for per-token gates, 0 for per-head decays
  has_initial: u32,
  write_final: u32,
  gated: u32,        // 0: no decay (g ≡ 0), the exponentials are skipped
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;              // [B, T, H, K]
@group(0) @binding(2) var<storage, read> k: array<f32>;              // [B, T, H, K]
@group(0) @binding(3) var<storage, read> v: array<f32>;              // [B, T, H, V]
@group(0) @binding(4) var<storage, read> gate: array<f32>;           // [B, T, H] or [H], log-gates ≤ 0
@group(0) @binding(5) var<storage, read> state_in: array<f32>;        // [B, H, K, V]
@group(0) @binding(6) var<storage, read_write> cum: array<f32>;      // [B, H, T]
@group(0) @binding(7) var<storage, read_write> scores: array<f32>;   // [B, H, chunks, C, C], lower triangle
@group(0) @binding(8) var<storage, read_write> states: array<f32>;   // [B, H, chunks, K, V]
@group(0) @binding(9) var<storage, read_write> o: array<f32>;   // [B, T, H, V]
@group(0) @binding(10) var<storage, read_write> state_out: array<f32>;   // [B, H, K, V]


const WG: u32 = 64u;
// Scores: 4 queries × 8 keys per invocation. States and output: 8 rows × 8 columns (a Block), four
// neighbouring invocations sharing a STRIP of 32 columns.
const ROWS: u32 = 4u;
const COLS: u32 = 8u;
const BLOCK: u32 = 8u;
const STRIP: u32 = 32u;

fn invocation(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * WG + lid;
}

fn token_row(b: u32, t: u32, h: u32) -> u32 {
  return (b * p.tokens + t) * p.heads + h;
}

// Element addresses of 4 consecutive rows (clamped to `last`) of a [rows, width] view with row stride `stride`.
fn rows4(base: u32, first: u32, last: u32, stride: u32) -> vec4<u32> {
  return base + vec4<u32>(min(first, last), min(first + 1u, last), min(first + 2u, last), min(first + 3u, last)) * stride;
}

// Columns first + 4m, m = 0..7, clamped to `last`, as two vec4 (m 0..3 and 4..7).
fn strip8(first: u32, last: u32) -> array<vec4<u32>, 2> {
  return array<vec4<u32>, 2>(
    vec4<u32>(min(first, last), min(first + 4u, last), min(first + 8u, last), min(first + 12u, last)),
    vec4<u32>(min(first + 16u, last), min(first + 20u, last), min(first + 24u, last), min(first + 28u, last)));
}

// An 8 × 8 block: lo[m] holds rows 0..3 of column m, hi[m] rows 4..7.
struct Block {
  lo: array<vec4<f32>, 8>,
  hi: array<vec4<f32>, 8>,
}

// Block += [av; aw] ⊗ [b_lo, b_hi]: rows as vec4, each column's value broadcast (64 multiply-adds).
fn accumulate(acc: Block, av: vec4<f32>, aw: vec4<f32>, b_lo: vec4<f32>, b_hi: vec4<f32>) -> Block {
  var r = acc;
  r.lo[0] = fma(av, vec4<f32>(b_lo.x), r.lo[0]);
  r.lo[1] = fma(av, vec4<f32>(b_lo.y), r.lo[1]);
  r.lo[2] = fma(av, vec4<f32>(b_lo.z), r.lo[2]);
  r.lo[3] = fma(av, vec4<f32>(b_lo.w), r.lo[3]);
  r.lo[4] = fma(av, vec4<f32>(b_hi.x), r.lo[4]);
  r.lo[5] = fma(av, vec4<f32>(b_hi.y), r.lo[5]);
  r.lo[6] = fma(av, vec4<f32>(b_hi.z), r.lo[6]);
  r.lo[7] = fma(av, vec4<f32>(b_hi.w), r.lo[7]);
  r.hi[0] = fma(aw, vec4<f32>(b_lo.x), r.hi[0]);
  r.hi[1] = fma(aw, vec4<f32>(b_lo.y), r.hi[1]);
  r.hi[2] = fma(aw, vec4<f32>(b_lo.z), r.hi[2]);
  r.hi[3] = fma(aw, vec4<f32>(b_lo.w), r.hi[3]);
  r.hi[4] = fma(aw, vec4<f32>(b_hi.x), r.hi[4]);
  r.hi[5] = fma(aw, vec4<f32>(b_hi.y), r.hi[5]);
  r.hi[6] = fma(aw, vec4<f32>(b_hi.z), r.hi[6]);
  r.hi[7] = fma(aw, vec4<f32>(b_hi.w), r.hi[7]);
  return r;
}

fn load_v(at: u32, c: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(v[at + c.x], v[at + c.y], v[at + c.z], v[at + c.w]);
}

fn load_states(at: u32, c: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(states[at + c.x], states[at + c.y], states[at + c.z], states[at + c.w]);
}

@compute @workgroup_size(64)
fn linear_attention_gates(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                          @builtin(local_invocation_index) lid: u32) {
  let idx = invocation(wid, nwg, lid);
  if (idx >= p.batch * p.heads * p.chunks) {
    return;
  }
  let c = idx % p.chunks;
  let bh = idx / p.chunks;
  let h = bh % p.heads;
  let b = bh / p.heads;
  let t1 = min((c + 1u) * p.chunk, p.tokens);
  var acc = 0.0;
  for (var t = c * p.chunk; t < t1; t++) {
    acc += gate[b * p.gate_batch + t * p.gate_token + h];
    cum[bh * p.tokens + t] = acc;
  }
}

@compute @workgroup_size(64)
fn linear_attention_scores(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
  // A block of 4 queries × 8 keys per invocation; blocks wholly above the diagonal do nothing.
  let row_blocks = (p.chunk + ROWS - 1u) / ROWS;
  let col_blocks = (p.chunk + COLS - 1u) / COLS;
  let idx = invocation(wid, nwg, lid);
  if (idx >= p.batch * p.heads * p.chunks * row_blocks * col_blocks) {
    return;
  }
  let j0 = (idx % col_blocks) * COLS;
  var r = idx / col_blocks;
  let i0 = (r % row_blocks) * ROWS;
  r /= row_blocks;
  let c = r % p.chunks;
  let bh = r / p.chunks;
  let h = bh % p.heads;
  let b = bh / p.heads;
  let t0 = c * p.chunk;
  let len = min(p.chunk, p.tokens - t0);
  if (i0 >= len || j0 > i0 + ROWS - 1u) {
    return;
  }
  let last = len - 1u;
  let kd = p.key_dim;
  let base = token_row(b, t0, h) * kd;
  let stride = p.heads * kd;
  let qa = rows4(base, i0, last, stride);
  let ka = rows4(base, j0, last, stride);
  let kb = rows4(base, j0 + 4u, last, stride);
  var a0 = vec4<f32>();
  var a1 = vec4<f32>();
  var a2 = vec4<f32>();
  var a3 = vec4<f32>();
  var b0 = vec4<f32>();
  var b1 = vec4<f32>();
  var b2 = vec4<f32>();
  var b3 = vec4<f32>();
  for (var x = 0u; x < kd; x++) {
    let k_lo = vec4<f32>(k[ka.x + x], k[ka.y + x], k[ka.z + x], k[ka.w + x]);
    let k_hi = vec4<f32>(k[kb.x + x], k[kb.y + x], k[kb.z + x], k[kb.w + x]);
    let q0 = vec4<f32>(q[qa.x + x]);
    let q1 = vec4<f32>(q[qa.y + x]);
    let q2 = vec4<f32>(q[qa.z + x]);
    let q3 = vec4<f32>(q[qa.w + x]);
    a0 = fma(q0, k_lo, a0);
    b0 = fma(q0, k_hi, b0);
    a1 = fma(q1, k_lo, a1);
    b1 = fma(q1, k_hi, b1);
    a2 = fma(q2, k_lo, a2);
    b2 = fma(q2, k_hi, b2);
    a3 = fma(q3, k_lo, a3);
    b3 = fma(q3, k_hi, b3);
  }
  let acc = array<vec4<f32>, 8>(a0, b0, a1, b1, a2, b2, a3, b3);
  let g = bh * p.tokens + t0;
  for (var e = 0u; e < ROWS && i0 + e < len; e++) {
    let i = i0 + e;
    let out = ((bh * p.chunks + c) * p.chunk + i) * p.chunk;
    for (var y = 0u; y < COLS && j0 + y < len; y++) {
      let j = j0 + y;
      var s = acc[2u * e + y / 4u][y % 4u];
      if (p.gated != 0u) {
        s *= exp(cum[g + i] - cum[g + min(j, i)]);
      }
      scores[out + j] = select(0.0, s, j <= i);
    }
  }
}

@compute @workgroup_size(64)
fn linear_attention_states(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
  // 8 key components × 8 value components per invocation; 4 neighbouring invocations share a
  // 32-column strip (columns lane + 4m), so their loads of a row touch consecutive addresses.
  let kb = (p.key_dim + 7u) / 8u;
  let strips = (p.value_dim + 31u) / 32u;
  let idx = invocation(wid, nwg, lid);
  let quad = idx / 4u;
  if (quad >= p.batch * p.heads * p.chunks * kb * strips) {
    return;
  }
  let col0 = (quad % strips) * 32u + idx % 4u;
  var r = quad / strips;
  let k0 = (r % kb) * 8u;
  r /= kb;
  let c = r % p.chunks;
  let bh = r / p.chunks;
  let h = bh % p.heads;
  let b = bh / p.heads;
  if (col0 >= p.value_dim) {
    return;
  }
  let t0 = c * p.chunk;
  let t1 = min(t0 + p.chunk, p.tokens);
  let kc = rows4(0u, k0, p.key_dim - 1u, 1u);
  let kc2 = rows4(0u, k0 + 4u, p.key_dim - 1u, 1u);
  let vc = strip8(col0, p.value_dim - 1u);
  let g_last = cum[bh * p.tokens + t1 - 1u];
  var acc: Block;
  var ka = token_row(b, t0, h) * p.key_dim;
  var va = token_row(b, t0, h) * p.value_dim;
  let ks = p.heads * p.key_dim;
  let vs = p.heads * p.value_dim;
  for (var t = t0; t < t1; t++) {
    var w = 1.0;
    if (p.gated != 0u) {
      w = exp(g_last - cum[bh * p.tokens + t]);
    }
    let av = vec4<f32>(k[ka + kc.x], k[ka + kc.y], k[ka + kc.z], k[ka + kc.w]);
    let aw = vec4<f32>(k[ka + kc2.x], k[ka + kc2.y], k[ka + kc2.z], k[ka + kc2.w]);
    acc = accumulate(acc, av, aw, w * load_v(va, vc[0]), w * load_v(va, vc[1]));
    ka += ks;
    va += vs;
  }
  let base = (bh * p.chunks + c) * p.key_dim * p.value_dim;
  for (var m = 0u; m < 8u && col0 + 4u * m < p.value_dim; m++) {
    let col = col0 + 4u * m;
    let lo = acc.lo[m];
    let hi = acc.hi[m];
    for (var e = 0u; e < 4u && k0 + e < p.key_dim; e++) {
      states[base + (k0 + e) * p.value_dim + col] = lo[e];
    }
    for (var e = 4u; e < 8u && k0 + e < p.key_dim; e++) {
      states[base + (k0 + e) * p.value_dim + col] = hi[e - 4u];
    }
  }
}

@compute @workgroup_size(64)
fn linear_attention_scan(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                         @builtin(local_invocation_index) lid: u32) {
  let kv = p.key_dim * p.value_dim;
  let idx = invocation(wid, nwg, lid);
  if (idx >= p.batch * p.heads * kv) {
    return;
  }
  let e = idx % kv;
  let bh = idx / kv;
  var s = 0.0;
  if (p.has_initial != 0u) {
    s = state_in[idx];
  }
  for (var c = 0u; c < p.chunks; c++) {
    let at = (bh * p.chunks + c) * kv + e;
    let ds = states[at];
    states[at] = s;
    if (p.gated != 0u) {
      s *= exp(cum[bh * p.tokens + min((c + 1u) * p.chunk, p.tokens) - 1u]);
    }
    s += ds;
  }
  if (p.write_final != 0u) {
    state_out[idx] = s;
  }
}

@compute @workgroup_size(64)
fn linear_attention_output(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
  // 8 tokens of one chunk × 8 value components per invocation, columns laid out as in _states.
  let row_blocks = (p.chunk + 7u) / 8u;
  let strips = (p.value_dim + 31u) / 32u;
  let idx = invocation(wid, nwg, lid);
  let quad = idx / 4u;
  if (quad >= p.batch * p.heads * p.chunks * row_blocks * strips) {
    return;
  }
  let col0 = (quad % strips) * 32u + idx % 4u;
  var r = quad / strips;
  let i0 = (r % row_blocks) * 8u;
  r /= row_blocks;
  let c = r % p.chunks;
  let bh = r / p.chunks;
  let h = bh % p.heads;
  let b = bh / p.heads;
  let t0 = c * p.chunk;
  let len = min(p.chunk, p.tokens - t0);
  if (i0 >= len || col0 >= p.value_dim) {
    return;
  }
  let last = len - 1u;
  let vd = p.value_dim;
  let vc = strip8(col0, vd - 1u);
  let qbase = token_row(b, t0, h) * p.key_dim;
  let qs = p.heads * p.key_dim;
  let qa = rows4(qbase, i0, last, qs);
  let qa2 = rows4(qbase, i0 + 4u, last, qs);
  // Inter-chunk: Q S, S the state at the chunk's start.
  var acc: Block;
  var sa = (bh * p.chunks + c) * p.key_dim * vd;
  for (var x = 0u; x < p.key_dim; x++) {
    let av = vec4<f32>(q[qa.x + x], q[qa.y + x], q[qa.z + x], q[qa.w + x]);
    let aw = vec4<f32>(q[qa2.x + x], q[qa2.y + x], q[qa2.z + x], q[qa2.w + x]);
    acc = accumulate(acc, av, aw, load_states(sa, vc[0]), load_states(sa, vc[1]));
    sa += vd;
  }
  if (p.gated != 0u) {
    let g = rows4(bh * p.tokens + t0, i0, last, 1u);
    let g2 = rows4(bh * p.tokens + t0, i0 + 4u, last, 1u);
    let w = exp(vec4<f32>(cum[g.x], cum[g.y], cum[g.z], cum[g.w]));
    let w2 = exp(vec4<f32>(cum[g2.x], cum[g2.y], cum[g2.z], cum[g2.w]));
    for (var m = 0u; m < 8u; m++) {
      acc.lo[m] *= w;
      acc.hi[m] *= w2;
    }
  }
  // Intra-chunk: P V over keys j < min(i0 + 8, len); P is zero above the diagonal.
  let pbase = (bh * p.chunks + c) * p.chunk * p.chunk;
  let pa = rows4(pbase, i0, last, p.chunk);
  let pa2 = rows4(pbase, i0 + 4u, last, p.chunk);
  let jend = min(i0 + 8u, len);
  var va = token_row(b, t0, h) * vd;
  let vs = p.heads * vd;
  for (var j = 0u; j < jend; j++) {
    let av = vec4<f32>(scores[pa.x + j], scores[pa.y + j], scores[pa.z + j], scores[pa.w + j]);
    let aw = vec4<f32>(scores[pa2.x + j], scores[pa2.y + j], scores[pa2.z + j], scores[pa2.w + j]);
    acc = accumulate(acc, av, aw, load_v(va, vc[0]), load_v(va, vc[1]));
    va += vs;
  }
  for (var m = 0u; m < 8u && col0 + 4u * m < vd; m++) {
    let col = col0 + 4u * m;
    let lo = acc.lo[m] * p.scale;
    let hi = acc.hi[m] * p.scale;
    for (var e = 0u; e < 4u && i0 + e < len; e++) {
      o[token_row(b, t0 + i0 + e, h) * vd + col] = lo[e];
    }
    for (var e = 4u; e < 8u && i0 + e < len; e++) {
      o[token_row(b, t0 + i0 + e, h) * vd + col] = hi[e - 4u];
    }
  }
}

@compute @workgroup_size(64)
fn linear_attention_decode(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
  let vd = p.value_dim;
  let idx = invocation(wid, nwg, lid);
  if (idx >= p.batch * p.heads * vd) {
    return;
  }
  let c = idx % vd;
  let bh = idx / vd;
  let h = bh % p.heads;
  let b = bh / p.heads;
  var decay = 1.0;
  if (p.gated != 0u) {
    decay = exp(gate[b * p.gate_batch + h]);
  }
  let row = bh;   // T = 1: token row (b·1 + 0)·H + h
  let vc = v[row * vd + c];
  let base = bh * p.key_dim * vd + c;
  var acc = 0.0;
  for (var x = 0u; x < p.key_dim; x++) {
    var s = k[row * p.key_dim + x] * vc;
    if (p.has_initial != 0u) {
      s += decay * state_in[base + x * vd];
    }
    if (p.write_final != 0u) {
      state_out[base + x * vd] = s;
    }
    acc += q[row * p.key_dim + x] * s;
  }
  o[row * vd + c] = p.scale * acc;
}
