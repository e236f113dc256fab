// Generated from prompt_sampler.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "prompt_sampler";
  readonly packed: string;
  readonly constants: {
    readonly WG: 64;
    readonly MAX_D: 64;
    readonly STREAM_LAMBDA: 0;
    readonly STREAM_REFLECT: 1;
    readonly STREAM_X: 2;
    readonly STREAM_W: 3;
    readonly STREAM_NOISE: 4;
    readonly PI: 3.14159265358979;
  };
  readonly entryPoints: {
    readonly prompt_sample: EntryLayout & {
      readonly name: "prompt_sample";
      readonly storage: readonly ["counter", "prompts", "targets"];
      readonly uniformMembers: readonly ["count", "d", "n", "zeros", "seed", "logistic", "kappa", "noise"];
      readonly overrides: readonly [];
    };
    readonly prompt_advance: EntryLayout & {
      readonly name: "prompt_advance";
      readonly storage: readonly ["counter"];
      readonly uniformMembers: readonly [];
      readonly overrides: readonly [];
    };
  };
};
export default shader;
