// Benchmark tooling, not an op: the adapter's own roofline, measured in the same run as the
// kernels it judges, from shaders/roofline.wgsl with plain WebGPU pipelines.
import { median } from '../tools/stats.js';

export interface Roofline {
  /** Arithmetic ceiling: FMA chains in registers, median over samples. */
  fmaGflops: number;
  /** Memory ceiling: bytes read + written per second by a vec4 copy. */
  copyGBps: number;
  /** Submit → `onSubmittedWorkDone` of one empty dispatch, median. */
  emptyMs: number;
  samples: { fmaGflops: number[]; copyGBps: number[]; emptyMs: number[] };
}

/** `const NAME: u32 = 123u;` from the shader: the value is written once, in the WGSL. */
function wgslU32(code: string, name: string): number {
  const m = new RegExp(`const\\s+${name}\\s*:\\s*u32\\s*=\\s*(\\d+)u\\s*;`).exec(code);
  if (!m) throw new Error(`roofline.wgsl: no 'const ${name}: u32'`);
  return Number(m[1]);
}

/**
 * Measures the device's roofline (wall clock, submit → done; one untimed warm-up each).
 * `quick` shrinks the work for CI. Allocates and frees its own buffers.
 */
export async function measureRoofline(device: GPUDevice, options: { quick?: boolean; samples?: number } = {}) {
  const code = await (await fetch('/shaders/roofline.wgsl')).text();
  const FLOPS_PER_TRIP = wgslU32(code, 'FLOPS_PER_TRIP');
  const WG = wgslU32(code, 'WG');
  const quick = options.quick ?? false;
  const samples = options.samples ?? (quick ? 3 : 5);
  const workgroups = 256;
  const iterations = quick ? 256 : 2048;
  const count = Math.min((quick ? 1 : 4) << 20, Math.floor(device.limits.maxStorageBufferBindingSize / 16));
  const module = device.createShaderModule({ label: 'roofline', code });
  const src = device.createBuffer({ label: 'roofline.src', size: count * 16, usage: GPUBufferUsage.STORAGE });
  const dst = device.createBuffer({ label: 'roofline.dst', size: count * 16, usage: GPUBufferUsage.STORAGE });
  const uniforms: GPUBuffer[] = [];
  // Params { iterations: u32, count: u32 } at binding 0; `layout: 'auto'` keeps only the bindings an entry uses.
  const dispatch = async (entryPoint: string, params: [number, number] | null, used: GPUBuffer[], groups: number) => {
    const pipeline = await device.createComputePipelineAsync({
      label: entryPoint,
      layout: 'auto',
      compute: { module, entryPoint },
    });
    const entries: GPUBindGroupEntry[] = [];
    if (params) {
      const uniform = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(uniform, 0, new Uint32Array([params[0], params[1], 0, 0]));
      uniforms.push(uniform);
      entries.push({ binding: 0, resource: { buffer: uniform } });
    }
    for (const b of used) entries.push({ binding: b === src ? 1 : 2, resource: { buffer: b } });
    const bindGroup = entries.length
      ? device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries })
      : null;
    return async (): Promise<number> => {
      const encoder = device.createCommandEncoder({ label: `roofline.${entryPoint}` });
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      if (bindGroup) pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(Math.min(groups, 65535), Math.ceil(groups / 65535));
      pass.end();
      const t0 = performance.now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      return performance.now() - t0;
    };
  };
  try {
    const fma = await dispatch('fma_peak', [iterations, 0], [dst], workgroups);
    const copy = await dispatch('copy', [0, count], [src, dst], Math.ceil(count / WG));
    const empty = await dispatch('empty', null, [], 1);
    for (const run of [fma, copy, empty]) await run();
    const result: Roofline['samples'] = { fmaGflops: [], copyGBps: [], emptyMs: [] };
    for (let s = 0; s < samples; s++) {
      result.fmaGflops.push((workgroups * WG * iterations * FLOPS_PER_TRIP) / (await fma()) / 1e6);
      result.copyGBps.push((2 * count * 16) / (await copy()) / 1e6);
      result.emptyMs.push(await empty());
    }
    const roofline: Roofline = {
      fmaGflops: median(result.fmaGflops),
      copyGBps: median(result.copyGBps),
      emptyMs: median(result.emptyMs),
      samples: result,
    };
    return roofline;
  } finally {
    for (const b of [src, dst, ...uniforms]) b.destroy();
  }
}
