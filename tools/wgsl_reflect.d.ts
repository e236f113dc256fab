// The package's ES module build (its `main` entry does not load under Node ESM) has no types
// of its own; they are the package's.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
