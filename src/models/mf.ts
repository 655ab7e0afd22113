/**
 * MF — dot-product matrix factorization with biases, the baseline of Rendle et al., "Neural
 * Collaborative Filtering vs. Matrix Factorization Revisited", RecSys 2020:
 *   ŷ = σ(b + b_u + b_i + p_u·q_i),  with no output layer.
 */
import { embeddingPair } from './parts.js';
import type { ModelDef } from './types.js';

export const mf: ModelDef = {
  type: 'mf',
  title: 'MF',
  summary: 'dot product with user, item and global biases: σ(b + b_u + b_i + p_u·q_i) (Rendle et al. 2020)',
  params: (m) => [
    ...embeddingPair('mf', m.numUsers, m.numItems, m.factors),
    { name: 'user_bias', shape: [m.numUsers, 1], init: 'zeros', rows: 'users' },
    { name: 'item_bias', shape: [m.numItems, 1], init: 'zeros', rows: 'items' },
    { name: 'out_bias', shape: [1], init: 'zeros' },
  ],
  describe: (m) => `mf (dot product with user, item and global biases), ${m.factors} factors`,
  predictiveFactors: (m) => m.factors,
};
