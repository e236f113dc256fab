// Browser side: counts `queue.submit` calls on one device and `GPUBuffer.mapAsync` calls, so a
// page can show "one submit, no readback in between" (used by the test harness and the main job).

export interface GpuCallCounter {
  /** Submits on the device's queue since the counter was installed. */
  readonly submits: number;
  /** `mapAsync` calls on any buffer since the counter was installed. */
  readonly maps: number;
  /** Puts the original `queue.submit` and `GPUBuffer.prototype.mapAsync` back. */
  restore(): void;
}

export function countGpuCalls(device: GPUDevice): GpuCallCounter {
  const queue = device.queue;
  const submit = queue.submit;
  const mapAsync = GPUBuffer.prototype.mapAsync;
  const counts = { submits: 0, maps: 0 };
  queue.submit = function (this: GPUQueue, buffers: Iterable<GPUCommandBuffer>) {
    counts.submits++;
    return submit.call(this, buffers);
  };
  GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
    counts.maps++;
    return mapAsync.apply(this, args);
  };
  return {
    get submits() {
      return counts.submits;
    },
    get maps() {
      return counts.maps;
    },
    restore() {
      queue.submit = submit;
      GPUBuffer.prototype.mapAsync = mapAsync;
    },
  };
}
