import { DestroyedError, DeviceLostError } from './errors.js';
import { describe, elementCount, type Shape } from './shape.js';

/** A row-major f32 array on the GPU. */
export interface Tensor {
  readonly shape: readonly number[];
  /** The storage buffer; throws `DestroyedError` after `destroy()`. */
  readonly buffer: GPUBuffer;
  /** Copies the data back (one staging copy, one map). */
  read(): Promise<Float32Array>;
  destroy(): void;
}

/** What a tensor needs from the runtime that made it. */
export interface TensorOwner {
  readonly device: GPUDevice;
  /** The reason the device was lost, or null while it is alive. */
  readonly lostMessage: string | null;
  /** Resolves with the reason when the device is lost. */
  readonly lost: Promise<string>;
  forget(tensor: GpuTensor): void;
}

export class GpuTensor implements Tensor {
  private gpuBuffer: GPUBuffer | null;

  constructor(
    readonly owner: TensorOwner,
    buffer: GPUBuffer,
    readonly shape: Shape,
  ) {
    this.gpuBuffer = buffer;
  }

  get destroyed(): boolean {
    return this.gpuBuffer === null;
  }

  get buffer(): GPUBuffer {
    if (!this.gpuBuffer) throw new DestroyedError(`tensor ${describe(this.shape)} was destroyed`);
    return this.gpuBuffer;
  }

  async read(): Promise<Float32Array> {
    const source = this.buffer;
    return new Float32Array(await readBuffer(this.owner, source, elementCount(this.shape) * 4));
  }

  destroy(): void {
    if (!this.gpuBuffer) return;
    this.gpuBuffer.destroy();
    this.gpuBuffer = null;
    this.owner.forget(this);
  }
}

/**
 * Copies `bytes` of `source` back to the CPU: one staging copy, one map. With `encoder`, the
 * copy is recorded after the caller's work and that encoder is submitted (one submit in all).
 */
export async function readBuffer(
  owner: Pick<TensorOwner, 'device' | 'lostMessage' | 'lost'>,
  source: GPUBuffer,
  bytes: number,
  encoder?: GPUCommandEncoder,
): Promise<ArrayBuffer> {
  const { device } = owner;
  if (owner.lostMessage !== null) throw new DeviceLostError(`cannot read: the device was lost (${owner.lostMessage})`);
  const staging = device.createBuffer({
    label: 'readback',
    size: bytes,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const recorder = encoder ?? device.createCommandEncoder({ label: 'readback' });
    recorder.copyBufferToBuffer(source, 0, staging, 0, bytes);
    device.queue.submit([recorder.finish()]);
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (error) {
      // A map aborted by device loss may reject before `device.lost` settles: give it a moment.
      const reason = owner.lostMessage ?? (await Promise.race([owner.lost, delay(100)]));
      if (reason !== null) throw new DeviceLostError(`read failed: the device was lost (${reason})`);
      throw error;
    }
    const out = staging.getMappedRange().slice(0);
    staging.unmap();
    return out;
  } finally {
    staging.destroy();
  }
}

function delay(ms: number): Promise<null> {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}
