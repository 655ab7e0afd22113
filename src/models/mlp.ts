/**
 * MLP — He et al. 2017, eq. (11)–(12):
 *   φ_M = a_L(W_L^T(… a_1(W_1^T [p_u ; q_i] + b_1) …) + b_L), a = ReLU,  ŷ = σ(h^T φ_M + b).
 * layers[0] is the concatenated embedding width 2E, layers[1..L] the Dense widths.
 */
import type { ModelShape, ParamSpec } from '../core/model.js';
import { embeddingPair, outputLayer } from './parts.js';
import type { ModelDef, ModelSizes } from './types.js';

/** E: the MLP embedding width per side. */
export function mlpEmbeddingDim(m: ModelSizes): number {
  return m.layers[0] / 2;
}

/** The width of φ_M, the tower's last layer. */
export function mlpOutputWidth(m: ModelSizes): number {
  return m.layers[m.layers.length - 1];
}

/** MLP's embeddings (U, E) and (I, E); its Dense kernels (H_{l-1}, H_l) (glorot_uniform, Keras' default) and biases. */
export function mlpTables(m: ModelShape): ParamSpec[] {
  return embeddingPair('mlp', m.numUsers, m.numItems, mlpEmbeddingDim(m));
}

export function mlpLayers(m: ModelSizes): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (let l = 1; l < m.layers.length; l++) {
    specs.push({ name: `mlp_${l}_kernel`, shape: [m.layers[l - 1], m.layers[l]], init: 'glorot_uniform' });
    specs.push({ name: `mlp_${l}_bias`, shape: [m.layers[l]], init: 'zeros' });
  }
  return specs;
}

export const mlp: ModelDef = {
  type: 'mlp',
  title: 'MLP',
  summary: 'a ReLU tower over [p_u ; q_i] and σ(h^T φ_M + b) (He et al. 2017, eq. 11)',
  params: (m) => [...mlpTables(m), ...mlpLayers(m), ...outputLayer(mlpOutputWidth(m))],
  describe: (m) => `mlp, MLP layers [${m.layers.join(', ')}]`,
  predictiveFactors: mlpOutputWidth,
};
