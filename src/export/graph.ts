/**
 * Each model's scoring graph as a short list of layers over ncf's own parameter names: what the
 * ONNX and TF.js Layers writers translate, so neither of them branches on the model type.
 *
 * Every value is (N, width): an embedding lookup of one id per row gives (N, dim), as Keras'
 * Embedding + Flatten does. The graph ends in `logit` (N, 1), the value ncf's engines score.
 */
import type { ModelShape } from '../core/model.js';
import type { ModelType } from '../models/index.js';

/** The graph's two inputs: dense user and item ids, one pair per row. */
export type IdInput = 'user' | 'item';

export type GraphOp =
  /** Row `input` of the table `table` (rows × dim): (N, dim). */
  | { kind: 'embedding'; name: string; table: string; input: IdInput }
  /** Elementwise product. */
  | { kind: 'multiply'; name: string; inputs: [string, string] }
  /** Side by side along the last axis. */
  | { kind: 'concat'; name: string; inputs: string[] }
  /** x · kernel + bias, kernel (in, out) row-major; ReLU after it where `relu`. */
  | { kind: 'dense'; name: string; input: string; kernel: string; bias: string; relu: boolean }
  /** Row-wise dot product: (N, 1). */
  | { kind: 'dot'; name: string; inputs: [string, string] }
  /** Elementwise sum of values of one shape. */
  | { kind: 'add'; name: string; inputs: string[] }
  /** x + b for a parameter b of shape (1). */
  | { kind: 'addBias'; name: string; input: string; bias: string };

export interface ScoringGraph {
  ops: GraphOp[];
  /** The name of the (N, 1) logit: always the last op. */
  logit: 'logit';
}

function gmfOps(): GraphOp[] {
  return [
    { kind: 'embedding', name: 'gmf_user_vector', table: 'gmf_user', input: 'user' },
    { kind: 'embedding', name: 'gmf_item_vector', table: 'gmf_item', input: 'item' },
    { kind: 'multiply', name: 'gmf_vector', inputs: ['gmf_user_vector', 'gmf_item_vector'] },
  ];
}

/** The ReLU tower over [p_u ; q_i]; its output is `mlp_<L>`. */
function mlpOps(m: ModelShape): GraphOp[] {
  const ops: GraphOp[] = [
    { kind: 'embedding', name: 'mlp_user_vector', table: 'mlp_user', input: 'user' },
    { kind: 'embedding', name: 'mlp_item_vector', table: 'mlp_item', input: 'item' },
    { kind: 'concat', name: 'mlp_0', inputs: ['mlp_user_vector', 'mlp_item_vector'] },
  ];
  for (let l = 1; l < m.layers.length; l++) {
    ops.push({ kind: 'dense', name: `mlp_${l}`, input: `mlp_${l - 1}`, kernel: `mlp_${l}_kernel`, bias: `mlp_${l}_bias`, relu: true });
  }
  return ops;
}

const mlpTop = (m: ModelShape): string => `mlp_${m.layers.length - 1}`;

const output = (input: string): GraphOp => ({ kind: 'dense', name: 'logit', input, kernel: 'out_kernel', bias: 'out_bias', relu: false });

/** One builder per registered model (a model without one does not compile). */
const GRAPHS: Record<ModelType, (m: ModelShape) => GraphOp[]> = {
  gmf: () => [...gmfOps(), output('gmf_vector')],
  mlp: (m) => [...mlpOps(m), output(mlpTop(m))],
  neumf: (m) => [...gmfOps(), ...mlpOps(m), { kind: 'concat', name: 'neumf_vector', inputs: ['gmf_vector', mlpTop(m)] }, output('neumf_vector')],
  mf: () => [
    { kind: 'embedding', name: 'mf_user_vector', table: 'mf_user', input: 'user' },
    { kind: 'embedding', name: 'mf_item_vector', table: 'mf_item', input: 'item' },
    { kind: 'embedding', name: 'user_bias_value', table: 'user_bias', input: 'user' },
    { kind: 'embedding', name: 'item_bias_value', table: 'item_bias', input: 'item' },
    { kind: 'dot', name: 'mf_dot', inputs: ['mf_user_vector', 'mf_item_vector'] },
    { kind: 'add', name: 'mf_sum', inputs: ['mf_dot', 'user_bias_value', 'item_bias_value'] },
    { kind: 'addBias', name: 'logit', input: 'mf_sum', bias: 'out_bias' },
  ],
  ials: () => [
    { kind: 'embedding', name: 'ials_user_vector', table: 'ials_user', input: 'user' },
    { kind: 'embedding', name: 'ials_item_vector', table: 'ials_item', input: 'item' },
    { kind: 'dot', name: 'logit', inputs: ['ials_user_vector', 'ials_item_vector'] },
  ],
};

export function scoringGraph(m: ModelShape): ScoringGraph {
  const build = (GRAPHS as Record<string, ((m: ModelShape) => GraphOp[]) | undefined>)[m.type];
  if (!build) throw new Error(`no export graph for model type "${m.type}"`);
  return { ops: build(m), logit: 'logit' };
}
