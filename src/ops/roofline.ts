import rooflineCode from '../../shaders/roofline.wgsl?raw';
import { wgslConstant, type GpuContext } from '../gpu/context.js';
import { Program } from '../gpu/program.js';
import type { ShaderSpec } from '../gpu/kernel.js';

const FMA: ShaderSpec = { label: 'Roofline.fma', code: rooflineCode, entryPoint: 'fma_peak' };
const COPY: ShaderSpec = { label: 'Roofline.copy', code: rooflineCode, entryPoint: 'copy' };
const EMPTY: ShaderSpec = { label: 'Roofline.empty', code: rooflineCode, entryPoint: 'empty' };
const FLOPS_PER_TRIP = wgslConstant(rooflineCode, 'FLOPS_PER_TRIP');
const WG = wgslConstant(rooflineCode, 'WG');

export interface Roofline {
  /** Arithmetic ceiling: FMA chains in registers, median over samples. */
  fmaGflops: number;
  /** Memory ceiling: bytes read + written per second by a vec4 copy. */
  copyGBps: number;
  /** Submit → `onSubmittedWorkDone` of one empty dispatch, median. */
  emptyMs: number;
  samples: { fmaGflops: number[]; copyGBps: number[]; emptyMs: number[] };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Measures the device's own roofline (wall clock, submit → done; one untimed warm-up each).
 * `quick` shrinks the work for CI. Allocates and frees its own buffers.
 */
export async function measureRoofline(device: GPUDevice, options: { quick?: boolean; samples?: number } = {}): Promise<Roofline> {
  const quick = options.quick ?? false;
  const samples = options.samples ?? (quick ? 3 : 5);
  const placeholder = device.createBuffer({ label: 'Roofline.placeholder', size: 16, usage: GPUBufferUsage.STORAGE });
  const ctx: GpuContext = { device, limits: device.limits, placeholder, gemm: 'tiled' };
  const workgroups = 256;
  const iterations = quick ? 256 : 2048;
  const count = Math.min((quick ? 1 : 4) << 20, Math.floor(device.limits.maxStorageBufferBindingSize / 16));
  const src = device.createBuffer({ label: 'Roofline.src', size: count * 16, usage: GPUBufferUsage.STORAGE });
  const dst = device.createBuffer({ label: 'Roofline.dst', size: count * 16, usage: GPUBufferUsage.STORAGE });
  const programs = {
    fma: new Program(ctx, 'Roofline.fma', [{ label: 'fma', spec: FMA, constants: {}, uniform: { iterations, count: 0 }, workgroups, buffers: { dst: 'dst' } }]),
    copy: new Program(ctx, 'Roofline.copy', [{ label: 'copy', spec: COPY, constants: {}, uniform: { iterations: 0, count }, workgroups: Math.ceil(count / WG), buffers: { src: 'src', dst: 'dst' } }]),
    empty: new Program(ctx, 'Roofline.empty', [{ label: 'empty', spec: EMPTY, constants: {}, uniform: {}, workgroups: 1, buffers: {} }]),
  };
  const once = async (program: Program): Promise<number> => {
    const encoder = device.createCommandEncoder({ label: 'Roofline.encoder' });
    const pass = encoder.beginComputePass();
    program.record(pass, { src, dst });
    pass.end();
    const t0 = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  };
  try {
    const result: Roofline['samples'] = { fmaGflops: [], copyGBps: [], emptyMs: [] };
    for (const name of ['fma', 'copy', 'empty'] as const) await once(programs[name]);
    for (let s = 0; s < samples; s++) {
      result.fmaGflops.push((workgroups * WG * iterations * FLOPS_PER_TRIP) / (await once(programs.fma)) / 1e6);
      result.copyGBps.push((2 * count * 16) / (await once(programs.copy)) / 1e6);
      result.emptyMs.push(await once(programs.empty));
    }
    return { fmaGflops: median(result.fmaGflops), copyGBps: median(result.copyGBps), emptyMs: median(result.emptyMs), samples: result };
  } finally {
    for (const p of Object.values(programs)) p.destroy();
    for (const b of [src, dst, placeholder]) b.destroy();
  }
}
