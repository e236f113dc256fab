import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { wgslLayout } from './tools/wgslLayout.js';

// `.wgsl` imports become layout modules, reflected at build time (no WGSL parser ships).
const plugins = [wgslLayout(fileURLToPath(new URL('./shaders', import.meta.url)))];

export default defineConfig(({ mode }) =>
  mode === 'demo'
    ? {
        // The interactive page (`npm run dev`; built to .build/demo by `npm run build`, outside the package).
        root: fileURLToPath(new URL('./demo', import.meta.url)),
        base: './',
        plugins,
        build: {
          target: 'es2022',
          outDir: fileURLToPath(new URL('./.build/demo', import.meta.url)),
          emptyOutDir: true,
        },
      }
    : {
        plugins,
        build: {
          target: 'es2022',
          outDir: 'dist',
          emptyOutDir: true,
          sourcemap: true,
          // lib mode keeps whitespace in ES output; the package is one module, so minify it fully.
          rolldownOptions: {
            preserveEntrySignatures: 'allow-extension',
            output: { minify: true, chunkFileNames: '[name].js' },
          },
          lib: {
            entry: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
            formats: ['es'],
            fileName: () => 'index.js',
          },
        },
        test: {
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/harness/globalSetup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // GPU tests share one software adapter (the CPU); running files in parallel only contends.
          fileParallelism: false,
        },
      },
);
