import { describe, expect, it } from 'vitest';
import gemmShader from '../shaders/gemm.wgsl';
import gemmSubgroupsShader from '../shaders/gemm_subgroups.wgsl';
import nsShader from '../shaders/newton_schulz.wgsl';
import type { GpuContext } from '../src/gpu/context.js';
import { gemm, gemmVariants, largeGemmOp, uniformValues } from '../src/gpu/gemm.js';
import { checkBufferSize, workgroupGrid } from '../src/gpu/grid.js';
import type { Op } from '../src/gpu/op.js';
import { deviceVariant } from '../src/gpu/pipelines.js';
import { Plan } from '../src/gpu/plan.js';
import { packUniform, shaderSource } from '../src/gpu/shader.js';
import { LimitError, LsaNewtonError } from '../src/index.js';
import { lsaOp } from '../src/ops/lsa.js';
import { FORWARD_OPS } from '../src/ops/registry.js';
import { familyVariants } from '../src/runtime.js';

const limits = {
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBufferBindingSize: 1 << 27,
  maxBufferSize: 1 << 28,
} as GPUSupportedLimits;
const G = gemmShader.entryPoints;
const view = { batch: 1, row: 1, col: 1 };

describe('layouts come from the WGSL, reflected at build time', () => {
  it('gemm.wgsl bindings: one uniform, read-only operands, one writable output', () => {
    expect(G.gemm.bindings.map((b) => [b.name, b.binding, b.type])).toEqual([
      ['p', 0, 'uniform'],
      ['a', 1, 'read-only-storage'],
      ['b', 2, 'read-only-storage'],
      ['c', 3, 'storage'],
      ['r', 4, 'read-only-storage'],
      ['bias', 5, 'read-only-storage'],
      ['gate', 6, 'read-only-storage'],
    ]);
    // The only specialisations are the two epilogue-free pipelines (docs/training.md).
    expect(G.gemm.overrides).toEqual(['PLAIN', 'RESIDUAL']);
  });

  it('workgroup sizes are the WGSL constants they are declared with (the large kernel: LARGE_THREADS, both forms)', () => {
    const { THREADS, LARGE_THREADS } = gemmShader.constants;
    for (const [name, e] of Object.entries(G))
      expect(e.workgroupSize).toEqual([name === 'gemm_direct_large' ? LARGE_THREADS : THREADS, 1, 1]);
    expect(gemmSubgroupsShader.entryPoints.gemm_direct_large.workgroupSize).toEqual([LARGE_THREADS, 1, 1]);
    for (const e of Object.values(nsShader.entryPoints)) expect(e.workgroupSize).toEqual([nsShader.constants.WG, 1, 1]);
  });

  it('the shipped shader source inflates to the compacted WGSL: entry points kept, no comments', async () => {
    const code = await shaderSource(gemmShader);
    expect(code).toContain('fn gemm_direct(');
    expect(code).not.toMatch(/\/\//);
  });

  it('the TypeScript side fills exactly the uniform members the shader declares', () => {
    const values = uniformValues({
      label: 't',
      m: 3,
      n: 5,
      k: 7,
      batch: 2,
      relu: true,
      bias: ['w', 0],
      a: ['x', { batch: 21, row: 7, col: 1 }],
      b: ['y', { batch: 0, row: 5, col: 1 }],
      c: ['z', { batch: 15, row: 5, col: 1 }],
    });
    expect(Object.keys(values).sort()).toEqual([...G.gemm.uniformMembers].sort());
    const packed = new DataView(packUniform('t', G.gemm, values));
    const at = (name: string) => packed.getUint32(G.gemm.uniform!.members[name]!.offset, true);
    expect([at('m'), at('n'), at('k'), at('batch'), at('inner'), at('a_row'), at('c_batch'), at('b_outer')]).toEqual([
      3, 5, 7, 2, 2, 7, 15, 0,
    ]);
    expect(at('flags')).toBe(gemmShader.constants.F_RELU | gemmShader.constants.F_BIAS);
  });

  it('packUniform refuses missing, unknown and non-u32 members', () => {
    const values = uniformValues({
      label: 't',
      m: 1,
      n: 1,
      k: 1,
      batch: 1,
      a: ['x', view],
      b: ['y', view],
      c: ['z', view],
    });
    const { m: _m, ...missing } = values;
    expect(() => packUniform('t', G.gemm, missing)).toThrow(/'m' was not given/);
    expect(() => packUniform('t', G.gemm, { ...values, extra: 1 })).toThrow(/no member 'extra'/);
    expect(() => packUniform('t', G.gemm, { ...values, n: 1.5 })).toThrow(/expected a u32, got 1.5/);
  });
});

describe('ops are declarations', () => {
  // A context whose device is never reached: plans must refuse before any GPU call.
  const untouchable = new Proxy(
    {},
    {
      get: (_, name) => {
        throw new Error(`GPU touched: device.${String(name)}`);
      },
    },
  );
  const ctx = {
    device: untouchable,
    limits: { ...limits, minUniformBufferOffsetAlignment: 256 },
    gemm: 'direct',
    prepared: new Set(),
    plans: new Set(),
  } as unknown as GpuContext;
  const product = gemm(
    { label: 'AB', m: 4, n: 4, k: 4, batch: 1, a: ['a', view], b: ['b', view], c: ['c', view] },
    'direct',
  );

  it('a plan refuses a pipeline variant its op did not declare (LsaNewtonError), before any GPU work', () => {
    // declares the 32-column direct GEMM only; a 4 × 4 product dispatches the small-matrix entry point
    const wideOnly: Op = {
      name: 'wideOnly',
      family: 'forward',
      variants: (g) => gemmVariants(g).filter((v) => v.entry.name !== 'gemm_direct_small'),
    };
    const spec = { label: 'T', slots: { a: 64, b: 64, c: 64 }, outputs: ['c'], steps: [product] };
    expect(() => new Plan(ctx, wideOnly, spec)).toThrow(LsaNewtonError);
    expect(() => new Plan(ctx, wideOnly, spec)).toThrow(
      /op 'wideOnly' did not declare pipeline gemm\.gemm_direct_small\{PLAIN\}/,
    );
  });

  it('a plan refuses a step that binds an unknown buffer', () => {
    const spec = { label: 'T', slots: { a: 64, b: 64 }, outputs: [], steps: [product] };
    expect(() => new Plan(ctx, lsaOp, spec)).toThrow(/binding 'c' names unknown buffer 'c'/);
  });

  it('each schedule compiles only its own GEMM entry points', async () => {
    const keys = async (g: 'tiled' | 'direct') =>
      (await familyVariants('forward', g)).map((v) => v.key).filter((k) => k.startsWith('gemm.'));
    expect((await keys('tiled')).every((k) => k.startsWith('gemm.gemm{'))).toBe(true);
    expect((await keys('direct')).every((k) => k.startsWith('gemm.gemm_direct'))).toBe(true);
    expect(FORWARD_OPS.every((op) => op.variants('direct').length > 0 && op.variants('tiled').length > 0)).toBe(true);
  });
});

describe("the 'large' family: the direct schedule's large-product GEMM as a step upgrade", () => {
  const step = (m: number, n: number, k: number, batch: number, kernel: 'tiled' | 'direct' = 'direct') =>
    gemm({ label: 'P', m, n, k, batch, a: ['a', view], b: ['b', view], c: ['c', view] }, kernel);

  it("the forward family does not declare it; the 'large' family declares 3 pipelines on direct, none on tiled", async () => {
    for (const g of ['tiled', 'direct'] as const) {
      expect((await familyVariants('forward', g)).some((v) => v.entry.name === 'gemm_direct_large')).toBe(false);
    }
    expect((await familyVariants('large', 'direct')).map((v) => v.key)).toEqual([
      'gemm.gemm_direct_large{}',
      'gemm.gemm_direct_large{PLAIN}',
      'gemm.gemm_direct_large{RESIDUAL}',
    ]);
    expect(await familyVariants('large', 'tiled')).toEqual([]);
  });

  it('a qualifying step carries the upgrade: one quad per 64 × 64 block, the subgroup form beside it', () => {
    const s = step(97, 131, 72, 3);
    expect(s.variant.key).toBe('gemm.gemm_direct{PLAIN}');
    expect(s.upgrade?.family).toBe('large');
    expect(s.upgrade?.op).toBe(largeGemmOp);
    expect(s.upgrade?.step.variant.key).toBe('gemm.gemm_direct_large{PLAIN}');
    expect(s.upgrade?.step.variant.subgroups?.key).toBe('gemm_subgroups.gemm_direct_large{PLAIN}');
    expect(s.upgrade?.step.invocations).toBe(4 * 2 * 3 * 3);
    expect(s.upgrade?.step.uniform).toEqual(s.uniform);
  });

  it('no upgrade when k is not a multiple of 8, m or n is below 64, there are fewer than 8 blocks, or on tiled', () => {
    expect(step(97, 131, 68, 3).upgrade).toBeUndefined();
    expect(step(63, 640, 64, 8).upgrade).toBeUndefined();
    expect(step(128, 128, 128, 1).upgrade).toBeUndefined(); // 2 × 2 blocks
    expect(step(128, 128, 128, 2).upgrade).toBeDefined(); // 8 blocks
    expect(step(512, 512, 512, 1, 'tiled').upgrade).toBeUndefined();
  });

  it('the subgroup form is what a device with the subgroups feature compiles and dispatches', () => {
    const v = step(512, 512, 512, 1).upgrade!.step.variant;
    const withFeature = { features: new Set(['subgroups']) } as unknown as GPUDevice;
    const without = { features: new Set<string>() } as unknown as GPUDevice;
    expect(deviceVariant(withFeature, v).key).toBe('gemm_subgroups.gemm_direct_large{PLAIN}');
    expect(deviceVariant(without, v)).toBe(v);
    expect(deviceVariant(withFeature, step(8, 8, 8, 1).variant).key).toBe('gemm.gemm_direct_small{PLAIN}');
  });
});

describe('dispatch limits', () => {
  it('folds more than 65535 workgroups into two dimensions, covering every one', () => {
    expect(workgroupGrid(1, limits, 't')).toEqual([1, 1]);
    expect(workgroupGrid(65535, limits, 't')).toEqual([65535, 1]);
    for (const total of [65536, 70000, 1_000_003, 65535 * 65535]) {
      const [x, y] = workgroupGrid(total, limits, 't');
      expect(x).toBeLessThanOrEqual(65535);
      expect(y).toBeLessThanOrEqual(65535);
      expect(x * y).toBeGreaterThanOrEqual(total);
      expect(x * (y - 1)).toBeLessThan(total); // no wholly empty row
    }
  });

  it('refuses what cannot be folded, naming the limit', () => {
    expect(() => workgroupGrid(65535 * 65535 + 1, limits, 'Lsa gram')).toThrow(LimitError);
    expect(() => workgroupGrid(65535 * 65535 + 1, limits, 'Lsa gram')).toThrow(/maxComputeWorkgroupsPerDimension/);
    expect(() => checkBufferSize('tokens', (1 << 27) + 4, limits)).toThrow(/maxStorageBufferBindingSize = 134217728/);
    expect(() => checkBufferSize('tokens', 1 << 27, limits)).not.toThrow();
  });
});
