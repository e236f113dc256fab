import type { GemmKernel, Step } from '../gpu/op.js';
import type { TokenShape } from '../layers.js';
import { CLIP, elementwiseStep, MASK_BACKWARD } from '../ops/clip.js';
import { layerNormStep } from '../ops/layerNorm.js';
import { lsaBackward, lsaScratch, lsaTrainingForward, normBackward } from '../ops/lsaBackward.js';
import { mlpBackward, mlpScratch, mlpTrainingForward } from '../ops/reluMlpBackward.js';
import type { ParameterLayout } from './parameters.js';

/**
 * A whole stack's training pass as dispatch steps over named buffers:
 *   params, grads  flat parameters and their gradient (same layout)
 *   input, output  [B, D, N] stack input and output
 *   gradOutput     dL/d output (read), gradInput: dL/d input (written)
 * Every layer's input and what its backward needs stay in scratch between the two passes.
 */
export interface Backprop {
  forward: Step[];
  backward: Step[];
  /** Scratch element counts by name (kept activations and reused temporaries). */
  scratch: Record<string, number>;
}

export function backpropSteps(layout: ParameterLayout, shape: TokenShape, kernel: GemmKernel): Backprop {
  const count = layout.slots.length;
  const size = shape.batch * shape.width * shape.tokens;
  const scratch: Record<string, number> = {};
  const need = (name: string, n: number) => {
    scratch[name] = Math.max(scratch[name] ?? 0, n);
  };
  const activation = (i: number) => (i === 0 ? 'input' : i === count ? 'output' : `act${i}`);
  for (let i = 1; i < count; i++) need(activation(i), size);

  const forward: Step[] = [];
  const backward: Step[][] = [];
  layout.slots.forEach((slot, i) => {
    const label = `layer${i}`;
    const io = { params: 'params', grads: 'grads', input: activation(i), output: activation(i + 1) };
    const gradIn = i === count - 1 ? 'gradOutput' : `grad${(count - 1 - i) % 2}`;
    const gradOut = i === 0 ? 'gradInput' : `grad${(count - i) % 2}`;
    if (i < count - 1) need(gradIn, size);
    switch (slot.kind) {
      case 'lsa': {
        const keys = slot.keys ?? shape.tokens;
        const s = lsaScratch(shape, slot.heads, slot.norm !== undefined);
        const names = {
          ...io,
          g: `${label}.g`,
          a: `${label}.a`,
          bm: `${label}.bm`,
          mm: `${label}.mm`,
          normed: `${label}.normed`,
          gradIn,
          gradOut,
          dm: 'dm',
          dbm: 'dbm',
          da: 'da',
          dg: 'dg',
          e: 'e',
          // Columns ≥ K of S must stay zero: one buffer per key count, never written there.
          s: `s.k${keys}`,
          dnormed: 'dnormed',
          dyXhat: 'dyXhat',
          partials: 'partials',
        };
        for (const [k, n] of Object.entries(s.kept)) need(`${label}.${k}`, n);
        for (const [k, n] of Object.entries(s.temp)) need(k, n);
        need(names.s, s.s);
        const lsa = { heads: slot.heads, keys, q: slot.q, ...(slot.norm && { norm: slot.norm }) };
        forward.push(...lsaTrainingForward(label, shape, lsa, names, kernel));
        backward.push(lsaBackward(label, shape, lsa, names, kernel));
        break;
      }
      case 'mlp': {
        const s = mlpScratch(shape, slot.hidden);
        const names = {
          ...io,
          hidden: `${label}.hidden`,
          gradIn,
          gradOut,
          dhidden: 'dhidden',
          dz: 'dz',
          partials: 'partials',
        };
        need(names.hidden, s.kept.hidden);
        for (const [k, n] of Object.entries(s.temp)) need(k, n);
        forward.push(...mlpTrainingForward(label, shape, slot, names, kernel));
        backward.push(mlpBackward(label, shape, slot, names, kernel));
        break;
      }
      case 'layerNorm':
        need('dyXhat', size);
        forward.push(
          layerNormStep(
            `${label}.norm`,
            shape,
            { params: 'params', gain: slot.gain, bias: slot.bias },
            io.input,
            io.output,
          ),
        );
        backward.push(
          normBackward(label, shape, slot, {
            params: 'params',
            grads: 'grads',
            x: io.input,
            dy: gradIn,
            gradOut,
            dyXhat: 'dyXhat',
          }),
        );
        break;
      case 'clip':
        forward.push(elementwiseStep(`${label}.clip`, CLIP, size, slot.limit, { x: io.input, y: io.output }));
        backward.push([
          elementwiseStep(`${label}.clipBackward`, MASK_BACKWARD, size, slot.limit, {
            x: io.input,
            g: gradIn,
            y: gradOut,
          }),
        ]);
        break;
    }
  });
  return { forward, backward: backward.reverse().flat(), scratch };
}
