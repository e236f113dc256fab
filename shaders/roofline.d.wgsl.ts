// Generated from roofline.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "roofline";
  readonly packed: string;
  readonly constants: {
    readonly WG: 256;
    readonly FLOPS_PER_TRIP_V4_C8_U1: 64;
    readonly FLOPS_PER_TRIP_V4_C2_U8: 128;
    readonly FLOPS_PER_TRIP_V4_C4_U8: 256;
    readonly MUL: 0.999999;
    readonly ADD: 0.000001;
  };
  readonly entryPoints: {
    readonly fma_v4_c8_u1: EntryLayout & {
      readonly name: "fma_v4_c8_u1";
      readonly storage: readonly ["dst"];
      readonly uniformMembers: readonly [];
      readonly overrides: readonly ["TRIPS", "MAD"];
    };
    readonly fma_v4_c2_u8: EntryLayout & {
      readonly name: "fma_v4_c2_u8";
      readonly storage: readonly ["dst"];
      readonly uniformMembers: readonly [];
      readonly overrides: readonly ["TRIPS", "MAD"];
    };
    readonly fma_v4_c4_u8: EntryLayout & {
      readonly name: "fma_v4_c4_u8";
      readonly storage: readonly ["dst"];
      readonly uniformMembers: readonly [];
      readonly overrides: readonly ["TRIPS", "MAD"];
    };
    readonly copy: EntryLayout & {
      readonly name: "copy";
      readonly storage: readonly ["src", "dst"];
      readonly uniformMembers: readonly ["count"];
      readonly overrides: readonly ["TRIPS", "MAD"];
    };
    readonly empty: EntryLayout & {
      readonly name: "empty";
      readonly storage: readonly [];
      readonly uniformMembers: readonly [];
      readonly overrides: readonly ["TRIPS", "MAD"];
    };
  };
};
export default shader;
