import { ValueError } from '../errors.js';
import { type PromptTask, promptShape, promptTargetShape, resolvePromptTask } from '../promptTask.js';

/** One step's prompts in float64, with each prompt's covariance factors (Σ = U diag(λ) Uᵀ). */
export interface ReferencePrompts {
  /** [batch, dZeros + d + 1, n + 1]. */
  input: Float64Array;
  /** [batch, 1] (linear) or [batch, d] (logistic). */
  target: Float64Array;
  /** Per prompt: U (d×d row-major, orthogonal) and the eigenvalues λ. */
  covariance: { u: Float64Array; lambda: Float64Array }[];
}

// The counter-based generator shared, bit for bit, with shaders/prompt_sampler.wgsl.
const STREAM = { lambda: 0, reflect: 1, x: 2, w: 3, noise: 4 } as const;

/** PCG output permutation of an LCG step on u32. */
export function pcgHash(v: number): number {
  const s = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const w = Math.imul(((s >>> ((s >>> 28) + 4)) ^ s) >>> 0, 277803737) >>> 0;
  return ((w >>> 22) ^ w) >>> 0;
}

function uniformAt(key: number, stream: number, index: number): number {
  const h = pcgHash((pcgHash((key ^ stream) >>> 0) ^ index) >>> 0);
  return ((h >>> 9) + 0.5) / 8388608;
}

function normalAt(key: number, stream: number, index: number): number {
  const u1 = uniformAt(key, stream, 2 * index);
  const u2 = uniformAt(key, stream, 2 * index + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(Math.PI * (2 * u2 - 1));
}

/**
 * Float64 twin of `runtime.createPromptSampler(task)` at one step: the same random numbers, the
 * covariance factor U built as an explicit product of Householder reflections, x = U diag(√λ) z.
 */
export function promptSampler(task: PromptTask, step: number): ReferencePrompts {
  const t = resolvePromptTask('reference.promptSampler', task);
  if (!Number.isInteger(step) || step < 0 || step >= 2 ** 32) {
    throw new ValueError(`reference.promptSampler: expected step to be an integer in [0, 2^32), got ${String(step)}`);
  }
  const { d, n, dZeros, kappa, noise } = t;
  const [batch, width, tokens] = promptShape(t);
  const input = new Float64Array(batch * width * tokens);
  const target = new Float64Array(promptTargetShape(t).reduce((a, b) => a * b));
  const covariance: ReferencePrompts['covariance'] = [];
  for (let b = 0; b < batch; b++) {
    const key = pcgHash((pcgHash((pcgHash(t.seed) ^ step) >>> 0) ^ b) >>> 0);
    const top = 1 + 99 * uniformAt(key, STREAM.lambda, 0);
    const bottom = top / kappa;
    const lambda = Float64Array.from({ length: d }, (_, j) =>
      j === 0 ? top : j === 1 ? bottom : bottom + uniformAt(key, STREAM.lambda, j) * (top - bottom),
    );
    // U = R_0 R_1 … R_{d−1}, R_k = I − 2 v vᵀ / vᵀv.
    let u = Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0));
    for (let k = 0; k < d; k++) {
      const v = Float64Array.from({ length: d }, (_, j) => normalAt(key, STREAM.reflect, k * d + j));
      const vv = v.reduce((s, x) => s + x * x, 0);
      const next = new Float64Array(d * d);
      for (let r = 0; r < d; r++) {
        for (let c = 0; c < d; c++) {
          let s = 0;
          for (let m = 0; m < d; m++) s += u[r * d + m]! * ((m === c ? 1 : 0) - (2 * v[m]! * v[c]!) / vv);
          next[r * d + c] = s;
        }
      }
      u = next;
    }
    covariance.push({ u, lambda });
    const w = Float64Array.from({ length: d }, (_, j) => normalAt(key, STREAM.w, j));
    for (let c = 0; c < tokens; c++) {
      const z = Float64Array.from({ length: d }, (_, j) => Math.sqrt(lambda[j]!) * normalAt(key, STREAM.x, c * d + j));
      let s = noise * normalAt(key, STREAM.noise, c);
      for (let r = 0; r < d; r++) {
        let x = 0;
        for (let m = 0; m < d; m++) x += u[r * d + m]! * z[m]!;
        input[(b * width + dZeros + r) * tokens + c] = x;
        s += w[r]! * x;
      }
      const y = t.kind === 'linear' ? s : s >= 0 ? 1 : -1;
      if (c < n) input[(b * width + dZeros + d) * tokens + c] = y;
      else if (t.kind === 'linear') target[b] = y;
      else target.set(w, b * d);
    }
  }
  return { input, target, covariance };
}
