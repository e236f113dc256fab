// MSE on chosen output entries: for prompt b and chosen row r (rows[r] of the output, at `token`),
//   e = output[b, rows[r], token] − targets[b, r],   term = e² · scale,   dL/dout = 2 e · scale
// with scale = 1 / (batch · R). Other entries of grad_out are never written (they stay zero).

struct Params {
  count: u32,    // batch × R
  rows: u32,     // R
  width: u32,    // D
  tokens: u32,   // N
  token: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> output: array<f32>;            // [B, D, N]
@group(0) @binding(2) var<storage, read> targets: array<f32>;         // [B, R]
@group(0) @binding(3) var<storage, read> row_index: array<f32>;       // [R] row numbers (exact in f32)
@group(0) @binding(4) var<storage, read_write> grad_out: array<f32>;  // [B, D, N]
@group(0) @binding(5) var<storage, read_write> terms: array<f32>;     // [B, R]

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn mse_loss(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.count) {
    return;
  }
  let b = i / p.rows;
  let idx = (b * p.width + u32(row_index[i % p.rows])) * p.tokens + p.token;
  let e = output[idx] - targets[i];
  grad_out[idx] = 2.0 * e * p.scale;
  terms[i] = e * e * p.scale;
}
