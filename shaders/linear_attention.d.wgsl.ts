// Generated from linear_attention.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "linear_attention";
  readonly code: string;
  readonly constants: {
    readonly WG: 64;
    readonly ROWS: 4;
    readonly COLS: 8;
    readonly BLOCK: 8;
    readonly STRIP: 32;
  };
  readonly entryPoints: {
    readonly linear_attention_gates: EntryLayout & {
      readonly name: "linear_attention_gates";
      readonly storage: readonly ["gate", "cum"];
      readonly uniformMembers: readonly ["batch", "tokens", "heads", "key_dim", "value_dim", "chunk", "chunks", "scale", "gate_batch", "gate_token", "has_initial", "write_final", "gated"];
      readonly overrides: readonly [];
    };
    readonly linear_attention_scores: EntryLayout & {
      readonly name: "linear_attention_scores";
      readonly storage: readonly ["q", "k", "cum", "scores"];
      readonly uniformMembers: readonly ["batch", "tokens", "heads", "key_dim", "value_dim", "chunk", "chunks", "scale", "gate_batch", "gate_token", "has_initial", "write_final", "gated"];
      readonly overrides: readonly [];
    };
    readonly linear_attention_states: EntryLayout & {
      readonly name: "linear_attention_states";
      readonly storage: readonly ["k", "v", "cum", "states"];
      readonly uniformMembers: readonly ["batch", "tokens", "heads", "key_dim", "value_dim", "chunk", "chunks", "scale", "gate_batch", "gate_token", "has_initial", "write_final", "gated"];
      readonly overrides: readonly [];
    };
    readonly linear_attention_scan: EntryLayout & {
      readonly name: "linear_attention_scan";
      readonly storage: readonly ["state_in", "cum", "states", "state_out"];
      readonly uniformMembers: readonly ["batch", "tokens", "heads", "key_dim", "value_dim", "chunk", "chunks", "scale", "gate_batch", "gate_token", "has_initial", "write_final", "gated"];
      readonly overrides: readonly [];
    };
    readonly linear_attention_output: EntryLayout & {
      readonly name: "linear_attention_output";
      readonly storage: readonly ["q", "v", "cum", "scores", "states", "o"];
      readonly uniformMembers: readonly ["batch", "tokens", "heads", "key_dim", "value_dim", "chunk", "chunks", "scale", "gate_batch", "gate_token", "has_initial", "write_final", "gated"];
      readonly overrides: readonly [];
    };
    readonly linear_attention_decode: EntryLayout & {
      readonly name: "linear_attention_decode";
      readonly storage: readonly ["q", "k", "v", "gate", "state_in", "o", "state_out"];
      readonly uniformMembers: readonly ["batch", "tokens", "heads", "key_dim", "value_dim", "chunk", "chunks", "scale", "gate_batch", "gate_token", "has_initial", "write_final", "gated"];
      readonly overrides: readonly [];
    };
  };
};
export default shader;
