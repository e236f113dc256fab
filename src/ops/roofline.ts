import roofline from '../../shaders/roofline.wgsl';

const { FLOPS_PER_TRIP, WG } = roofline.constants;

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
  const workgroups = 256;
  const iterations = quick ? 256 : 2048;
  const count = Math.min((quick ? 1 : 4) << 20, Math.floor(device.limits.maxStorageBufferBindingSize / 16));
  const src = device.createBuffer({ label: 'Roofline.src', size: count * 16, usage: GPUBufferUsage.STORAGE });
  const dst = device.createBuffer({ label: 'Roofline.dst', size: count * 16, usage: GPUBufferUsage.STORAGE });
  const module = device.createShaderModule({ label: 'Roofline.module', code: roofline.code });
  const params = (iterations: number, count: number) => {
    const b = device.createBuffer({ label: 'Roofline.params', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(b, 0, new Uint32Array([iterations, count, 0, 0]));
    return b;
  };
  const uniforms = [params(iterations, 0), params(0, count)];
  const dispatch = (entryPoint: string, entries: GPUBindGroupEntry[], grid: number) => {
    const pipeline = device.createComputePipeline({ label: `Roofline.${entryPoint}`, layout: 'auto', compute: { module, entryPoint } });
    const group = entries.length > 0 ? device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }) : null;
    return (pass: GPUComputePassEncoder) => {
      pass.setPipeline(pipeline);
      if (group) pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(grid);
    };
  };
  const programs = {
    fma: dispatch('fma_peak', [{ binding: 0, resource: { buffer: uniforms[0]! } }, { binding: 2, resource: { buffer: dst } }], workgroups),
    copy: dispatch(
      'copy',
      [{ binding: 0, resource: { buffer: uniforms[1]! } }, { binding: 1, resource: { buffer: src } }, { binding: 2, resource: { buffer: dst } }],
      Math.ceil(count / WG),
    ),
    empty: dispatch('empty', [], 1),
  };
  const once = async (record: (pass: GPUComputePassEncoder) => void): Promise<number> => {
    const encoder = device.createCommandEncoder({ label: 'Roofline.encoder' });
    const pass = encoder.beginComputePass();
    record(pass);
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
    for (const b of [src, dst, ...uniforms]) b.destroy();
  }
}
