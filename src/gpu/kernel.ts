import { WgslReflect } from 'wgsl_reflect';
import { LsaNewtonError } from '../errors.js';

/** A WGSL module and the entry point to run; `label` names GPU objects (`'Gemm.pipeline'`). */
export interface ShaderSpec {
  readonly label: string;
  readonly code: string;
  readonly entryPoint: string;
}

export type BindingType = 'uniform' | 'read-only-storage' | 'storage';

export interface BindingInfo {
  readonly name: string;
  readonly binding: number;
  readonly type: BindingType;
}

export interface UniformInfo {
  readonly name: string;
  /** Byte size of the struct, from the WGSL layout rules. */
  readonly size: number;
  readonly members: ReadonlyMap<string, { offset: number; type: string }>;
}

/** What the package needs to know about a shader, read from the WGSL itself. */
export interface Reflection {
  readonly bindings: readonly BindingInfo[];
  readonly uniform: UniformInfo | null;
  readonly overrides: ReadonlySet<string>;
  readonly workgroupSize: readonly [number, number, number];
}

const reflections = new Map<string, Reflection>();

/**
 * Bind-group layouts and uniform offsets come from `wgsl_reflect`, never from a second
 * hand-written copy, so the TypeScript side cannot drift from the WGSL.
 */
export function reflect(spec: ShaderSpec): Reflection {
  const key = `${spec.entryPoint}\n${spec.code}`;
  const cached = reflections.get(key);
  if (cached) return cached;
  const r = new WgslReflect(spec.code);
  const entry = r.entry.compute.find((f) => f.name === spec.entryPoint);
  if (!entry || !entry.workgroupSize) {
    throw new LsaNewtonError(`${spec.label}: shader has no compute entry point '${spec.entryPoint}'`);
  }
  // Only what this entry point uses: a module may hold several kernels with different bindings.
  const used = new Set(entry.resources.map((v) => v.name));
  const bindings: BindingInfo[] = [];
  let uniform: UniformInfo | null = null;
  for (const u of r.uniforms.filter((v) => used.has(v.name))) {
    if (u.group !== 0) throw new LsaNewtonError(`${spec.label}: only bind group 0 is supported, '${u.name}' is in ${u.group}`);
    bindings.push({ name: u.name, binding: u.binding, type: 'uniform' });
    if (uniform) throw new LsaNewtonError(`${spec.label}: expected one uniform struct, found a second ('${u.name}')`);
    const members = new Map<string, { offset: number; type: string }>();
    for (const m of u.members ?? []) members.set(m.name, { offset: m.offset, type: m.type.name });
    uniform = { name: u.name, size: u.size, members };
  }
  for (const s of r.storage.filter((v) => used.has(v.name))) {
    if (s.group !== 0) throw new LsaNewtonError(`${spec.label}: only bind group 0 is supported, '${s.name}' is in ${s.group}`);
    bindings.push({ name: s.name, binding: s.binding, type: s.access === 'read' ? 'read-only-storage' : 'storage' });
  }
  bindings.sort((x, y) => x.binding - y.binding);
  const [x, y, z] = entry.workgroupSize;
  const info: Reflection = {
    bindings,
    uniform,
    overrides: new Set(r.overrides.map((o) => o.name)),
    workgroupSize: [x, y, z],
  };
  reflections.set(key, info);
  return info;
}

export type Constants = Readonly<Record<string, number | boolean>>;

export interface Pipeline {
  readonly spec: ShaderSpec;
  readonly info: Reflection;
  readonly layout: GPUBindGroupLayout;
  readonly pipeline: GPUComputePipeline;
}

/** One cache per device: a destroyed or collected device takes its pipelines with it. */
const caches = new WeakMap<GPUDevice, Map<string, Pipeline | Promise<Pipeline>>>();

function cacheFor(device: GPUDevice): Map<string, Pipeline | Promise<Pipeline>> {
  let cache = caches.get(device);
  if (!cache) {
    cache = new Map();
    caches.set(device, cache);
  }
  return cache;
}

function cacheKey(spec: ShaderSpec, constants: Constants): string {
  const c = Object.keys(constants).sort().map((k) => `${k}=${Number(constants[k])}`).join(',');
  return `${spec.label}|${spec.entryPoint}|${c}|${spec.code}`;
}

function describePipeline(device: GPUDevice, spec: ShaderSpec, constants: Constants) {
  const info = reflect(spec);
  for (const name of Object.keys(constants)) {
    if (!info.overrides.has(name)) {
      throw new LsaNewtonError(`${spec.label}: override '${name}' is not declared in the shader`);
    }
  }
  const layout = device.createBindGroupLayout({
    label: `${spec.label}.bindGroupLayout`,
    entries: info.bindings.map((b) => ({
      binding: b.binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: b.type },
    })),
  });
  const module = device.createShaderModule({ label: `${spec.label}.module`, code: spec.code });
  const descriptor: GPUComputePipelineDescriptor = {
    label: `${spec.label}.pipeline`,
    layout: device.createPipelineLayout({ label: `${spec.label}.pipelineLayout`, bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: spec.entryPoint, constants: { ...constants } as Record<string, number> },
  };
  return { info, layout, descriptor };
}

/** Compiles ahead of time (off the hot path); later `pipeline()` calls hit the cache. */
export async function compilePipeline(device: GPUDevice, spec: ShaderSpec, constants: Constants = {}): Promise<Pipeline> {
  const cache = cacheFor(device);
  const key = cacheKey(spec, constants);
  const hit = cache.get(key);
  if (hit) return hit;
  const { info, layout, descriptor } = describePipeline(device, spec, constants);
  const pending = device.createComputePipelineAsync(descriptor).then((pipeline) => {
    const compiled = { spec, info, layout, pipeline };
    cache.set(key, compiled);
    return compiled;
  });
  cache.set(key, pending);
  return pending;
}

/** Synchronous lookup for encoding; compiles on a miss (only when `compilePipeline` was skipped). */
export function pipeline(device: GPUDevice, spec: ShaderSpec, constants: Constants = {}): Pipeline {
  const cache = cacheFor(device);
  const key = cacheKey(spec, constants);
  const hit = cache.get(key);
  if (hit && !(hit instanceof Promise)) return hit;
  const { info, layout, descriptor } = describePipeline(device, spec, constants);
  const compiled = { spec, info, layout, pipeline: device.createComputePipeline(descriptor) };
  cache.set(key, compiled);
  return compiled;
}

/**
 * Packs uniform values by member name at the offsets the WGSL declares. Every member must be
 * given and nothing else, so a renamed or added field fails loudly instead of shifting data.
 */
export function packUniform(spec: ShaderSpec, values: Readonly<Record<string, number>>): ArrayBuffer {
  const info = reflect(spec).uniform;
  if (!info) throw new LsaNewtonError(`${spec.label}: shader declares no uniform struct`);
  const buffer = new ArrayBuffer(info.size);
  const view = new DataView(buffer);
  for (const name of Object.keys(values)) {
    if (!info.members.has(name)) throw new LsaNewtonError(`${spec.label}: uniform has no member '${name}'`);
  }
  for (const [name, { offset, type }] of info.members) {
    const v = values[name];
    if (v === undefined) throw new LsaNewtonError(`${spec.label}: uniform member '${name}' was not given`);
    if (type === 'u32') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new LsaNewtonError(`${spec.label}: uniform member '${name}' expected a u32, got ${v}`);
      }
      view.setUint32(offset, v, true);
    } else if (type === 'i32') {
      view.setInt32(offset, v, true);
    } else if (type === 'f32') {
      view.setFloat32(offset, v, true);
    } else {
      throw new LsaNewtonError(`${spec.label}: uniform member '${name}' has unsupported type ${type}`);
    }
  }
  return buffer;
}

/** Builds a bind group from resources named as in the WGSL; every binding must be supplied. */
export function bindGroup(
  device: GPUDevice,
  compiled: Pipeline,
  label: string,
  resources: Readonly<Record<string, GPUBufferBinding>>,
): GPUBindGroup {
  for (const name of Object.keys(resources)) {
    if (!compiled.info.bindings.some((b) => b.name === name)) {
      throw new LsaNewtonError(`${compiled.spec.label}: shader has no binding '${name}'`);
    }
  }
  return device.createBindGroup({
    label,
    layout: compiled.layout,
    entries: compiled.info.bindings.map((b) => {
      const resource = resources[b.name];
      if (!resource) throw new LsaNewtonError(`${compiled.spec.label}: binding '${b.name}' was not given`);
      return { binding: b.binding, resource };
    }),
  });
}
