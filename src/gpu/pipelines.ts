import { LimitError, LsaNewtonError } from '../errors.js';
import type { Variant } from './op.js';
import { shaderSource } from './shader.js';

export interface Compiled {
  readonly variant: Variant;
  readonly layout: GPUBindGroupLayout;
  readonly pipeline: GPUComputePipeline;
}

/** One cache per device: a destroyed or collected device takes its pipelines with it. */
const caches = new WeakMap<GPUDevice, Map<string, Compiled | Promise<Compiled>>>();

function cacheFor(device: GPUDevice): Map<string, Compiled | Promise<Compiled>> {
  let cache = caches.get(device);
  if (!cache) {
    cache = new Map();
    caches.set(device, cache);
  }
  return cache;
}

/** What runs for `v` on this device: its subgroup form when the device was created with `subgroups`. */
export function deviceVariant(device: GPUDevice, v: Variant): Variant {
  return v.subgroups && device.features.has('subgroups') ? v.subgroups : v;
}

/** Refuses a variant the device cannot run (too many storage bindings) before compiling anything. */
function checkVariant(device: GPUDevice, v: Variant): void {
  const storage = v.entry.storage.length;
  if (storage > device.limits.maxStorageBuffersPerShaderStage) {
    throw new LimitError(
      `${v.key} binds ${storage} storage buffers, more than maxStorageBuffersPerShaderStage = ` +
        `${device.limits.maxStorageBuffersPerShaderStage}`,
    );
  }
  for (const name of Object.keys(v.constants)) {
    if (!v.entry.overrides.includes(name)) {
      throw new LsaNewtonError(`${v.key}: override '${name}' is not declared in ${v.shader.label}.wgsl`);
    }
  }
}

/** Compiles `variants` concurrently (each once per device); later lookups are synchronous. */
export async function compileVariants(device: GPUDevice, variants: readonly Variant[]): Promise<void> {
  const cache = cacheFor(device);
  const unique = new Map(variants.map((v) => deviceVariant(device, v)).map((v) => [v.key, v]));
  for (const v of unique.values()) checkVariant(device, v);
  const modules = new Map<string, GPUShaderModule>();
  const shaders = new Map([...unique.values()].map((v) => [v.shader.label, v.shader]));
  const code = new Map(
    await Promise.all([...shaders].map(async ([label, s]) => [label, await shaderSource(s)] as const)),
  );
  const pending: Promise<Compiled>[] = [];
  for (const v of unique.values()) {
    const hit = cache.get(v.key);
    if (hit) {
      pending.push(Promise.resolve(hit));
      continue;
    }
    let module = modules.get(v.shader.label);
    if (!module) {
      module = device.createShaderModule({ label: `${v.shader.label}.module`, code: code.get(v.shader.label)! });
      modules.set(v.shader.label, module);
    }
    const layout = device.createBindGroupLayout({
      label: `${v.key}.bindGroupLayout`,
      entries: v.entry.bindings.map((b) => ({
        binding: b.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: b.type },
      })),
    });
    const promise = device
      .createComputePipelineAsync({
        label: `${v.key}.pipeline`,
        layout: device.createPipelineLayout({ label: `${v.key}.pipelineLayout`, bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: v.entry.name, constants: { ...v.constants } as Record<string, number> },
      })
      .then((pipeline) => {
        const compiled = { variant: v, layout, pipeline };
        cache.set(v.key, compiled);
        return compiled;
      });
    promise.catch(() => cache.delete(v.key));
    cache.set(v.key, promise);
    pending.push(promise);
  }
  await Promise.all(pending);
}

/** The compiled pipeline of a variant; never compiles (a miss is a typed error naming the cause). */
export function compiledVariant(device: GPUDevice, declared: Variant, hint: string): Compiled {
  const v = deviceVariant(device, declared);
  const hit = cacheFor(device).get(v.key);
  if (!hit || hit instanceof Promise) {
    throw new LsaNewtonError(`pipeline ${v.key} is not compiled on this device: ${hint}`);
  }
  return hit;
}
