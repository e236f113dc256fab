// Generated from optimizer.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "optimizer";
  readonly code: string;
  readonly constants: {
    readonly WG: 64;
    readonly CHUNK: 256;
    readonly PI: 3.14159265358979;
  };
  readonly entryPoints: {
    readonly square_sum: EntryLayout & {
      readonly name: "square_sum";
      readonly storage: readonly ["grads", "partial"];
      readonly uniformMembers: readonly ["count", "chunks", "learning_rate", "beta1", "beta2", "epsilon", "weight_decay", "clip_norm", "warmup", "decay_steps"];
      readonly overrides: readonly ["ADAM"];
    };
    readonly optimizer_update: EntryLayout & {
      readonly name: "optimizer_update";
      readonly storage: readonly ["params", "grads", "m", "v", "decay", "stats", "state"];
      readonly uniformMembers: readonly ["count", "chunks", "learning_rate", "beta1", "beta2", "epsilon", "weight_decay", "clip_norm", "warmup", "decay_steps"];
      readonly overrides: readonly ["ADAM"];
    };
    readonly optimizer_advance: EntryLayout & {
      readonly name: "optimizer_advance";
      readonly storage: readonly ["stats", "state"];
      readonly uniformMembers: readonly [];
      readonly overrides: readonly ["ADAM"];
    };
  };
};
export default shader;
