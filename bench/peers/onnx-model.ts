// Node half of the ONNX Runtime Web peer: one-node ONNX models of `com.microsoft::LinearAttention`,
// written with onnx-proto (CommonJS, so loaded through createRequire) and sent to the page as bytes.
import { createRequire } from 'node:module';

interface OnnxProto {
  onnx: {
    ModelProto: { create(m: object): object; encode(m: object): { finish(): Uint8Array } };
    AttributeProto: { AttributeType: Record<'FLOAT' | 'INT' | 'STRING', number> };
    TensorProto: { DataType: Record<'FLOAT', number> };
  };
}

const { onnx } = createRequire(import.meta.url)('onnx-proto') as OnnxProto;

export type UpdateRule = 'linear' | 'gated';

/**
 * LinearAttention with `heads` query and key/value heads: inputs query, key [B, T, H·K], value
 * [B, T, H·V], past_state [B, H, K, V] and, for 'gated', decay [B, T, H] (log-gates); outputs
 * output [B, T, H·V] and present_state. Every dimension is symbolic, so one model serves all sizes.
 */
export function linearAttentionModel(rule: UpdateRule, heads: number, scale: number): Uint8Array {
  const A = onnx.AttributeProto.AttributeType;
  const f32 = onnx.TensorProto.DataType.FLOAT;
  const tensor = (name: string, dims: string[]) => ({
    name,
    type: { tensorType: { elemType: f32, shape: { dim: dims.map((d) => ({ dimParam: d })) } } },
  });
  const inputs = [
    tensor('query', ['B', 'T', 'HK']),
    tensor('key', ['B', 'T', 'HK']),
    tensor('value', ['B', 'T', 'HV']),
    tensor('past_state', ['B', 'H', 'K', 'V']),
    ...(rule === 'gated' ? [tensor('decay', ['B', 'T', 'H'])] : []),
  ];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'lsa-newton bench',
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: {
      name: `linear_attention_${rule}`,
      node: [
        {
          opType: 'LinearAttention',
          domain: 'com.microsoft',
          input: inputs.map((i) => i.name),
          output: ['output', 'present_state'],
          attribute: [
            { name: 'update_rule', type: A.STRING, s: new TextEncoder().encode(rule) },
            { name: 'q_num_heads', type: A.INT, i: heads },
            { name: 'kv_num_heads', type: A.INT, i: heads },
            { name: 'scale', type: A.FLOAT, f: scale },
          ],
        },
      ],
      input: inputs,
      output: [tensor('output', ['B', 'T', 'HV']), tensor('present_state', ['B', 'H', 'K', 'V'])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Every model the linear attention cases use, by `${rule}-H${heads}-K${dim}`, as base64 for the page. */
export function linearAttentionModels(): Record<string, string> {
  const models: Record<string, string> = {};
  for (const rule of ['linear', 'gated'] as const) {
    for (const [heads, dim] of [
      [8, 64],
      [4, 128],
      [4, 32],
    ] as const) {
      models[`${rule}-H${heads}-K${dim}`] = Buffer.from(linearAttentionModel(rule, heads, 1 / Math.sqrt(dim))).toString(
        'base64',
      );
    }
  }
  return models;
}
