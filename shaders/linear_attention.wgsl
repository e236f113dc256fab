// Causal linear attention S_t = exp(g_t) S_{t-1} + k_t v_tᵀ, o_t = scale · S_tᵀ q_t, in chunks of C tokens
// (docs/linear-attention.md). G is the inclusive cumulative log-gate inside each chunk; only differences
// G_i − G_j (j ≤ i), G_last − G_j and G_i themselves are exponentiated, all ≤ 0 for gates ≤ 0.
//   linear_attention_gates   G per (b, h, chunk)
//   linear_attention_scores  P = Q Kᵀ ⊙ exp(G_i − G_j), j ≤ i, else 0       per (b, h, chunk, 4 i, 8 j)
//   linear_attention_states  ΔS = Kᵀ (V ⊙ exp(G_last − G))                per (b, h, chunk, 4 k, 8 v)
//   linear_attention_scan    per chunk: store S (its incoming state), S ← exp(G_last) S + ΔS    per (b, h, k, v)
//   linear_attention_output  O = scale · (exp(G) ⊙ Q S + P V)              per (b, h, chunk, 4 t, 8 v)
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

// false: no decay (g ≡ 0), the exponentials are skipped
override GATED: bool = false;

const WG: u32 = 64u;
// Blocks per invocation in scores, states and output: 4 rows × 8 columns (8 vec4 accumulators).
const ROWS: u32 = 4u;
const COLS: u32 = 8u;

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

// Column indices first .. first + 7 clamped to `last`, as two vec4 (the clamped ones are never stored).
fn cols8(first: u32, last: u32) -> array<vec4<u32>, 2> {
  return array<vec4<u32>, 2>(
    vec4<u32>(min(first, last), min(first + 1u, last), min(first + 2u, last), min(first + 3u, last)),
    vec4<u32>(min(first + 4u, last), min(first + 5u, last), min(first + 6u, last), min(first + 7u, last)));
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
      if (GATED) {
        s *= exp(cum[g + i] - cum[g + min(j, i)]);
      }
      scores[out + j] = select(0.0, s, j <= i);
    }
  }
}

@compute @workgroup_size(64)
fn linear_attention_states(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
  // A block of 4 key components × 8 value components per invocation.
  let kq = (p.key_dim + ROWS - 1u) / ROWS;
  let vq = (p.value_dim + COLS - 1u) / COLS;
  let idx = invocation(wid, nwg, lid);
  if (idx >= p.batch * p.heads * p.chunks * kq * vq) {
    return;
  }
  let v0 = (idx % vq) * COLS;
  var r = idx / vq;
  let k0 = (r % kq) * ROWS;
  r /= kq;
  let c = r % p.chunks;
  let bh = r / p.chunks;
  let h = bh % p.heads;
  let b = bh / p.heads;
  let t0 = c * p.chunk;
  let t1 = min(t0 + p.chunk, p.tokens);
  let kc = rows4(0u, k0, p.key_dim - 1u, 1u);
  let vc = cols8(v0, p.value_dim - 1u);
  let g_last = cum[bh * p.tokens + t1 - 1u];
  var a0 = vec4<f32>();
  var a1 = vec4<f32>();
  var a2 = vec4<f32>();
  var a3 = vec4<f32>();
  var b0 = vec4<f32>();
  var b1 = vec4<f32>();
  var b2 = vec4<f32>();
  var b3 = vec4<f32>();
  var ka = token_row(b, t0, h) * p.key_dim;
  var va = token_row(b, t0, h) * p.value_dim;
  let ks = p.heads * p.key_dim;
  let vs = p.heads * p.value_dim;
  for (var t = t0; t < t1; t++) {
    var v_lo = load_v(va, vc[0]);
    var v_hi = load_v(va, vc[1]);
    if (GATED) {
      let w = exp(g_last - cum[bh * p.tokens + t]);
      v_lo *= w;
      v_hi *= w;
    }
    let k0v = vec4<f32>(k[ka + kc.x]);
    let k1v = vec4<f32>(k[ka + kc.y]);
    let k2v = vec4<f32>(k[ka + kc.z]);
    let k3v = vec4<f32>(k[ka + kc.w]);
    a0 = fma(k0v, v_lo, a0);
    b0 = fma(k0v, v_hi, b0);
    a1 = fma(k1v, v_lo, a1);
    b1 = fma(k1v, v_hi, b1);
    a2 = fma(k2v, v_lo, a2);
    b2 = fma(k2v, v_hi, b2);
    a3 = fma(k3v, v_lo, a3);
    b3 = fma(k3v, v_hi, b3);
    ka += ks;
    va += vs;
  }
  let acc = array<vec4<f32>, 8>(a0, b0, a1, b1, a2, b2, a3, b3);
  let base = (bh * p.chunks + c) * p.key_dim * p.value_dim;
  for (var e = 0u; e < ROWS && k0 + e < p.key_dim; e++) {
    for (var y = 0u; y < COLS && v0 + y < p.value_dim; y++) {
      states[base + (k0 + e) * p.value_dim + v0 + y] = acc[2u * e + y / 4u][y % 4u];
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
    if (GATED) {
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
  // A block of 4 tokens × 8 value components per invocation, inside one chunk.
  let row_blocks = (p.chunk + ROWS - 1u) / ROWS;
  let vq = (p.value_dim + COLS - 1u) / COLS;
  let idx = invocation(wid, nwg, lid);
  if (idx >= p.batch * p.heads * p.chunks * row_blocks * vq) {
    return;
  }
  let v0 = (idx % vq) * COLS;
  var r = idx / vq;
  let i0 = (r % row_blocks) * ROWS;
  r /= row_blocks;
  let c = r % p.chunks;
  let bh = r / p.chunks;
  let h = bh % p.heads;
  let b = bh / p.heads;
  let t0 = c * p.chunk;
  let len = min(p.chunk, p.tokens - t0);
  if (i0 >= len) {
    return;
  }
  let last = len - 1u;
  let vd = p.value_dim;
  let vc = cols8(v0, vd - 1u);
  let qa = rows4(token_row(b, t0, h) * p.key_dim, i0, last, p.heads * p.key_dim);
  var a0 = vec4<f32>();
  var a1 = vec4<f32>();
  var a2 = vec4<f32>();
  var a3 = vec4<f32>();
  var b0 = vec4<f32>();
  var b1 = vec4<f32>();
  var b2 = vec4<f32>();
  var b3 = vec4<f32>();
  // Inter-chunk: Q S, S the state at the chunk's start.
  var sa = (bh * p.chunks + c) * p.key_dim * vd;
  for (var x = 0u; x < p.key_dim; x++) {
    let s_lo = load_states(sa, vc[0]);
    let s_hi = load_states(sa, vc[1]);
    let q0 = vec4<f32>(q[qa.x + x]);
    let q1 = vec4<f32>(q[qa.y + x]);
    let q2 = vec4<f32>(q[qa.z + x]);
    let q3 = vec4<f32>(q[qa.w + x]);
    a0 = fma(q0, s_lo, a0);
    b0 = fma(q0, s_hi, b0);
    a1 = fma(q1, s_lo, a1);
    b1 = fma(q1, s_hi, b1);
    a2 = fma(q2, s_lo, a2);
    b2 = fma(q2, s_hi, b2);
    a3 = fma(q3, s_lo, a3);
    b3 = fma(q3, s_hi, b3);
    sa += vd;
  }
  if (GATED) {
    let g = rows4(bh * p.tokens + t0, i0, last, 1u);
    let w = exp(vec4<f32>(cum[g.x], cum[g.y], cum[g.z], cum[g.w]));
    a0 *= w.x;
    b0 *= w.x;
    a1 *= w.y;
    b1 *= w.y;
    a2 *= w.z;
    b2 *= w.z;
    a3 *= w.w;
    b3 *= w.w;
  }
  // Intra-chunk: P V over keys j < min(i0 + ROWS, len); P is zero above the diagonal.
  let pa = rows4((bh * p.chunks + c) * p.chunk * p.chunk, i0, last, p.chunk);
  let jend = min(i0 + ROWS, len);
  var va = token_row(b, t0, h) * vd;
  let vs = p.heads * vd;
  for (var j = 0u; j < jend; j++) {
    let v_lo = load_v(va, vc[0]);
    let v_hi = load_v(va, vc[1]);
    let p0 = vec4<f32>(scores[pa.x + j]);
    let p1 = vec4<f32>(scores[pa.y + j]);
    let p2 = vec4<f32>(scores[pa.z + j]);
    let p3 = vec4<f32>(scores[pa.w + j]);
    a0 = fma(p0, v_lo, a0);
    b0 = fma(p0, v_hi, b0);
    a1 = fma(p1, v_lo, a1);
    b1 = fma(p1, v_hi, b1);
    a2 = fma(p2, v_lo, a2);
    b2 = fma(p2, v_hi, b2);
    a3 = fma(p3, v_lo, a3);
    b3 = fma(p3, v_hi, b3);
    va += vs;
  }
  let acc = array<vec4<f32>, 8>(a0, b0, a1, b1, a2, b2, a3, b3);
  for (var e = 0u; e < ROWS && i0 + e < len; e++) {
    let out = token_row(b, t0 + i0 + e, h) * vd + v0;
    for (var y = 0u; y < COLS && v0 + y < vd; y++) {
      o[out + y] = p.scale * acc[2u * e + y / 4u][y % 4u];
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
  if (GATED) {
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
