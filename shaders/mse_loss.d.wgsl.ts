// Generated from mse_loss.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "mse_loss";
  readonly code: string;
  readonly constants: {
    readonly WG: 64;
  };
  readonly entryPoints: {
    readonly mse_loss: EntryLayout & {
      readonly name: "mse_loss";
      readonly storage: readonly ["output", "targets", "row_index", "grad_out", "terms"];
      readonly uniformMembers: readonly ["count", "rows", "width", "tokens", "token", "scale"];
      readonly overrides: readonly [];
    };
  };
};
export default shader;
