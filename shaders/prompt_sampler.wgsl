// The paper's in-context prompts from a counter-based RNG: every value is a pure function of
// (seed, step, prompt, stream, index), so sampling uploads nothing (the math: docs/training.md).
// Per prompt b, with v_k, z_t, w, ε ~ N(0, I) drawn from their own streams:
//   λ_0 = λ_max ~ U[1, 100],  λ_1 = λ_max / κ,  λ_j = λ_1 + u_j (λ_0 − λ_1) for j ≥ 2
//   U = R_0 R_1 … R_{d−1},  R_k = I − 2 v_k v_kᵀ / v_kᵀ v_k
//   x_t = U diag(√λ) z_t,  s_t = wᵀ x_t + noise · ε_t,  y_t = s_t (linear) or sign(s_t) (logistic, +1 at 0)
// Column t < n holds [0; x_t; y_t], the query t = n holds [0; x_n; 0]; the target is y_n or w.
//   prompt_sample   one invocation per (prompt, column)
//   prompt_advance  step ← step + 1 (after the samples of the step have read it)

struct Params {
  count: u32,     // B × (n + 1)
  d: u32,
  n: u32,
  zeros: u32,     // dZeros
  seed: u32,
  logistic: u32,  // 1: logistic labels, target w
  kappa: f32,
  noise: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> counter: array<u32>;  // [1] the step
@group(0) @binding(2) var<storage, read_write> prompts: array<f32>;  // [B, dZeros + d + 1, n + 1]
@group(0) @binding(3) var<storage, read_write> targets: array<f32>;  // [B, 1] linear, [B, d] logistic

const WG: u32 = 64u;
const MAX_D: u32 = 64u;
const STREAM_LAMBDA: u32 = 0u;
const STREAM_REFLECT: u32 = 1u;
const STREAM_X: u32 = 2u;
const STREAM_W: u32 = 3u;
const STREAM_NOISE: u32 = 4u;
const PI: f32 = 3.14159265358979;

// PCG output permutation of an LCG step: a bijection on u32 with good avalanche.
fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}

// (k + 0.5) / 2²³ for the top 23 bits k: exact in f32, strictly inside (0, 1).
fn uniform01(h: u32) -> f32 {
  return (f32(h >> 9u) + 0.5) * (1.0 / 8388608.0);
}

fn uniform_at(key: u32, stream: u32, index: u32) -> f32 {
  return uniform01(pcg(pcg(key ^ stream) ^ index));
}

// ln u for u in (0, 1), to f32 rounding (the built-in log may err by 2⁻²¹ absolute near 1):
// u = m 2^e with m in [√½, √2), ln m = 2 atanh(t) = 2 Σ t^(2k+1)/(2k+1), t = (m − 1)/(m + 1), |t| < 0.172.
fn ln01(u: f32) -> f32 {
  let bits = bitcast<u32>(u);
  var e = i32(bits >> 23u) - 127;
  var m = bitcast<f32>((bits & 0x007fffffu) | 0x3f800000u);
  if (m > 1.41421356) {
    m *= 0.5;
    e += 1;
  }
  let t = (m - 1.0) / (m + 1.0);
  let t2 = t * t;
  let series = 1.0 + t2 * (1.0 / 3.0 + t2 * (1.0 / 5.0 + t2 * (1.0 / 7.0 + t2 * (1.0 / 9.0 + t2 / 11.0))));
  return f32(e) * 0.693147181 + 2.0 * t * series;
}

// cos θ for θ in [−π, π], to f32 rounding (the built-in cos may err by 2⁻¹¹ absolute):
// cos θ = −cos(π − |θ|) past π/2, then the Taylor series on [0, π/2] to θ¹⁶ (remainder < 1e-9).
fn cos_pi(theta: f32) -> f32 {
  var a = abs(theta);
  var sign = 1.0;
  if (a > 0.5 * PI) {
    a = PI - a;
    sign = -1.0;
  }
  let x = a * a;
  let c = 1.0 - x / 2.0 * (1.0 - x / 12.0 * (1.0 - x / 30.0 * (1.0 - x / 56.0 * (1.0 - x / 90.0 *
    (1.0 - x / 132.0 * (1.0 - x / 182.0 * (1.0 - x / 240.0)))))));
  return sign * c;
}

// Box–Muller from the uniforms at 2i and 2i + 1; the angle stays in (−π, π).
fn normal_at(key: u32, stream: u32, index: u32) -> f32 {
  let u1 = uniform_at(key, stream, 2u * index);
  let u2 = uniform_at(key, stream, 2u * index + 1u);
  return sqrt(-2.0 * ln01(u1)) * cos_pi(PI * (2.0 * u2 - 1.0));
}

fn eigenvalue(key: u32, j: u32) -> f32 {
  let top = 1.0 + 99.0 * uniform_at(key, STREAM_LAMBDA, 0u);
  let bottom = top / p.kappa;
  if (j == 0u) {
    return top;
  }
  if (j == 1u) {
    return bottom;
  }
  return bottom + uniform_at(key, STREAM_LAMBDA, j) * (top - bottom);
}

@compute @workgroup_size(WG)
fn prompt_sample(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.count) {
    return;
  }
  let d = p.d;
  let tokens = p.n + 1u;
  let b = i / tokens;
  let t = i % tokens;
  let key = pcg(pcg(pcg(p.seed) ^ counter[0]) ^ b);

  var x: array<f32, MAX_D>;
  var v: array<f32, MAX_D>;
  for (var j = 0u; j < d; j++) {
    x[j] = sqrt(eigenvalue(key, j)) * normal_at(key, STREAM_X, t * d + j);
  }
  // x ← R_0 (R_1 (… R_{d−1} x)).
  for (var k = d; k > 0u; k--) {
    var vv = 0.0;
    var vx = 0.0;
    for (var j = 0u; j < d; j++) {
      v[j] = normal_at(key, STREAM_REFLECT, (k - 1u) * d + j);
      vv += v[j] * v[j];
      vx += v[j] * x[j];
    }
    let c = 2.0 * vx / vv;
    for (var j = 0u; j < d; j++) {
      x[j] -= c * v[j];
    }
  }
  var s = p.noise * normal_at(key, STREAM_NOISE, t);
  for (var j = 0u; j < d; j++) {
    s += normal_at(key, STREAM_W, j) * x[j];
  }
  var y = s;
  if (p.logistic == 1u) {
    y = select(-1.0, 1.0, s >= 0.0);
  }

  let width = p.zeros + d + 1u;
  let base = b * width * tokens + t;
  for (var r = 0u; r < p.zeros; r++) {
    prompts[base + r * tokens] = 0.0;
  }
  for (var j = 0u; j < d; j++) {
    prompts[base + (p.zeros + j) * tokens] = x[j];
  }
  prompts[base + (p.zeros + d) * tokens] = select(0.0, y, t < p.n);
  if (t == p.n) {
    if (p.logistic == 1u) {
      for (var j = 0u; j < d; j++) {
        targets[b * d + j] = normal_at(key, STREAM_W, j);
      }
    } else {
      targets[b] = y;
    }
  }
}

@compute @workgroup_size(1)
fn prompt_advance() {
  counter[0] += 1u;
}
