// Generated from layer_norm.wgsl by tools/wgslLayout.ts at build time. Do not edit.
import type { EntryLayout } from '../src/gpu/shader.js';
declare const shader: {
  readonly label: "layer_norm";
  readonly code: string;
  readonly constants: {
    readonly EPS: 0.00001;
    readonly WG: 64;
  };
  readonly entryPoints: {
    readonly layer_norm: EntryLayout & {
      readonly name: "layer_norm";
      readonly storage: readonly ["x", "params", "y"];
      readonly uniformMembers: readonly ["columns", "width", "tokens", "gain_off", "bias_off"];
      readonly overrides: readonly ["RESIDUAL"];
    };
    readonly layer_norm_backward: EntryLayout & {
      readonly name: "layer_norm_backward";
      readonly storage: readonly ["x", "params", "y", "dy", "r", "dy_xhat"];
      readonly uniformMembers: readonly ["columns", "width", "tokens", "gain_off", "bias_off"];
      readonly overrides: readonly ["RESIDUAL"];
    };
  };
};
export default shader;
