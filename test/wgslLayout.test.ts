import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { declaration, readWgsl, reflectWgsl, writeDeclarations } from '../tools/wgslLayout.js';

const root = resolve(__dirname, '..');
const shaders = join(root, 'shaders');

const FIXTURE = `
struct Params { n: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;        // [n]
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;  // [n]
const WG: u32 = 64u;
@compute @workgroup_size(WG)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < p.n) { dst[gid.x] = p.scale * src[gid.x]; }
}
`;

/** Type-checks `code` as a module beside a fixture shader with the project's compiler options. */
function typeErrors(code: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'wgsl-layout-'));
  mkdirSync(join(dir, 'shaders'));
  mkdirSync(join(dir, 'src', 'gpu'), { recursive: true });
  writeFileSync(join(dir, 'shaders', 'scale.wgsl'), FIXTURE);
  // The generated declaration imports its types from ../src/gpu/shader.js, as in the repo.
  writeFileSync(
    join(dir, 'src', 'gpu', 'shader.ts'),
    `export * from ${JSON.stringify(join(root, 'src/gpu/shader.js'))};\n`,
  );
  writeDeclarations(join(dir, 'shaders'));
  const file = join(dir, 'src', 'use.ts');
  writeFileSync(file, code.replaceAll('@root', root));
  const config = ts.parseJsonConfigFileContent(
    JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')),
    ts.sys,
    root,
  );
  const program = ts.createProgram([file], { ...config.options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const usage = (buffers: string, uniform: string) => `
import shader from '../shaders/scale.wgsl';
import { step, variant } from '@root/src/gpu/op.js';
export const s = step({
  label: 'scale',
  variant: variant(shader, shader.entryPoints.scale),
  uniform: ${uniform},
  invocations: 1,
  buffers: ${buffers},
});
export const wg: 64 = shader.constants.WG;
`;

describe('tools/wgslLayout: WGSL reflected at build time', () => {
  it('reads entry points, bindings, uniform offsets, workgroup sizes and constants', () => {
    const layout = reflectWgsl('scale', FIXTURE);
    const e = layout.entryPoints.scale!;
    expect(e.workgroupSize).toEqual([64, 1, 1]);
    expect(e.storage).toEqual(['src', 'dst']);
    expect(e.bindings.map((b) => b.type)).toEqual(['uniform', 'read-only-storage', 'storage']);
    expect(e.uniform).toEqual({
      name: 'p',
      size: 8,
      members: { n: { offset: 0, type: 'u32' }, scale: { offset: 4, type: 'f32' } },
    });
    expect(layout.constants).toEqual({ WG: 64 });
  });

  it('a step whose bindings and uniform match the WGSL type-checks', () => {
    expect(typeErrors(usage("{ src: 'x', dst: 'y' }", '{ n: 4, scale: 2 }'))).toEqual([]);
  });

  it('a binding the WGSL does not declare fails the build (type check)', () => {
    const errors = typeErrors(usage("{ src: 'x', out: 'y' }", '{ n: 4, scale: 2 }'));
    expect(errors.join('\n')).toMatch(/'out' does not exist/);
  });

  it('a missing or misspelt uniform member fails the build (type check)', () => {
    expect(typeErrors(usage("{ src: 'x', dst: 'y' }", '{ n: 4 }')).join('\n')).toMatch(/'scale' is missing/);
    expect(typeErrors(usage("{ src: 'x', dst: 'y' }", '{ n: 4, scael: 2, scale: 2 }')).join('\n')).toMatch(
      /'scael' does not exist/,
    );
  });

  it('//#include pastes a part in place (nested, relative to the including file); a cycle or a missing part is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgsl-include-'));
    mkdirSync(join(dir, 'parts'));
    writeFileSync(join(dir, 'parts', 'inner.wgsl'), 'const INNER: u32 = 2u;\n');
    writeFileSync(join(dir, 'parts', 'outer.wgsl'), 'const OUTER: u32 = 1u;\n//#include inner.wgsl\n');
    writeFileSync(join(dir, 'main.wgsl'), `//#include parts/outer.wgsl\n${FIXTURE}`);
    const files: string[] = [];
    const code = readWgsl(join(dir, 'main.wgsl'), files);
    expect(code.startsWith('const OUTER: u32 = 1u;\nconst INNER: u32 = 2u;\n')).toBe(true);
    expect(files.map((f) => basename(f))).toEqual(['main.wgsl', 'outer.wgsl', 'inner.wgsl']);
    expect(reflectWgsl('main', code).constants).toMatchObject({ OUTER: 1, INNER: 2, WG: 64 });
    writeFileSync(join(dir, 'parts', 'inner.wgsl'), '//#include outer.wgsl\n');
    expect(() => readWgsl(join(dir, 'main.wgsl'))).toThrow(
      /include cycle: .*outer\.wgsl → .*inner\.wgsl → .*outer\.wgsl/,
    );
    writeFileSync(join(dir, 'main.wgsl'), '//#include parts/missing.wgsl\n');
    expect(() => readWgsl(join(dir, 'main.wgsl'))).toThrow(/cannot include .*missing\.wgsl/);
  });

  it('WGSL that does not parse fails the build with the file named', () => {
    expect(() => reflectWgsl('broken', 'fn main( {')).toThrow(/broken: /);
  });

  it('the committed declarations are what the plugin writes for every shader', () => {
    for (const file of readdirSync(shaders).filter((f) => f.endsWith('.wgsl'))) {
      const label = basename(file, '.wgsl');
      const expected = declaration(reflectWgsl(label, readWgsl(join(shaders, file))));
      expect(readFileSync(join(shaders, `${label}.d.wgsl.ts`), 'utf8'), `${label}.d.wgsl.ts`).toBe(expected);
    }
  });
});
