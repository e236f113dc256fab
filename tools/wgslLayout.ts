// Build-time WGSL reflection. Importing `shaders/x.wgsl` yields the shader's source and its
// layout (entry points, bindings, uniform offsets, workgroup sizes, `const` values), read here
// with wgsl_reflect, so the shipped bundle carries no WGSL parser. Beside each shader a typed
// declaration `x.d.wgsl.ts` is written: binding, uniform and constant names become literal
// types, so a step that names a binding the WGSL lacks fails the build's type check.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
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
    '  readonly packed: string;',
    `  readonly constants: {\n${constants.join('\n')}\n  };`,
    `  readonly entryPoints: {\n${entries.join('\n')}\n  };`,
    '};',
    'export default shader;',
    '',
  ].join('\n');
}

/** Two-character WGSL tokens: a space between their halves must survive compaction. */
const PAIRS = new Set(['->', '&&', '||', '==', '!=', '<=', '>=', '<<', '>>', '++', '--', '+=', '-=', '*=', '/=']);
const WORD = /[A-Za-z0-9_.]/;

/**
 * WGSL without comments and without whitespace the grammar does not need (WGSL has no string
 * literals to protect): a space survives only between two word characters or between the
 * halves of a two-character token.
 */
export function compact(code: string): string {
  const flat = code
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  let out = '';
  for (let i = 0; i < flat.length; i++) {
    const ch = flat[i]!;
    if (ch === ' ') {
      const before = flat[i - 1]!;
      const after = flat[i + 1]!;
      const keep = (WORD.test(before) && WORD.test(after)) || PAIRS.has(before + after);
      if (!keep) continue;
    }
    out += ch;
  }
  return out;
}

/** The shipped form of a shader: compacted, deflate-compressed (raw), base64; src/gpu/shader.ts inflates it. */
export function pack(code: string): string {
  return deflateRawSync(Buffer.from(compact(code), 'utf8'), { level: 9 }).toString('base64');
}

/**
 * The module a `.wgsl` import becomes: its compacted source and its layout. Entry points of one
 * shader usually share their uniform struct and bindings, so each distinct one is written once
 * and the derived name lists are rebuilt at load (this is what ships in dist/).
 */
export function moduleSource(layout: ShaderLayout, code: string): string {
  const table = (items: string[]) => (item: string) => {
    const at = items.indexOf(item);
    return at >= 0 ? at : items.push(item) - 1;
  };
  const uniforms: string[] = [];
  const bindings: string[] = [];
  const uniformAt = table(uniforms);
  const bindingsAt = table(bindings);
  const entries = Object.values(layout.entryPoints).map((e) => {
    const u = e.uniform ? uniformAt(JSON.stringify(e.uniform)) : -1;
    const b = bindingsAt(JSON.stringify(e.bindings.map((x) => [x.name, x.binding, x.type])));
    return `${JSON.stringify(e.name)}: entry(${JSON.stringify(e.name)}, ${JSON.stringify(e.workgroupSize)}, B[${b}], ${u >= 0 ? `U[${u}]` : 'null'})`;
  });
  return [
    `const U = [${uniforms.join(', ')}];`,
    `const B = [${bindings.join(', ')}].map((list) => list.map(([name, binding, type]) => ({ name, binding, type })));`,
    `const overrides = ${JSON.stringify(Object.values(layout.entryPoints)[0]?.overrides ?? [])};`,
    'const entry = (name, workgroupSize, bindings, uniform) => ({',
    '  name, workgroupSize, bindings, uniform, overrides,',
    "  storage: bindings.filter((b) => b.type !== 'uniform').map((b) => b.name),",
    '  uniformMembers: uniform ? Object.keys(uniform.members) : [],',
    '});',
    `export default { label: ${JSON.stringify(layout.label)}, packed: ${JSON.stringify(pack(code))}, constants: ${JSON.stringify(layout.constants)},`,
    `  entryPoints: { ${entries.join(', ')} } };`,
    '',
  ].join('\n');
}

const INCLUDE = /^\/\/#include (\S+)[ \t]*$/gm;

/**
 * A shader file's WGSL with every `//#include path` line replaced by that file's text (the path
 * relative to the including file; includes nest). Shared parts live in `shaders/parts/`, which
 * holds no shader of its own. `files` collects every file read.
 */
export function readWgsl(file: string, files: string[] = [], chain: string[] = []): string {
  if (chain.includes(file)) throw new WgslLayoutError(`include cycle: ${[...chain, file].join(' → ')}`);
  files.push(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new WgslLayoutError(`${chain.at(-1) ?? file}: cannot include ${file}: ${String(error)}`);
  }
  return text.replace(INCLUDE, (_, path: string) => readWgsl(join(dirname(file), path), files, [...chain, file]));
}

/** Writes `x.d.wgsl.ts` beside every shader in `dir` (only when its content changed). */
export function writeDeclarations(dir: string): string[] {
  const written: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.wgsl'))) {
    const label = basename(file, '.wgsl');
    const text = declaration(reflectWgsl(label, readWgsl(join(dir, file))));
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
      const files: string[] = [];
      const code = readWgsl(id, files);
      for (const f of files) this.addWatchFile(f);
      return moduleSource(reflectWgsl(basename(id, '.wgsl'), code), code);
    },
  };
}
