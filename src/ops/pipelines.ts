import { GEMM, gemmConstants, type GemmKernel } from '../gpu/gemm.js';
import type { Constants, ShaderSpec } from '../gpu/kernel.js';
import { NS_INIT, NS_INVERT, NS_INVERT_DIRECT, NS_RESIDUAL, NS_SCALE, NS_STEP, NS_STEP_DIRECT } from './newtonSchulz.js';

const g = (s: Parameters<typeof gemmConstants>[0]): [ShaderSpec, Constants] => [GEMM, gemmConstants(s)];

/**
 * Every pipeline variant the ops use, compiled up front by `createRuntime` so encoding never
 * compiles. A variant missing here still works (compiled on first use), just not ahead of time.
 */
export const PIPELINES: readonly [ShaderSpec, Constants][] = [
  // LSA: gram (symmetric), mix, fold (head-blocked A), apply (residual)
  g({ symmetric: true }),
  g({}),
  g({ a: ['u', { batch: 0, row: 0, col: 0, block: 1 }] }),
  g({ residual: 'r' }),
  // ReLU MLP: hidden (bias + ReLU), out (bias + residual)
  g({ bias: ['b', 0], relu: true }),
  g({ bias: ['b', 0], residual: 'r' }),
  // Newton–Schulz, ungated (single step) and gated (invert): AX and the Horner products,
  // then the final update, plain or symmetric
  ...[undefined, 'gate'].flatMap((gate) => [
    g({ gate }),
    g({ gate, gamma: 1 }),
    g({ gate, residual: 'r', gamma: 1 }),
    g({ gate, residual: 'r' }),
    g({ gate, residual: 'r', symmetric: true }),
  ]),
  [NS_SCALE, {}],
  [NS_INIT, {}],
  [NS_RESIDUAL, {}],
];

/** The fused small-matrix Newton–Schulz kernels (one step, whole inversions) of each GEMM schedule. */
export const FUSED_PIPELINES: Readonly<Record<GemmKernel, readonly [ShaderSpec, Constants][]>> = {
  tiled: [[NS_STEP, {}], [NS_INVERT, {}]],
  direct: [[NS_STEP_DIRECT, {}], [NS_INVERT_DIRECT, {}]],
};
