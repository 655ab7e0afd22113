/**
 * NeuMF — He et al. 2017, eq. (12)–(13): GMF and MLP side by side, each with its own embeddings,
 * fused by one prediction layer:  ŷ = σ(h^T [φ_G ; φ_M] + b).
 */
import { gmfTables } from './gmf.js';
import { mlpLayers, mlpOutputWidth, mlpTables } from './mlp.js';
import { outputLayer } from './parts.js';
import type { ModelDef } from './types.js';

export const neumf: ModelDef = {
  type: 'neumf',
  title: 'NeuMF',
  summary: 'GMF and MLP fused by one prediction layer: σ(h^T [φ_G ; φ_M] + b) (He et al. 2017, eq. 12)',
  params: (m) => [...gmfTables(m), ...mlpTables(m), ...mlpLayers(m), ...outputLayer(m.factors + mlpOutputWidth(m))],
  describe: (m) => `neumf, GMF factors ${m.factors}, MLP layers [${m.layers.join(', ')}]`,
  predictiveFactors: (m) => m.factors,
};
