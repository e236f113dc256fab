// Generated from newton_schulz.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "newton_schulz";
  readonly packed: string;
  readonly constants: {
    readonly WG: 64;
    readonly STATUS_SECTIONS: 5;
    readonly S_STATE: 0;
    readonly S_ITERATIONS: 1;
    readonly S_RESIDUAL: 2;
    readonly S_PREVIOUS: 3;
    readonly S_ALPHA: 4;
    readonly STEPS_PER_SUBMIT: 8;
    readonly MIN_TRIPS: 8;
    readonly TRIP_BUDGET: 268435456;
    readonly DISPATCHES_PER_SUBMIT: 16;
    readonly ACTIVE: 0;
    readonly TOLERANCE_MET: 1;
    readonly FLOOR: 2;
    readonly FAILED: 3;
    readonly LIMIT: 4;
    readonly MAX_N: 32;
    readonly CAPACITY: 484;
    readonly QUADRATIC: 0.1;
    readonly HUGE: 3e+38;
  };
  readonly entryPoints: {
    readonly ns_scale: EntryLayout & {
      readonly name: "ns_scale";
      readonly storage: readonly ["a", "status"];
      readonly uniformMembers: readonly ["n", "batch", "lanes", "per_group", "order", "steps", "first", "max_iterations", "symmetric", "tolerance", "c0", "c1", "c2", "c3", "c4"];
      readonly overrides: readonly [];
    };
    readonly ns_init: EntryLayout & {
      readonly name: "ns_init";
      readonly storage: readonly ["a", "x", "status"];
      readonly uniformMembers: readonly ["n", "batch", "lanes", "per_group", "order", "steps", "first", "max_iterations", "symmetric", "tolerance", "c0", "c1", "c2", "c3", "c4"];
      readonly overrides: readonly [];
    };
    readonly ns_residual: EntryLayout & {
      readonly name: "ns_residual";
      readonly storage: readonly ["status", "t"];
      readonly uniformMembers: readonly ["n", "batch", "lanes", "per_group", "order", "steps", "first", "max_iterations", "symmetric", "tolerance", "c0", "c1", "c2", "c3", "c4"];
      readonly overrides: readonly [];
    };
    readonly ns_step: EntryLayout & {
      readonly name: "ns_step";
      readonly storage: readonly ["a", "x_next", "x_in"];
      readonly uniformMembers: readonly ["n", "batch", "lanes", "per_group", "order", "steps", "first", "max_iterations", "symmetric", "tolerance", "c0", "c1", "c2", "c3", "c4"];
      readonly overrides: readonly [];
    };
    readonly ns_invert: EntryLayout & {
      readonly name: "ns_invert";
      readonly storage: readonly ["a", "x", "status"];
      readonly uniformMembers: readonly ["n", "batch", "lanes", "per_group", "order", "steps", "first", "max_iterations", "symmetric", "tolerance", "c0", "c1", "c2", "c3", "c4"];
      readonly overrides: readonly [];
    };
    readonly ns_step_direct: EntryLayout & {
      readonly name: "ns_step_direct";
      readonly storage: readonly ["a", "x_next", "x_in"];
      readonly uniformMembers: readonly ["n", "batch", "lanes", "per_group", "order", "steps", "first", "max_iterations", "symmetric", "tolerance", "c0", "c1", "c2", "c3", "c4"];
      readonly overrides: readonly [];
    };
    readonly ns_invert_direct: EntryLayout & {
      readonly name: "ns_invert_direct";
      readonly storage: readonly ["a", "x", "status"];
      readonly uniformMembers: readonly ["n", "batch", "lanes", "per_group", "order", "steps", "first", "max_iterations", "symmetric", "tolerance", "c0", "c1", "c2", "c3", "c4"];
      readonly overrides: readonly [];
    };
    readonly ns_step_small: EntryLayout & {
      readonly name: "ns_step_small";
      readonly storage: readonly ["a", "x_next", "x_in"];
      readonly uniformMembers: readonly ["n", "batch", "lanes", "per_group", "order", "steps", "first", "max_iterations", "symmetric", "tolerance", "c0", "c1", "c2", "c3", "c4"];
      readonly overrides: readonly [];
    };
    readonly ns_invert_small: EntryLayout & {
      readonly name: "ns_invert_small";
      readonly storage: readonly ["a", "x", "status"];
      readonly uniformMembers: readonly ["n", "batch", "lanes", "per_group", "order", "steps", "first", "max_iterations", "symmetric", "tolerance", "c0", "c1", "c2", "c3", "c4"];
      readonly overrides: readonly [];
    };
    readonly ns_step_rows4: EntryLayout & {
      readonly name: "ns_step_rows4";
      readonly storage: readonly ["a4", "x_in4", "x_next4"];
      readonly uniformMembers: readonly ["n", "batch", "lanes", "per_group", "order", "steps", "first", "max_iterations", "symmetric", "tolerance", "c0", "c1", "c2", "c3", "c4"];
      readonly overrides: readonly [];
    };
  };
};
export default shader;
