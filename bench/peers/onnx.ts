// ONNX Runtime Web (WebGPU execution provider) in the benchmark page: the peer for linear
// attention. It makes its own GPUDevice on the same adapter; inputs live on that device
// (Tensor.fromGpuBuffer) and outputs stay there ('gpu-buffer') until a result is read.

interface OrtTensor {
  readonly dims: readonly number[];
  getData(): Promise<Float32Array>;
  dispose(): void;
}

interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface Ort {
  env: { wasm: { numThreads: number }; logLevel: string; webgpu: { device: Promise<GPUDevice> | GPUDevice } };
  InferenceSession: { create(model: Uint8Array, options: object): Promise<OrtSession> };
  Tensor: {
    fromGpuBuffer(
      buffer: GPUBuffer,
      options: { dataType: 'float32'; dims: readonly number[]; dispose?(): void },
    ): OrtTensor;
  };
}

export type { OrtSession, OrtTensor };

export const ORT_VERSION = '1.30.0';

let loading: Promise<Ort> | null = null;

/** Loads the WebGPU bundle once (its .wasm comes from the same folder). */
export function loadOrt(): Promise<Ort> {
  loading ??= (async () => {
    const url = '/node_modules/onnxruntime-web/dist/ort.webgpu.bundle.min.mjs';
    const ort = (await import(/* @vite-ignore */ url)) as Ort;
    // Threads need a cross-origin-isolated page; the WebGPU EP does the work anyway.
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'error';
    return ort;
  })();
  return loading;
}

/** A session on the WebGPU EP with every output kept on the GPU, and the device it runs on. */
export async function ortSession(ort: Ort, model: Uint8Array): Promise<{ session: OrtSession; device: GPUDevice }> {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['webgpu'],
    preferredOutputLocation: 'gpu-buffer',
  });
  return { session, device: await ort.env.webgpu.device };
}

/** `data` uploaded to ORT's device as an input tensor (the buffer is freed with the tensor). */
export function ortInput(ort: Ort, device: GPUDevice, data: Float32Array, dims: readonly number[]): OrtTensor {
  const buffer = device.createBuffer({
    size: Math.max(data.byteLength, 16),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, data as Float32Array<ArrayBuffer>);
  return ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float32', dims, dispose: () => buffer.destroy() });
}
