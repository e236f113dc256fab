import { ShapeError, ValueError } from './errors.js';

/** The paper's in-context tasks, sampled from a counter-based RNG (docs/training.md). */
export interface PromptTask {
  kind: 'linear' | 'logistic';
  /** Features per example. */
  d: number;
  /** In-context examples per prompt (the query is one more column). */
  n: number;
  batch: number;
  /** Integer in [0, 2³²). */
  seed: number;
  /** Zero rows above the features (default 0). */
  dZeros?: number;
  /** Condition number of the feature covariance U S Uᵀ, ≥ 1 (default 1: S = λ I). */
  kappa?: number;
  /** Standard deviation of the label noise, ≥ 0 (default 0). */
  noise?: number;
}

/** A task with its defaults filled in, checked. */
export type ResolvedPromptTask = Required<PromptTask>;

/** Checks a task (typed errors, "expected …, got …") and fills in the defaults. */
export function resolvePromptTask(what: string, task: PromptTask): ResolvedPromptTask {
  if (task === null || typeof task !== 'object')
    throw new ValueError(`${what}: expected a task object, got ${String(task)}`);
  if (task.kind !== 'linear' && task.kind !== 'logistic') {
    throw new ValueError(`${what}: expected kind 'linear' or 'logistic', got ${JSON.stringify(task.kind)}`);
  }
  for (const name of ['d', 'n', 'batch'] as const) {
    const v = task[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new ShapeError(`${what}: expected ${name} to be a positive integer, got ${String(v)}`);
    }
  }
  const dZeros = task.dZeros ?? 0;
  if (typeof dZeros !== 'number' || !Number.isInteger(dZeros) || dZeros < 0) {
    throw new ShapeError(`${what}: expected dZeros to be a non-negative integer, got ${String(dZeros)}`);
  }
  if (typeof task.seed !== 'number' || !Number.isInteger(task.seed) || task.seed < 0 || task.seed >= 2 ** 32) {
    throw new ValueError(`${what}: expected seed to be an integer in [0, 2^32), got ${String(task.seed)}`);
  }
  const kappa = task.kappa ?? 1;
  if (typeof kappa !== 'number' || !Number.isFinite(kappa) || kappa < 1) {
    throw new ValueError(`${what}: expected kappa ≥ 1 (finite), got ${String(kappa)}`);
  }
  const noise = task.noise ?? 0;
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0) {
    throw new ValueError(`${what}: expected noise ≥ 0 (finite), got ${String(noise)}`);
  }
  return { kind: task.kind, d: task.d, n: task.n, batch: task.batch, seed: task.seed, dZeros, kappa, noise };
}

/** Token shape of a task's prompts: [batch, dZeros + d + 1, n + 1]. */
export function promptShape(t: ResolvedPromptTask): [number, number, number] {
  return [t.batch, t.dZeros + t.d + 1, t.n + 1];
}

/** Target shape: the query label [batch, 1] (linear) or w* [batch, d] (logistic). */
export function promptTargetShape(t: ResolvedPromptTask): [number, number] {
  return [t.batch, t.kind === 'linear' ? 1 : t.d];
}
