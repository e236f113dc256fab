// Benchmark tooling, not an op: the adapter's own roofline, measured in the same run as the
// kernels it judges, from shaders/roofline.wgsl with plain WebGPU pipelines.
import { median } from '../tools/stats.js';

export interface Roofline {
  /** Arithmetic ceiling: the fastest FMA kernel's median over samples. */
  fmaGflops: number;
  /** Which `fma_*` kernel of roofline.wgsl that was (`+MAD`: compiled with MAD, multiply then add). */
  fmaKernel: string;
  /** Median GFLOP/s of every `fma_*` kernel, by entry point. */
  fmaKernels: Record<string, number>;
  /** Memory ceiling: bytes read + written per second by a vec4 copy. */
  copyGBps: number;
  /** Submit → `onSubmittedWorkDone` of one empty dispatch, median. */
  emptyMs: number;
  /** Samples of the fastest FMA kernel, the copy and the empty dispatch. */
  samples: { fmaGflops: number[]; copyGBps: number[]; emptyMs: number[] };
}

/** `const NAME: u32 = 123u;` from the shader: the value is written once, in the WGSL. */
function wgslU32(code: string, name: string): number {
  const m = new RegExp(`const\\s+${name}\\s*:\\s*u32\\s*=\\s*(\\d+)u\\s*;`).exec(code);
  if (!m) throw new Error(`roofline.wgsl: no 'const ${name}: u32'`);
  return Number(m[1]);
}

/** The FMA kernels of roofline.wgsl: compute entry points named `fma_*`. */
function fmaKernels(code: string): string[] {
  return [...code.matchAll(/@compute[^\n]*\nfn (fma_\w+)\(/g)].map((m) => m[1]!);
}

/**
 * Measures the device's roofline (wall clock, submit → done; one untimed warm-up each).
 * `quick` shrinks the work for CI. Allocates and frees its own buffers.
 */
export async function measureRoofline(device: GPUDevice, options: { quick?: boolean; samples?: number } = {}) {
  const code = await (await fetch('/shaders/roofline.wgsl')).text();
  const kernels = fmaKernels(code);
  if (kernels.length === 0) throw new Error('roofline.wgsl: no fma_* entry point');
  const WG = wgslU32(code, 'WG');
  const quick = options.quick ?? false;
  const samples = options.samples ?? (quick ? 3 : 5);
  const workgroups = 256;
  // FLOPs per invocation per sample, the same for every FMA kernel.
  const flopsPerInvocation = (quick ? 256 : 2048) * 64;
  const count = Math.min((quick ? 1 : 4) << 20, Math.floor(device.limits.maxStorageBufferBindingSize / 16));
  const module = device.createShaderModule({ label: 'roofline', code });
  const src = device.createBuffer({ label: 'roofline.src', size: count * 16, usage: GPUBufferUsage.STORAGE });
  const dst = device.createBuffer({ label: 'roofline.dst', size: count * 16, usage: GPUBufferUsage.STORAGE });
  const uniforms: GPUBuffer[] = [];
  // Params { count: u32 } at binding 0 (copy); the FMA kernels take their trip count as the
  // pipeline constant TRIPS. `layout: 'auto'` keeps only the bindings an entry uses.
  const dispatch = async (
    entryPoint: string,
    count: number | null,
    used: GPUBuffer[],
    groups: number,
    constants: Record<string, number> = {},
  ) => {
    const pipeline = await device.createComputePipelineAsync({
      label: entryPoint,
      layout: 'auto',
      compute: { module, entryPoint, constants },
    });
    const entries: GPUBindGroupEntry[] = [];
    if (count !== null) {
      const uniform = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(uniform, 0, new Uint32Array([count, 0, 0, 0]));
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
    // Every FMA kernel twice: with `fma` and with a multiply then an add (the MAD constant).
    const shapes = kernels.flatMap((entry) => [false, true].map((mad) => ({ entry, mad })));
    const fma = await Promise.all(
      shapes.map(async ({ entry, mad }) => {
        const perTrip = wgslU32(code, `FLOPS_PER_TRIP_${entry.slice('fma_'.length).toUpperCase()}`);
        const iterations = Math.max(1, Math.round(flopsPerInvocation / perTrip));
        const run = await dispatch(entry, null, [dst], workgroups, { TRIPS: iterations, MAD: Number(mad) });
        const name = mad ? `${entry}+MAD` : entry;
        return { name, run, flops: workgroups * WG * iterations * perTrip, gflops: [] as number[] };
      }),
    );
    const copy = await dispatch('copy', count, [src, dst], Math.ceil(count / WG));
    const empty = await dispatch('empty', null, [], 1);
    for (const run of [...fma.map((k) => k.run), copy, empty]) await run();
    const result: Roofline['samples'] = { fmaGflops: [], copyGBps: [], emptyMs: [] };
    // Kernels interleaved within each sample, so a slow moment of the machine hits them all.
    for (let s = 0; s < samples; s++) {
      for (const k of fma) k.gflops.push(k.flops / (await k.run()) / 1e6);
      result.copyGBps.push((2 * count * 16) / (await copy()) / 1e6);
      result.emptyMs.push(await empty());
    }
    const fmaKernelMedians = Object.fromEntries(fma.map((k) => [k.name, median(k.gflops)]));
    const best = fma.reduce((x, y) => (median(y.gflops) > median(x.gflops) ? y : x));
    result.fmaGflops = best.gflops;
    const roofline: Roofline = {
      fmaGflops: median(best.gflops),
      fmaKernel: best.name,
      fmaKernels: fmaKernelMedians,
      copyGBps: median(result.copyGBps),
      emptyMs: median(result.emptyMs),
      samples: result,
    };
    return roofline;
  } finally {
    for (const b of [src, dst, ...uniforms]) b.destroy();
  }
}
