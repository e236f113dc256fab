import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// `npm test` builds dist/ first; these check what a user actually imports.
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

describe('the built package', () => {
  it('the exports map points at files that exist', () => {
    expect(pkg.exports['.'].import).toBe('./dist/index.js');
    expect(existsSync(pkg.exports['.'].import)).toBe(true);
    expect(existsSync(pkg.exports['.'].types)).toBe(true);
  });

  it('imports in plain Node (no WebGPU) without touching GPU globals', () => {
    const out = execFileSync(
      process.execPath,
      ['-e', "import('./dist/index.js').then((m) => console.log(Object.keys(m).sort().join(',')))"],
      { encoding: 'utf8' },
    );
    expect(out.trim().split(',')).toEqual(
      expect.arrayContaining(['createRuntime', 'reference', 'ShapeError', 'LsaNewtonError']),
    );
  });

  it('is one ES module with the WGSL inside and no static imports; the training family is a sibling chunk', () => {
    const code = readFileSync('dist/index.js', 'utf8');
    expect(code).not.toMatch(/\bimport\s*[\w{*][^;()]*from\s*['"`]/);
    // the only dynamic import: the training family, a relative file a page can load without a bundler
    const dynamic = [...code.matchAll(/\bimport\(\s*['"`]([^'"`]+)['"`]\s*\)/g)].map((m) => m[1]);
    expect(dynamic).toEqual(['./training.js']);
    expect(existsSync('dist/training.js')).toBe(true);
    // shaders ship inside it, deflate-compressed (inflated once by createRuntime)
    expect(code).toMatch(/packed:/);
  });

  it('dist/index.js is at most 100 kB (WGSL compacted and deflated) and carries no WGSL parser (layouts reflected at build time)', () => {
    const bytes = readFileSync('dist/index.js').byteLength;
    console.info(
      `dist/index.js: ${(bytes / 1000).toFixed(1)} kB, dist/training.js ${(readFileSync('dist/training.js').byteLength / 1000).toFixed(1)} kB`,
    );
    expect(bytes).toBeLessThanOrEqual(100_000);
    const code = readFileSync('dist/index.js', 'utf8');
    // strings only wgsl_reflect's parser holds (WGSL keywords our shaders never use)
    expect(code).not.toContain('WgslReflect');
    expect(code).not.toContain('texture_storage_2d_array');
  });
});
