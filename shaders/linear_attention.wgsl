// Causal linear attention S_t = exp(g_t) S_{t-1} + k_t v_tᵀ, o_t = scale · S_tᵀ q_t, in chunks of C tokens
// (docs/linear-attention.md). G is the inclusive cumulative log-gate inside each chunk; only differences
// G_i − G_j (j ≤ i), G_last − G_j and G_i themselves are exponentiated, all ≤ 0 for gates ≤ 0.
//   linear_attention_gates   G per (b, h, chunk)
//   linear_attention_scores  P = Q Kᵀ ⊙ exp(G_i − G_j), j ≤ i            per (b, h, chunk, i, 4 j)
//   linear_attention_states  ΔS = Kᵀ (V ⊙ exp(G_last − G))                per (b, h, chunk, 4 k, 4 v)
//   linear_attention_scan    per chunk: store S (its incoming state), S ← exp(G_last) S + ΔS   per (b, h, k, v)
//   linear_attention_output  O = scale · (exp(G) ⊙ Q S + P V)              per (b, h, t, 4 v)
//   linear_attention_decode  T = 1: S' = exp(g) S + k vᵀ, o = scale · S'ᵀ q  per (b, h, v)

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

fn invocation(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * WG + lid;
}

fn token_row(b: u32, t: u32, h: u32) -> u32 {
  return (b * p.tokens + t) * p.heads + h;
}

// Four consecutive values from `row`, indices clamped to `last` (the caller drops the clamped lanes).
fn load_v(row: u32, c: u32, last: u32) -> vec4<f32> {
  return vec4<f32>(v[row + min(c, last)], v[row + min(c + 1u, last)],
                   v[row + min(c + 2u, last)], v[row + min(c + 3u, last)]);
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
  let quads = (p.chunk + 3u) / 4u;
  let idx = invocation(wid, nwg, lid);
  if (idx >= p.batch * p.heads * p.chunks * p.chunk * quads) {
    return;
  }
  let j0 = (idx % quads) * 4u;
  var r = idx / quads;
  let i = r % p.chunk;
  r /= p.chunk;
  let c = r % p.chunks;
  let bh = r / p.chunks;
  let h = bh % p.heads;
  let b = bh / p.heads;
  let t0 = c * p.chunk;
  if (t0 + i >= p.tokens || j0 > i) {
    return;
  }
  let kd = p.key_dim;
  let qi = token_row(b, t0 + i, h) * kd;
  let stride = p.heads * kd;
  let k0 = token_row(b, t0 + j0, h) * kd;
  let k1 = token_row(b, t0 + min(j0 + 1u, i), h) * kd;
  let k2 = token_row(b, t0 + min(j0 + 2u, i), h) * kd;
  let k3 = token_row(b, t0 + min(j0 + 3u, i), h) * kd;
  var acc = vec4<f32>(0.0);
  for (var x = 0u; x < kd; x++) {
    acc += q[qi + x] * vec4<f32>(k[k0 + x], k[k1 + x], k[k2 + x], k[k3 + x]);
  }
  let row = ((bh * p.chunks + c) * p.chunk + i) * p.chunk;
  if (GATED) {
    let g = bh * p.tokens + t0;
    let gi = cum[g + i];
    let gj = vec4<f32>(cum[g + j0], cum[g + min(j0 + 1u, i)], cum[g + min(j0 + 2u, i)], cum[g + min(j0 + 3u, i)]);
    acc *= exp(vec4<f32>(gi) - gj);
  }
  for (var e = 0u; e < 4u && j0 + e <= i; e++) {
    scores[row + j0 + e] = acc[e];
  }
}

@compute @workgroup_size(64)
fn linear_attention_states(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
  let kq = (p.key_dim + 3u) / 4u;
  let vq = (p.value_dim + 3u) / 4u;
  let idx = invocation(wid, nwg, lid);
  if (idx >= p.batch * p.heads * p.chunks * kq * vq) {
    return;
  }
  let v0 = (idx % vq) * 4u;
  var r = idx / vq;
  let k0 = (r % kq) * 4u;
  r /= kq;
  let c = r % p.chunks;
  let bh = r / p.chunks;
  let h = bh % p.heads;
  let b = bh / p.heads;
  let t0 = c * p.chunk;
  let t1 = min(t0 + p.chunk, p.tokens);
  let kl = p.key_dim - 1u;
  let vl = p.value_dim - 1u;
  let g_last = cum[bh * p.tokens + t1 - 1u];
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  for (var t = t0; t < t1; t++) {
    let row = token_row(b, t, h);
    var vv = load_v(row * p.value_dim, v0, vl);
    if (GATED) {
      vv *= exp(g_last - cum[bh * p.tokens + t]);
    }
    let kr = row * p.key_dim;
    a0 += k[kr + min(k0, kl)] * vv;
    a1 += k[kr + min(k0 + 1u, kl)] * vv;
    a2 += k[kr + min(k0 + 2u, kl)] * vv;
    a3 += k[kr + min(k0 + 3u, kl)] * vv;
  }
  let base = (bh * p.chunks + c) * p.key_dim * p.value_dim;
  let rows = array<vec4<f32>, 4>(a0, a1, a2, a3);
  for (var x = 0u; x < 4u && k0 + x < p.key_dim; x++) {
    for (var y = 0u; y < 4u && v0 + y < p.value_dim; y++) {
      states[base + (k0 + x) * p.value_dim + v0 + y] = rows[x][y];
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
  let vq = (p.value_dim + 3u) / 4u;
  let idx = invocation(wid, nwg, lid);
  if (idx >= p.batch * p.heads * p.tokens * vq) {
    return;
  }
  let v0 = (idx % vq) * 4u;
  var r = idx / vq;
  let t = r % p.tokens;
  let bh = r / p.tokens;
  let h = bh % p.heads;
  let b = bh / p.heads;
  let c = t / p.chunk;
  let i = t % p.chunk;
  let t0 = t - i;
  let vd = p.value_dim;
  let vl = vd - 1u;
  let qi = token_row(b, t, h) * p.key_dim;
  let sb = (bh * p.chunks + c) * p.key_dim * vd;
  var acc = vec4<f32>(0.0);
  for (var x = 0u; x < p.key_dim; x++) {
    let sr = sb + x * vd;
    acc += q[qi + x] * vec4<f32>(states[sr + min(v0, vl)], states[sr + min(v0 + 1u, vl)],
                                 states[sr + min(v0 + 2u, vl)], states[sr + min(v0 + 3u, vl)]);
  }
  if (GATED) {
    acc *= exp(cum[bh * p.tokens + t]);
  }
  let row = ((bh * p.chunks + c) * p.chunk + i) * p.chunk;
  for (var j = 0u; j <= i; j++) {
    acc += scores[row + j] * load_v(token_row(b, t0 + j, h) * vd, v0, vl);
  }
  acc *= p.scale;
  let out = token_row(b, t, h) * vd + v0;
  for (var y = 0u; y < 4u && v0 + y < vd; y++) {
    o[out + y] = acc[y];
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
