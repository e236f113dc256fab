// Build-time WGSL reflection. Importing `shaders/x.wgsl` yields the shader's source and its
// layout (entry points, bindings, uniform offsets, workgroup sizes, `const` values), read here
// with wgsl_reflect, so the shipped bundle carries no WGSL parser. Beside each shader a typed
// declaration `x.d.wgsl.ts` is written: binding, uniform and constant names become literal
// types, so a step that names a binding the WGSL lacks fails the build's type check.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Plugin } from 'vite';
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import type { BindingType, EntryLayout } from '../src/gpu/shader.js';

export interface ShaderLayout {
  readonly label: string;
  readonly constants: Readonly<Record<string, number>>;
  readonly entryPoints: Readonly<Record<string, EntryLayout>>;
}

export class WgslLayoutError extends Error {
  override name = 'WgslLayoutError';
}

const CONSTANT = /^\s*const\s+([A-Za-z_]\w*)\s*:\s*(u32|i32|f32)\s*=\s*(-?[\d.eE+-]+)[uif]?\s*;/gm;

/** Reads the layout of every compute entry point of `code` (shader file `label`). */
export function reflectWgsl(label: string, code: string): ShaderLayout {
  let r: WgslReflect;
  try {
    r = new WgslReflect(code);
  } catch (error) {
    throw new WgslLayoutError(`${label}: WGSL does not parse: ${String(error)}`);
  }
  const constants: Record<string, number> = {};
  for (const m of code.matchAll(CONSTANT)) constants[m[1]!] = Number(m[3]);
  const entryPoints: Record<string, EntryLayout> = {};
  for (const entry of r.entry.compute) {
    if (!entry.workgroupSize) throw new WgslLayoutError(`${label}: entry point ${entry.name} has no @workgroup_size`);
    const used = new Set(entry.resources.map((v) => v.name));
    const bindings: { name: string; binding: number; type: BindingType }[] = [];
    let uniform: { name: string; size: number; members: Record<string, { offset: number; type: string }> } | null =
      null;
    for (const u of r.uniforms.filter((v) => used.has(v.name))) {
      if (u.group !== 0)
        throw new WgslLayoutError(`${label}: only bind group 0 is supported, '${u.name}' is in ${u.group}`);
      if (uniform)
        throw new WgslLayoutError(`${label}.${entry.name}: expected one uniform struct, found '${u.name}' too`);
      bindings.push({ name: u.name, binding: u.binding, type: 'uniform' });
      const members: Record<string, { offset: number; type: string }> = {};
      for (const m of u.members ?? []) members[m.name] = { offset: m.offset, type: m.type.name };
      uniform = { name: u.name, size: u.size, members };
    }
    for (const s of r.storage.filter((v) => used.has(v.name))) {
      if (s.group !== 0)
        throw new WgslLayoutError(`${label}: only bind group 0 is supported, '${s.name}' is in ${s.group}`);
      bindings.push({ name: s.name, binding: s.binding, type: s.access === 'read' ? 'read-only-storage' : 'storage' });
    }
    bindings.sort((x, y) => x.binding - y.binding);
    const [x, y, z] = entry.workgroupSize;
    entryPoints[entry.name] = {
      name: entry.name,
      workgroupSize: [x, y, z],
      bindings,
      uniform,
      storage: bindings.filter((b) => b.type !== 'uniform').map((b) => b.name),
      uniformMembers: uniform ? Object.keys(uniform.members) : [],
      overrides: r.overrides.map((o) => o.name),
    };
  }
  if (Object.keys(entryPoints).length === 0) throw new WgslLayoutError(`${label}: no compute entry point`);
  return { label, constants, entryPoints };
}

const q = (s: string) => JSON.stringify(s);
const tuple = (items: readonly string[]) => `readonly [${items.map(q).join(', ')}]`;

/** The typed declaration for `import shader from './x.wgsl'` (names as literal types). */
export function declaration(layout: ShaderLayout): string {
  const entries = Object.entries(layout.entryPoints).map(([name, e]) =>
    [
      `    readonly ${name}: EntryLayout & {`,
      `      readonly name: ${q(name)};`,
      `      readonly storage: ${tuple(e.storage)};`,
      `      readonly uniformMembers: ${tuple(e.uniformMembers)};`,
      `      readonly overrides: ${tuple(e.overrides)};`,
      '    };',
    ].join('\n'),
  );
  const constants = Object.entries(layout.constants).map(([k, v]) => `    readonly ${k}: ${v};`);
  return [
    `// Generated from ${layout.label}.wgsl by tools/wgslLayout.ts at build time. Do not edit.`,
    "import type { EntryLayout } from '../src/gpu/shader.js';",
    'declare const shader: {',
    `  readonly label: ${q(layout.label)};`,
    '  readonly code: string;',
    `  readonly constants: {\n${constants.join('\n')}\n  };`,
    `  readonly entryPoints: {\n${entries.join('\n')}\n  };`,
    '};',
    'export default shader;',
    '',
  ].join('\n');
}

/** WGSL without comments, indentation or blank lines (WGSL has no string literals to protect). */
export function compact(code: string): string {
  return code
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

/** The module a `.wgsl` import becomes: its compacted source and its layout. */
export function moduleSource(layout: ShaderLayout, code: string): string {
  return `export default ${JSON.stringify({ ...layout, code: compact(code) })};\n`;
}

/** Writes `x.d.wgsl.ts` beside every shader in `dir` (only when its content changed). */
export function writeDeclarations(dir: string): string[] {
  const written: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.wgsl'))) {
    const label = basename(file, '.wgsl');
    const text = declaration(reflectWgsl(label, readFileSync(join(dir, file), 'utf8')));
    const target = join(dir, `${label}.d.wgsl.ts`);
    let old = '';
    try {
      old = readFileSync(target, 'utf8');
    } catch {}
    if (old !== text) {
      writeFileSync(target, text);
      written.push(target);
    }
  }
  return written;
}

/** Vite plugin: `.wgsl` imports become layout modules; declarations are refreshed at start. */
export function wgslLayout(shaderDir: string): Plugin {
  return {
    name: 'lsa-newton:wgsl-layout',
    enforce: 'pre',
    buildStart() {
      writeDeclarations(shaderDir);
    },
    load(id) {
      if (!id.endsWith('.wgsl')) return null;
      const code = readFileSync(id, 'utf8');
      this.addWatchFile(id);
      return moduleSource(reflectWgsl(basename(id, '.wgsl'), code), code);
    },
  };
}
