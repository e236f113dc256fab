import type { EntryLayout, ShaderModule, StorageName, UniformValues } from './shader.js';

/** Which GEMM schedule a runtime runs: workgroup-memory tiles (GPUs) or direct blocks (CPU adapters). */
export type GemmKernel = 'tiled' | 'direct';

/**
 * Op families compile together: 'forward' in createRuntime, the rest through runtime.prepare(family)
 * ('invert' is prepared by the first runtime.invert call, 'training' by gradients/createTrainer;
 * 'large', the direct schedule's kernel for large products, only when asked for).
 */
export type Family = 'forward' | 'invert' | 'training' | 'large';

export type Constants = Readonly<Record<string, number | boolean>>;

/** One pipeline: an entry point of a shader, specialised by its `override` constants. */
export interface Variant<E extends EntryLayout = EntryLayout> {
  readonly shader: ShaderModule;
  readonly entry: E;
  readonly constants: Constants;
  /** Identifies the pipeline in caches and messages: `gemm.gemm_direct{}`. */
  readonly key: string;
  /**
   * The same entry point, constants and bindings in a module that enables the `subgroups`
   * feature: compiled and dispatched instead on devices created with that feature (plans and
   * declarations still name this variant).
   */
  readonly subgroups?: Variant<EntryLayout>;
}

/**
 * A pipeline variant; `subgroups`: a module holding the same entry point written with subgroup
 * operations (see Variant.subgroups).
 */
export function variant<E extends EntryLayout>(
  shader: ShaderModule,
  entry: E,
  constants: Constants = {},
  subgroups?: ShaderModule,
): Variant<E> {
  // Boolean overrides default to false in our shaders, so `false` and absent name one pipeline.
  const set = Object.keys(constants)
    .sort()
    .filter((k) => constants[k] !== false)
    .map((k) => (constants[k] === true ? k : `${k}=${Number(constants[k])}`));
  const alternative = subgroups?.entryPoints[entry.name];
  if (subgroups && !alternative) throw new Error(`${subgroups.label}.wgsl has no entry point ${entry.name}`);
  // The two forms must share one bind group layout, so a plan built for one runs the other.
  if (alternative && JSON.stringify(alternative.bindings) !== JSON.stringify(entry.bindings)) {
    throw new Error(`${subgroups!.label}.${entry.name} binds differently from ${shader.label}.${entry.name}`);
  }
  return {
    shader,
    entry,
    constants,
    key: `${shader.label}.${entry.name}{${set.join(',')}}`,
    ...(subgroups && alternative ? { subgroups: variant(subgroups, alternative, constants) } : {}),
  };
}

/**
 * One dispatch: a declared variant, its uniform values (every member, by name), the number of
 * invocations it needs (the plan divides by the reflected workgroup size and folds the grid),
 * and which buffer feeds each storage binding (a slot, scratch or data name; null binds a
 * placeholder for a binding the variant does not read).
 */
export interface Step<E extends EntryLayout = EntryLayout> {
  readonly label: string;
  readonly variant: Variant<E>;
  readonly uniform: UniformValues<E>;
  readonly invocations: number;
  readonly buffers: { readonly [K in StorageName<E>]?: string | null };
  /**
   * A faster form of this step whose pipelines belong to another family (declared by that
   * family's op): plans built after runtime.prepare(family) dispatch it instead. Same result up
   * to rounding.
   */
  readonly upgrade?: { readonly family: Family; readonly op: Op; readonly step: Step };
}

/** Typed constructor: binding and uniform names are checked against the WGSL at build time. */
export function step<E extends EntryLayout>(s: Step<E>): Step {
  return s as unknown as Step;
}

/**
 * An op as a declaration: its name, the family it compiles with, and every pipeline variant it
 * may dispatch under a GEMM schedule. Plans refuse any variant their op did not declare, and
 * createRuntime / prepare compile exactly the declared ones.
 */
export interface Op {
  readonly name: string;
  readonly family: Family;
  variants(gemm: GemmKernel): readonly Variant[];
}

const declared = new WeakMap<Op, Map<GemmKernel, ReadonlySet<string>>>();

/** The variant keys `op` declares under `gemm` (memoised). */
export function declaredKeys(op: Op, gemm: GemmKernel): ReadonlySet<string> {
  let byGemm = declared.get(op);
  if (!byGemm) {
    byGemm = new Map();
    declared.set(op, byGemm);
  }
  let keys = byGemm.get(gemm);
  if (!keys) {
    keys = new Set(op.variants(gemm).map((v) => v.key));
    byGemm.set(gemm, keys);
  }
  return keys;
}
