import { describe, expect, it } from 'vitest';
import { LimitError } from '../src/index.js';
import { GEMM, uniformValues } from '../src/gpu/gemm.js';
import { wgslConstant } from '../src/gpu/context.js';
import { checkBufferSize, workgroupGrid } from '../src/gpu/grid.js';
import { packUniform, reflect } from '../src/gpu/kernel.js';

const limits = { maxComputeWorkgroupsPerDimension: 65535, maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28 } as GPUSupportedLimits;

describe('layouts come from the WGSL (wgsl_reflect)', () => {
  it('gemm.wgsl bindings: one uniform, read-only operands, one writable output', () => {
    const info = reflect(GEMM);
    expect(info.bindings.map((b) => [b.name, b.binding, b.type])).toEqual([
      ['p', 0, 'uniform'],
      ['a', 1, 'read-only-storage'],
      ['b', 2, 'read-only-storage'],
      ['c', 3, 'storage'],
      ['r', 4, 'read-only-storage'],
      ['bias', 5, 'read-only-storage'],
      ['gate', 6, 'read-only-storage'],
    ]);
    expect([...info.overrides].sort()).toEqual(['BIAS', 'BLOCKED', 'DIAG', 'GATE', 'RELU', 'RESIDUAL', 'SYMMETRIC']);
    expect(info.workgroupSize[0]).toBe(wgslConstant(GEMM.code, 'THREADS'));
  });

  it('the TypeScript side fills exactly the uniform members the shader declares', () => {
    const values = uniformValues({
      label: 't', m: 3, n: 5, k: 7, batch: 2,
      a: ['x', { batch: 21, row: 7, col: 1 }], b: ['y', { batch: 0, row: 5, col: 1 }], c: ['z', { batch: 15, row: 5, col: 1 }],
    });
    expect(Object.keys(values).sort()).toEqual([...reflect(GEMM).uniform!.members.keys()].sort());
    const packed = new DataView(packUniform(GEMM, values));
    const at = (name: string) => packed.getUint32(reflect(GEMM).uniform!.members.get(name)!.offset, true);
    expect([at('m'), at('n'), at('k'), at('batch'), at('a_row'), at('c_batch'), at('a_block')]).toEqual([3, 5, 7, 2, 7, 15, 0xffffffff]);
  });

  it('packUniform refuses missing, unknown and non-u32 members', () => {
    const values = uniformValues({ label: 't', m: 1, n: 1, k: 1, batch: 1, a: ['x', { batch: 1, row: 1, col: 1 }], b: ['y', { batch: 1, row: 1, col: 1 }], c: ['z', { batch: 1, row: 1, col: 1 }] });
    const { m: _m, ...missing } = values;
    expect(() => packUniform(GEMM, missing)).toThrow(/'m' was not given/);
    expect(() => packUniform(GEMM, { ...values, extra: 1 })).toThrow(/no member 'extra'/);
    expect(() => packUniform(GEMM, { ...values, n: 1.5 })).toThrow(/expected a u32, got 1.5/);
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
