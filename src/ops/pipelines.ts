import { LimitError } from '../errors.js';
import { GEMM, GEMM_DIRECT, GEMM_DIRECT_SMALL, gemmConstants, type GemmKernel } from '../gpu/gemm.js';
import { compilePipeline, reflect, type Constants, type ShaderSpec } from '../gpu/kernel.js';
import { CLIP } from './clip.js';
import { LAYER_NORM } from './layerNorm.js';
import { NS_INIT, NS_RESIDUAL, NS_SCALE } from './newtonSchulz.js';

export const g = (s: Parameters<typeof gemmConstants>[0]): [ShaderSpec, Constants] => [GEMM, gemmConstants(s)];

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
  [LAYER_NORM, {}],
  [CLIP, {}],
  [NS_SCALE, {}],
  [NS_INIT, {}],
  [NS_RESIDUAL, {}],
];

/**
 * Compiles a family of variants for `device` (GEMM entries become the schedule's own entry
 * points), after checking each against the device's storage-buffer limit.
 */
export async function compileAll(device: GPUDevice, what: string, list: readonly [ShaderSpec, Constants][], kernel: GemmKernel): Promise<void> {
  const pipelines = list.flatMap(([spec, constants]) =>
    spec !== GEMM ? [[spec, constants] as const] : kernel === 'tiled' ? [[GEMM, constants] as const] : [[GEMM_DIRECT, constants] as const, [GEMM_DIRECT_SMALL, constants] as const],
  );
  for (const [spec] of pipelines) {
    const storage = reflect(spec).bindings.filter((b) => b.type !== 'uniform').length;
    if (storage > device.limits.maxStorageBuffersPerShaderStage) {
      throw new LimitError(
        `${what}: ${spec.label} binds ${storage} storage buffers, more than maxStorageBuffersPerShaderStage = ${device.limits.maxStorageBuffersPerShaderStage}`,
      );
    }
  }
  await Promise.all(pipelines.map(([spec, constants]) => compilePipeline(device, spec, constants)));
}
