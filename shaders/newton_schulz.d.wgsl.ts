// Generated from newton_schulz.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "newton_schulz";
  readonly packed: string;
  readonly constants: {
    readonly WG: 256;
    readonly STATUS_SECTIONS: 5;
    readonly S_STATE: 0;
    readonly S_ITERATIONS: 1;
    readonly S_RESIDUAL: 2;
    readonly S_PREVIOUS: 3;
    readonly S_ALPHA: 4;
    readonly STEPS_PER_SUBMIT: 8;
    readonly ACTIVE: 0;
    readonly TOLERANCE_MET: 1;
    readonly FLOOR: 2;
    readonly FAILED: 3;
    readonly QUADRATIC: 0.1;
  };
  readonly entryPoints: {
    readonly ns_scale: EntryLayout & {
      readonly name: "ns_scale";
      readonly storage: readonly ["a", "status"];
      readonly uniformMembers: readonly ["n", "batch", "tolerance", "last"];
      readonly overrides: readonly [];
    };
    readonly ns_init: EntryLayout & {
      readonly name: "ns_init";
      readonly storage: readonly ["a", "x", "status"];
      readonly uniformMembers: readonly ["n", "batch", "tolerance", "last"];
      readonly overrides: readonly [];
    };
    readonly ns_residual: EntryLayout & {
      readonly name: "ns_residual";
      readonly storage: readonly ["status", "t"];
      readonly uniformMembers: readonly ["n", "batch", "tolerance", "last"];
      readonly overrides: readonly [];
    };
  };
};
export default shader;
