import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// wgsl_reflect's `main` entry does not load under Node ESM; its ES module build does.
const wgslReflect = fileURLToPath(new URL('./node_modules/wgsl_reflect/wgsl_reflect.module.js', import.meta.url));
const resolve = { alias: { wgsl_reflect: wgslReflect } };

export default defineConfig(({ mode }) =>
  mode === 'demo'
    ? {
        // The interactive page (`npm run dev`; built to .build/demo by `npm run build`, outside the package).
        root: fileURLToPath(new URL('./demo', import.meta.url)),
        base: './',
        resolve,
        build: { target: 'es2022', outDir: fileURLToPath(new URL('./.build/demo', import.meta.url)), emptyOutDir: true },
      }
    : {
        resolve,
        build: {
          target: 'es2022',
          outDir: 'dist',
          emptyOutDir: true,
          sourcemap: true,
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
