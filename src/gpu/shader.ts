import { LsaNewtonError } from '../errors.js';

// What a `shaders/*.wgsl` import is: the source plus the layout that tools/wgslLayout.ts read
// from it at build time. Nothing here parses WGSL.

export type BindingType = 'uniform' | 'read-only-storage' | 'storage';

export interface EntryLayout {
  readonly name: string;
  readonly workgroupSize: readonly [number, number, number];
  /** Every binding the entry point uses (group 0), sorted by binding index. */
  readonly bindings: readonly { readonly name: string; readonly binding: number; readonly type: BindingType }[];
  readonly uniform: {
    readonly name: string;
    /** Byte size of the struct, from the WGSL layout rules. */
    readonly size: number;
    readonly members: Readonly<Record<string, { readonly offset: number; readonly type: string }>>;
  } | null;
  /** Names of the storage bindings, and of the uniform struct's members, in declaration order. */
  readonly storage: readonly string[];
  readonly uniformMembers: readonly string[];
  /** `override` constants the module declares. */
  readonly overrides: readonly string[];
}

export interface ShaderModule {
  /** The file name without `.wgsl`; labels GPU objects. */
  readonly label: string;
  /** The WGSL, compacted and deflate-compressed (base64): `shaderSource` inflates it. */
  readonly packed: string;
  /** Module-scope `const NAME: u32 = …;` values: the single source of sizes and layouts. */
  readonly constants: Readonly<Record<string, number>>;
  readonly entryPoints: Readonly<Record<string, EntryLayout>>;
}

const sources = new WeakMap<ShaderModule, Promise<string>>();

/** The WGSL of a shader, inflated once (DecompressionStream: browsers, Node ≥ 18). */
export function shaderSource(shader: ShaderModule): Promise<string> {
  let source = sources.get(shader);
  if (!source) {
    const bytes = Uint8Array.from(atob(shader.packed), (c) => c.charCodeAt(0));
    source = new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'))).text();
    sources.set(shader, source);
  }
  return source;
}

/** The names a step may bind for an entry point (literal types from the generated declaration). */
export type StorageName<E extends EntryLayout> = E['storage'][number];
export type UniformValues<E extends EntryLayout> = { readonly [K in E['uniformMembers'][number]]: number };

/**
 * Packs uniform values by member name at the offsets the WGSL declares. Every member must be
 * given and nothing else, so a renamed or added field fails loudly instead of shifting data.
 */
export function packUniform(label: string, entry: EntryLayout, values: Readonly<Record<string, number>>): ArrayBuffer {
  const info = entry.uniform;
  if (!info) throw new LsaNewtonError(`${label}: entry point ${entry.name} declares no uniform struct`);
  const buffer = new ArrayBuffer(info.size);
  const view = new DataView(buffer);
  for (const name of Object.keys(values)) {
    if (!(name in info.members)) throw new LsaNewtonError(`${label}: uniform has no member '${name}'`);
  }
  for (const [name, { offset, type }] of Object.entries(info.members)) {
    const v = values[name];
    if (v === undefined) throw new LsaNewtonError(`${label}: uniform member '${name}' was not given`);
    if (type === 'u32') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new LsaNewtonError(`${label}: uniform member '${name}' expected a u32, got ${v}`);
      }
      view.setUint32(offset, v, true);
    } else if (type === 'i32') {
      view.setInt32(offset, v, true);
    } else if (type === 'f32') {
      view.setFloat32(offset, v, true);
    } else {
      throw new LsaNewtonError(`${label}: uniform member '${name}' has unsupported type ${type}`);
    }
  }
  return buffer;
}
