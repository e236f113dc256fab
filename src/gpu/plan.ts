import { DestroyedError, LsaNewtonError, ShapeError, ValueError } from '../errors.js';
import type { GpuContext } from './context.js';
import { checkBufferSize, workgroupGrid } from './grid.js';
import { declaredKeys, type Op, type Step } from './op.js';
import { type Compiled, compiledVariant } from './pipelines.js';
import { packUniform } from './shader.js';

export interface PlanSpec {
  readonly label: string;
  /** Caller-bound buffers: name → bytes each must hold at least. */
  readonly slots: Readonly<Record<string, number>>;
  /** Slots the plan writes; each must be a buffer distinct from every other slot. */
  readonly outputs: readonly string[];
  /** Plan-owned scratch buffers: name → element count (4 bytes each). */
  readonly scratch?: Readonly<Record<string, number>>;
  /** Plan-owned data uploaded once as f32 (weights): name → values. */
  readonly data?: Readonly<Record<string, ArrayLike<number>>>;
  /** The dispatches, in order. */
  readonly steps: readonly Step[];
  /** Other sequences over the same buffers, recorded by name (e.g. an iteration's init and step). */
  readonly phases?: Readonly<Record<string, readonly Step[]>>;
}

interface Prepared {
  readonly step: Step;
  readonly compiled: Compiled;
  readonly grid: readonly [number, number];
  readonly uniform: GPUBufferBinding | null;
  readonly uniformName: string | null;
  readonly bindGroups: Map<string, GPUBindGroup>;
}

const MAIN = '';
const BIND_GROUP_CACHE = 16;
let nextBufferId = 1;
const bufferIds = new WeakMap<GPUBuffer, number>();
function bufferId(b: GPUBuffer): number {
  let id = bufferIds.get(b);
  if (id === undefined) {
    id = nextBufferId++;
    bufferIds.set(b, id);
  }
  return id;
}

/**
 * An op compiled for one shape: the one object every op builds. It checks its steps against
 * the op's declaration, owns the uniforms (packed once, one aligned slot per dispatch), scratch,
 * uploaded data and cached bind groups, derives each grid from the reflected workgroup size,
 * and records into a caller's encoder over caller-bound slots. `destroy` frees only what it made.
 */
export class Plan {
  readonly label: string;
  readonly slots: Readonly<Record<string, number>>;
  private readonly outputs: readonly string[];
  private owned: Record<string, GPUBuffer> | null = {};
  private readonly uniforms: GPUBuffer;
  private readonly phases = new Map<string, Prepared[]>();

  constructor(
    private readonly ctx: GpuContext,
    op: Op,
    spec: PlanSpec,
  ) {
    this.label = spec.label;
    this.slots = spec.slots;
    this.outputs = spec.outputs;
    const { device, limits } = ctx;
    const declared = declaredKeys(op, ctx.gemm);
    const names = new Set([
      ...Object.keys(spec.slots),
      ...Object.keys(spec.scratch ?? {}),
      ...Object.keys(spec.data ?? {}),
    ]);
    // A step with an upgrade runs it once its family is prepared (checked against that family's op).
    const resolve = (s: Step): [Step, Op] =>
      s.upgrade && ctx.prepared.has(s.upgrade.family) ? [s.upgrade.step, s.upgrade.op] : [s, op];
    const sequences: [string, readonly [Step, Op][]][] = [
      [MAIN, spec.steps.map(resolve)],
      ...Object.entries(spec.phases ?? {}).map(([k, v]) => [k, v.map(resolve)] as [string, [Step, Op][]]),
    ];

    // Everything is checked before anything is allocated.
    for (const [name, bytes] of Object.entries(spec.slots)) checkBufferSize(`${this.label} ${name}`, bytes, limits);
    for (const [name, n] of Object.entries(spec.scratch ?? {})) checkBufferSize(`${this.label} ${name}`, n * 4, limits);
    for (const [name, d] of Object.entries(spec.data ?? {}))
      checkBufferSize(`${this.label} ${name}`, d.length * 4, limits);
    const align = limits.minUniformBufferOffsetAlignment;
    let offset = 0;
    const packed: [number, ArrayBuffer][] = [];
    const plans = sequences.map(([phase, steps]) => {
      const list = steps.map(([s, owner]) => {
        const where = `${this.label}${phase ? `.${phase}` : ''}.${s.label}`;
        if (!(owner === op ? declared : declaredKeys(owner, ctx.gemm)).has(s.variant.key)) {
          throw new LsaNewtonError(
            `${where}: op '${owner.name}' did not declare pipeline ${s.variant.key} (${ctx.gemm} schedule)`,
          );
        }
        for (const b of s.variant.entry.storage) {
          const name = (s.buffers as Record<string, string | null | undefined>)[b];
          if (name === undefined) throw new LsaNewtonError(`${where}: binding '${b}' was not given a buffer`);
          if (name !== null && !names.has(name))
            throw new LsaNewtonError(`${where}: binding '${b}' names unknown buffer '${name}'`);
        }
        for (const b of Object.keys(s.buffers)) {
          if (!s.variant.entry.storage.includes(b))
            throw new LsaNewtonError(`${where}: ${s.variant.key} has no binding '${b}'`);
        }
        const size = s.variant.entry.workgroupSize;
        const grid = workgroupGrid(Math.ceil(s.invocations / (size[0] * size[1] * size[2])), limits, where);
        const data = s.variant.entry.uniform ? packUniform(where, s.variant.entry, s.uniform) : null;
        const at = offset;
        if (data) {
          packed.push([at, data]);
          offset += Math.ceil(data.byteLength / align) * align;
        }
        return { s, grid, at, bytes: data?.byteLength ?? 0 };
      });
      return [phase, list] as const;
    });
    const hint =
      op.family === 'forward'
        ? 'createRuntime compiles the forward ops'
        : `call runtime.prepare('${op.family}') first (it compiles that family)`;
    const compiled = plans.map(([, list]) => list.map(({ s }) => compiledVariant(device, s.variant, hint)));

    this.uniforms = device.createBuffer({
      label: `${this.label}.uniforms`,
      size: Math.max(offset, 16),
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    for (const [at, data] of packed) device.queue.writeBuffer(this.uniforms, at, data);
    const owned = this.owned!;
    for (const [name, n] of Object.entries(spec.scratch ?? {})) {
      owned[name] = device.createBuffer({
        label: `${this.label}.${name}`,
        size: Math.max(n, 1) * 4,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
    }
    for (const [name, values] of Object.entries(spec.data ?? {})) {
      const f32 = new Float32Array(Math.max(values.length, 1));
      f32.set(values as ArrayLike<number>);
      owned[name] = device.createBuffer({
        label: `${this.label}.${name}`,
        size: f32.byteLength,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(owned[name]!, 0, f32);
    }
    plans.forEach(([phase, list], i) => {
      this.phases.set(
        phase,
        list.map(({ s, grid, at, bytes }, j) => ({
          step: s,
          compiled: compiled[i]![j]!,
          grid,
          uniform: bytes > 0 ? { buffer: this.uniforms, offset: at, size: bytes } : null,
          uniformName: s.variant.entry.uniform?.name ?? null,
          bindGroups: new Map(),
        })),
      );
    });
    ctx.plans.add(this);
  }

  /** The dispatched grid of every step of a phase (x, y workgroups), for tests and tools. */
  grids(phase = MAIN): (readonly [number, number])[] {
    return this.sequence(phase).map((p) => p.grid);
  }

  /** Checks the caller's buffers, then records the main sequence in one compute pass. */
  encode(encoder: GPUCommandEncoder, io: Readonly<Record<string, GPUBuffer>>): void {
    this.checkIo(io);
    const pass = encoder.beginComputePass({ label: `${this.label}.pass` });
    this.record(pass, io);
    pass.end();
  }

  /** Records a sequence into an open pass; `io` binds the slots (checked by `encode`, not here). */
  record(pass: GPUComputePassEncoder, io: Readonly<Record<string, GPUBuffer>>, phase = MAIN): void {
    const owned = this.owned;
    if (!owned) throw new DestroyedError(`${this.label} was destroyed`);
    for (const p of this.sequence(phase)) {
      const buffers: GPUBuffer[] = [];
      const resolve = (name: string | null | undefined): GPUBuffer => {
        if (name === null || name === undefined) return this.ctx.placeholder;
        const b = owned[name] ?? io[name];
        if (!b) throw new LsaNewtonError(`${this.label}.${p.step.label}: slot '${name}' was not bound`);
        return b;
      };
      const names = p.step.buffers as Record<string, string | null>;
      for (const b of p.step.variant.entry.storage) buffers.push(resolve(names[b]));
      const key = buffers.map(bufferId).join(',');
      let group = p.bindGroups.get(key);
      if (!group) {
        const entries: GPUBindGroupEntry[] = [];
        let i = 0;
        for (const b of p.compiled.variant.entry.bindings) {
          if (b.type === 'uniform') entries.push({ binding: b.binding, resource: p.uniform! });
          else entries.push({ binding: b.binding, resource: { buffer: buffers[i++]! } });
        }
        group = this.ctx.device.createBindGroup({
          label: `${this.label}.${p.step.label}.bindGroup`,
          layout: p.compiled.layout,
          entries,
        });
        if (p.bindGroups.size >= BIND_GROUP_CACHE) p.bindGroups.clear();
        p.bindGroups.set(key, group);
      }
      pass.setPipeline(p.compiled.pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(p.grid[0], p.grid[1]);
    }
  }

  /** A plan-owned buffer (scratch or data) by name, e.g. a status block to copy out. */
  buffer(name: string): GPUBuffer {
    const b = this.owned?.[name];
    if (!b) throw new LsaNewtonError(`${this.label}: no owned buffer '${name}'`);
    return b;
  }

  destroy(): void {
    if (!this.owned) return;
    for (const b of Object.values(this.owned)) b.destroy();
    this.owned = null;
    this.uniforms.destroy();
    this.ctx.plans.delete(this);
  }

  private sequence(phase: string): Prepared[] {
    const list = this.phases.get(phase);
    if (!list) throw new LsaNewtonError(`${this.label}: no phase '${phase}'`);
    return list;
  }

  /** Caller buffers: every slot bound to a large-enough STORAGE buffer, outputs distinct. */
  private checkIo(io: Readonly<Record<string, GPUBuffer>>): void {
    if (!this.owned) throw new DestroyedError(`${this.label} was destroyed`);
    const what = `${this.label}.encode`;
    for (const [name, bytes] of Object.entries(this.slots)) {
      const buffer = io[name];
      if (!buffer || typeof buffer.size !== 'number') {
        throw new ValueError(`${what}: expected ${name} to be a GPUBuffer, got ${String(buffer)}`);
      }
      if (buffer.size < bytes)
        throw new ShapeError(`${what}: expected ${name} of at least ${bytes} bytes, got ${buffer.size}`);
      if ((buffer.usage & GPUBufferUsage.STORAGE) === 0) {
        throw new ValueError(`${what}: expected ${name} to have STORAGE usage, got usage ${buffer.usage}`);
      }
    }
    for (const out of this.outputs) {
      for (const name of Object.keys(this.slots)) {
        if (name !== out && io[name] === io[out]) {
          throw new ValueError(`${what}: expected ${out} distinct from ${name}, got the same buffer (no in-place)`);
        }
      }
    }
  }
}
