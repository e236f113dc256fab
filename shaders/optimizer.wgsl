// Fused optimizer over one flat parameter buffer. A step whose loss or gradient norm is not
// finite changes nothing (weights, moments, step count): decided here, on the GPU.
//   square_sum        partial[i] = Σ g² over chunk i (then summed in a fixed order)
//   optimizer_update  Adam (bias-corrected, decoupled weight decay on matrices) or SGD, with
//                     global-norm clipping and lr(t) = lr · min(1, t / warmup) · cosine decay
//   optimizer_advance t ← t + 1 (after every update of the step has read t)

struct Params {
  count: u32,          // parameters
  chunks: u32,         // square_sum partials
  learning_rate: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  weight_decay: f32,
  clip_norm: f32,      // 0: no clipping
  warmup: f32,         // steps of linear warm-up (0: none)
  decay_steps: f32,    // steps of cosine decay after warm-up (0: constant)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;   // [P]
@group(0) @binding(2) var<storage, read> grads: array<f32>;          // [P]
@group(0) @binding(3) var<storage, read_write> m: array<f32>;        // [P] first moment
@group(0) @binding(4) var<storage, read_write> v: array<f32>;        // [P] second moment
@group(0) @binding(5) var<storage, read> decay: array<f32>;          // [P] 1 on weight matrices, else 0
@group(0) @binding(6) var<storage, read> stats: array<f32>;          // [2] loss, ‖g‖²
@group(0) @binding(7) var<storage, read_write> state: array<f32>;    // [1] updates applied so far
@group(0) @binding(8) var<storage, read_write> partial: array<f32>;  // [chunks]

override ADAM: bool = true;

const WG: u32 = 64u;
const CHUNK: u32 = 256u;
const PI: f32 = 3.14159265358979;

// Exponent bits all set = Inf or NaN (comparisons with NaN may be optimised away, bits cannot).
fn finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn step_ok() -> bool {
  return finite(stats[0]) && finite(stats[1]);
}

fn rate(t: f32) -> f32 {
  var lr = p.learning_rate;
  if (p.warmup > 0.0) {
    lr *= min(1.0, t / p.warmup);
  }
  if (p.decay_steps > 0.0) {
    let progress = clamp((t - p.warmup) / p.decay_steps, 0.0, 1.0);
    lr *= 0.5 * (1.0 + cos(PI * progress));
  }
  return lr;
}

@compute @workgroup_size(WG)
fn square_sum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = gid.x + gid.y * nwg.x * WG;
  if (c >= p.chunks) {
    return;
  }
  var s = 0.0;
  let end = min(p.count, (c + 1u) * CHUNK);
  for (var i = c * CHUNK; i < end; i++) {
    s += grads[i] * grads[i];
  }
  partial[c] = s;
}

@compute @workgroup_size(WG)
fn optimizer_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.count || !step_ok()) {
    return;
  }
  let t = state[0] + 1.0;
  var g = grads[i];
  let norm = sqrt(stats[1]);
  if (p.clip_norm > 0.0 && norm > p.clip_norm) {
    g *= p.clip_norm / norm;
  }
  let lr = rate(t);
  if (ADAM) {
    let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
    let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let mhat = mi / (1.0 - pow(p.beta1, t));
    let vhat = vi / (1.0 - pow(p.beta2, t));
    params[i] -= lr * (mhat / (sqrt(vhat) + p.epsilon) + p.weight_decay * decay[i] * params[i]);
  } else {
    params[i] -= lr * g;
  }
}

@compute @workgroup_size(1)
fn optimizer_advance() {
  if (step_ok()) {
    state[0] += 1.0;
  }
}
