// LayerNorm over the D rows of each token column, and its VJP (one invocation per column):
//   y = gain ⊙ x̂ + bias,  x̂ = (x − mean) / sqrt(var + EPS)  (biased variance)
//   dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),  ĝ = gain ⊙ dy

struct Params {
  columns: u32,   // batch × tokens
  width: u32,     // D
  tokens: u32,    // N
  gain_off: u32,  // gain [D] and bias [D] inside `params`
  bias_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;           // [B, D, N]
@group(0) @binding(2) var<storage, read> params: array<f32>;      // [.., gain (D), .., bias (D), ..]
@group(0) @binding(3) var<storage, read_write> y: array<f32>;     // [B, D, N] (forward: output; backward: dx)
@group(0) @binding(4) var<storage, read> dy: array<f32>;          // [B, D, N] gradient of the LN output
@group(0) @binding(5) var<storage, read> r: array<f32>;           // [B, D, N] residual gradient added to dx
@group(0) @binding(6) var<storage, read_write> dy_xhat: array<f32>;  // [B, D, N] dy ⊙ x̂ (for dgain)

// Backward: dx += r (the gradient that skips the norm, as in LSA with a pre-LN).
override RESIDUAL: bool = false;

const EPS: f32 = 1e-5;
const WG: u32 = 64u;

struct Column {
  base: u32,   // index of row 0 of this column
  mean: f32,
  rstd: f32,
}

fn column(linear: u32) -> Column {
  let b = linear / p.tokens;
  let base = b * p.width * p.tokens + linear % p.tokens;
  var mean = 0.0;
  for (var i = 0u; i < p.width; i++) {
    mean += x[base + i * p.tokens];
  }
  mean /= f32(p.width);
  var variance = 0.0;
  for (var i = 0u; i < p.width; i++) {
    let c = x[base + i * p.tokens] - mean;
    variance += c * c;
  }
  variance /= f32(p.width);
  return Column(base, mean, inverseSqrt(variance + EPS));
}

@compute @workgroup_size(WG)
fn layer_norm(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let linear = gid.x + gid.y * nwg.x * WG;
  if (linear >= p.columns) {
    return;
  }
  let c = column(linear);
  for (var i = 0u; i < p.width; i++) {
    let idx = c.base + i * p.tokens;
    y[idx] = params[p.gain_off + i] * (x[idx] - c.mean) * c.rstd + params[p.bias_off + i];
  }
}

@compute @workgroup_size(WG)
fn layer_norm_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let linear = gid.x + gid.y * nwg.x * WG;
  if (linear >= p.columns) {
    return;
  }
  let c = column(linear);
  var mean_g = 0.0;
  var mean_gx = 0.0;
  for (var i = 0u; i < p.width; i++) {
    let idx = c.base + i * p.tokens;
    let xhat = (x[idx] - c.mean) * c.rstd;
    let g = params[p.gain_off + i] * dy[idx];
    mean_g += g;
    mean_gx += g * xhat;
    dy_xhat[idx] = dy[idx] * xhat;
  }
  mean_g /= f32(p.width);
  mean_gx /= f32(p.width);
  for (var i = 0u; i < p.width; i++) {
    let idx = c.base + i * p.tokens;
    let xhat = (x[idx] - c.mean) * c.rstd;
    var v = c.rstd * (params[p.gain_off + i] * dy[idx] - mean_g - xhat * mean_gx);
    if (RESIDUAL) {
      v += r[idx];
    }
    y[idx] = v;
  }
}
