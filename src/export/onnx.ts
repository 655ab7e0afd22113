/**
 * A model as an ONNX file (opset 17): inputs `user` and `item` (int64, N dense ids), outputs
 * `logit` (float, N: what ncf's engines score) and `probability` (its sigmoid). Initializers keep
 * ncf's parameter names and layout (embeddings (rows, dim), Dense kernels (in, out) row-major).
 */
import onnxProto from 'onnx-proto';
import type { ModelShape, Weights } from '../core/model.js';
import { paramSpecs } from '../models/index.js';
import { scoringGraph, type GraphOp } from './graph.js';

const { onnx } = onnxProto;

export const ONNX_OPSET = 17;
/** IR version 8 (ONNX 1.10+), which opset 17 runs on. */
const IR_VERSION = 8;

export interface OnnxOptions {
  /** producer_version: ncf's version. */
  version: string;
  /** Extra metadata_props (model type, dataset, …). */
  metadata?: Record<string, string>;
}

type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

const floatTensor = (name: string, dims: number[], data: Float32Array): Tensor => ({
  name,
  dims,
  dataType: onnx.TensorProto.DataType.FLOAT,
  rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
});

const int64Tensor = (name: string, values: number[]): Tensor => ({
  name,
  dims: [values.length],
  dataType: onnx.TensorProto.DataType.INT64,
  rawData: new Uint8Array(BigInt64Array.from(values, BigInt).buffer),
});

const intAttr = (name: string, i: number): onnxProto.onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });

const node = (opType: string, input: string[], output: string[], attribute: onnxProto.onnx.IAttributeProto[] = []): Node => ({
  opType,
  input,
  output,
  name: output[0],
  attribute,
});

/** One graph op as ONNX nodes; constants it needs go to `consts`. */
function nodesOf(op: GraphOp, consts: Tensor[]): Node[] {
  switch (op.kind) {
    case 'embedding':
      return [node('Gather', [op.table, op.input], [op.name], [intAttr('axis', 0)])];
    case 'multiply':
      return [node('Mul', op.inputs, [op.name])];
    case 'concat':
      return [node('Concat', op.inputs, [op.name], [intAttr('axis', 1)])];
    case 'dense': {
      const mm = [
        node('MatMul', [op.input, op.kernel], [`${op.name}/matmul`]),
        node('Add', [`${op.name}/matmul`, op.bias], [op.relu ? `${op.name}/add` : op.name]),
      ];
      return op.relu ? [...mm, node('Relu', [`${op.name}/add`], [op.name])] : mm;
    }
    case 'dot':
      if (!consts.some((t) => t.name === 'axes_1')) consts.push(int64Tensor('axes_1', [1]));
      return [node('Mul', op.inputs, [`${op.name}/mul`]), node('ReduceSum', [`${op.name}/mul`, 'axes_1'], [op.name], [intAttr('keepdims', 1)])];
    case 'add': {
      const out: Node[] = [];
      let acc = op.inputs[0];
      for (let k = 1; k < op.inputs.length; k++) {
        const name = k === op.inputs.length - 1 ? op.name : `${op.name}/${k}`;
        out.push(node('Add', [acc, op.inputs[k]], [name]));
        acc = name;
      }
      return out;
    }
    case 'addBias':
      return [node('Add', [op.input, op.bias], [op.name])];
  }
}

/** The serialized ModelProto. */
export function onnxModel(shape: ModelShape, weights: Weights, o: OnnxOptions): Uint8Array {
  const g = scoringGraph(shape);
  const initializer: Tensor[] = paramSpecs(shape).map((p) => {
    const w = weights.get(p.name);
    if (!w) throw new Error(`weights lack ${p.name}`);
    return floatTensor(p.name, p.shape, w);
  });
  const consts: Tensor[] = [int64Tensor('flat_shape', [-1])];
  // Inside the graph the logit is (N, 1) as in Keras; the outputs are (N).
  const inner = `${g.logit}_2d`;
  const nodes = g.ops.flatMap((op) => nodesOf(op, consts)).map((n) => (n.output?.includes(g.logit) ? { ...n, name: inner, output: [inner] } : n));
  nodes.push(node('Reshape', [inner, 'flat_shape'], [g.logit]), node('Sigmoid', [g.logit], ['probability']));
  const vector = (name: string, elem: number): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: elem, shape: { dim: [{ dimParam: 'N' }] } } },
  });
  const model: onnxProto.onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'ncf',
    producerVersion: o.version,
    docString: `${shape.type} scoring (dense user and item ids in, logit and probability out)`,
    metadataProps: Object.entries(o.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: `ncf_${shape.type}`,
      node: nodes,
      initializer: [...initializer, ...consts],
      input: [vector('user', onnx.TensorProto.DataType.INT64), vector('item', onnx.TensorProto.DataType.INT64)],
      output: [vector('logit', onnx.TensorProto.DataType.FLOAT), vector('probability', onnx.TensorProto.DataType.FLOAT)],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
