/**
 * GMF — He et al., "Neural Collaborative Filtering", WWW 2017, eq. (9)–(10):
 *   φ_G = p_u ⊙ q_i,  ŷ = σ(h^T φ_G + b).
 */
import type { ModelShape, ParamSpec } from '../core/model.js';
import { embeddingPair, outputLayer } from './parts.js';
import type { ModelDef } from './types.js';

/** GMF's embeddings (U, G) and (I, G). */
export function gmfTables(m: ModelShape): ParamSpec[] {
  return embeddingPair('gmf', m.numUsers, m.numItems, m.factors);
}

export const gmf: ModelDef = {
  type: 'gmf',
  title: 'GMF',
  summary: 'generalized matrix factorization: σ(h^T (p_u ⊙ q_i) + b) (He et al. 2017, eq. 9)',
  params: (m) => [...gmfTables(m), ...outputLayer(m.factors)],
  describe: (m) => `gmf, ${m.factors} factors`,
  predictiveFactors: (m) => m.factors,
};
