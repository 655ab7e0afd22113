/**
 * The engine-independent description of GMF, MLP and NeuMF (He et al., WWW 2017) and of
 * dot-product MF with biases (the baseline of Rendle et al., RecSys 2020): parameter names,
 * shapes and initialisation. Both engines load weights in this layout.
 *
 * Layout: embeddings are (rows, dim) row-major; Dense kernels are (in, out) row-major as in
 * Keras / TF.js; biases are (out).
 */
import { Rng } from '../util/rng.js';

export type ModelType = 'gmf' | 'mlp' | 'neumf' | 'mf';

export interface ModelConfig {
  type: ModelType;
  /** GMF predictive factors (G); for MF, the dot product's dimension (F). */
  factors: number;
  /** MLP widths; layers[0] is the concatenated embedding width (2E), the rest are Dense outputs. Unused by GMF and MF. */
  layers: number[];
  /** Std of the N(0, std) embedding initialisation. */
  embeddingStd: number;
}

export interface ModelShape extends ModelConfig {
  numUsers: number;
  numItems: number;
}

export interface ParamSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'glorot_uniform' | 'lecun_uniform' | 'zeros';
}

export type Weights = Map<string, Float32Array>;

export function hasGmf(m: ModelConfig): boolean {
  return m.type === 'gmf' || m.type === 'neumf';
}
export function hasMlp(m: ModelConfig): boolean {
  return m.type === 'mlp' || m.type === 'neumf';
}
/** MF: ŷ = b + b_u + b_i + p_u·q_i, with no output layer. */
export function isMf(m: ModelConfig): boolean {
  return m.type === 'mf';
}

/** Parameters holding one row per user (or per item): the rows a sample reads, a fold-in fits, a lazy optimizer updates. */
export const USER_TABLES = ['gmf_user', 'mlp_user', 'mf_user', 'user_bias'] as const;
export const ITEM_TABLES = ['gmf_item', 'mlp_item', 'mf_item', 'item_bias'] as const;
const ROW_TABLES = new Set<string>([...USER_TABLES, ...ITEM_TABLES]);
/** A per-user or per-item table (as opposed to a dense parameter: MLP kernels and biases, the output layer, MF's global bias). */
export function isRowTable(name: string): boolean {
  return ROW_TABLES.has(name);
}
/** E: the MLP embedding width per side. */
export function mlpEmbeddingDim(m: ModelConfig): number {
  return m.layers[0] / 2;
}
/** Width of the vector the output layer sees: GMF factors and/or the last MLP layer (0 for MF, which has no output layer). */
export function outputInputDim(m: ModelConfig): number {
  return (hasGmf(m) ? m.factors : 0) + (hasMlp(m) ? m.layers[m.layers.length - 1] : 0);
}

/** Parameters in a fixed order; every engine, weight file and optimizer uses this order. */
export function paramSpecs(m: ModelShape): ParamSpec[] {
  const specs: ParamSpec[] = [];
  if (isMf(m)) {
    specs.push({ name: 'mf_user', shape: [m.numUsers, m.factors], init: 'normal' });
    specs.push({ name: 'mf_item', shape: [m.numItems, m.factors], init: 'normal' });
    specs.push({ name: 'user_bias', shape: [m.numUsers, 1], init: 'zeros' });
    specs.push({ name: 'item_bias', shape: [m.numItems, 1], init: 'zeros' });
    specs.push({ name: 'out_bias', shape: [1], init: 'zeros' });
    return specs;
  }
  if (hasGmf(m)) {
    specs.push({ name: 'gmf_user', shape: [m.numUsers, m.factors], init: 'normal' });
    specs.push({ name: 'gmf_item', shape: [m.numItems, m.factors], init: 'normal' });
  }
  if (hasMlp(m)) {
    const e = mlpEmbeddingDim(m);
    specs.push({ name: 'mlp_user', shape: [m.numUsers, e], init: 'normal' });
    specs.push({ name: 'mlp_item', shape: [m.numItems, e], init: 'normal' });
    for (let l = 1; l < m.layers.length; l++) {
      specs.push({ name: `mlp_${l}_kernel`, shape: [m.layers[l - 1], m.layers[l]], init: 'glorot_uniform' });
      specs.push({ name: `mlp_${l}_bias`, shape: [m.layers[l]], init: 'zeros' });
    }
  }
  specs.push({ name: 'out_kernel', shape: [outputInputDim(m), 1], init: 'lecun_uniform' });
  specs.push({ name: 'out_bias', shape: [1], init: 'zeros' });
  return specs;
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function countParams(m: ModelShape): number {
  return paramSpecs(m).reduce((n, p) => n + sizeOf(p.shape), 0);
}

/**
 * He et al.'s initialisation, as in their Keras code: embeddings ~ N(0, 0.01); MLP kernels
 * glorot_uniform, U(±sqrt(6 / (fanIn + fanOut))) (Keras' Dense default); the prediction layer
 * lecun_uniform, U(±sqrt(3 / fanIn)); biases 0. MF: factors ~ N(0, embeddingStd), biases 0.
 */
export function initWeights(m: ModelShape, seed: number): Weights {
  const rng = Rng.derive(seed, 0x1417);
  const weights: Weights = new Map();
  for (const p of paramSpecs(m)) {
    const w = new Float32Array(sizeOf(p.shape));
    if (p.init === 'normal') {
      for (let k = 0; k < w.length; k++) w[k] = rng.nextNormal() * m.embeddingStd;
    } else if (p.init !== 'zeros') {
      const [fanIn, fanOut] = p.shape;
      const limit = p.init === 'glorot_uniform' ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(3 / fanIn);
      for (let k = 0; k < w.length; k++) w[k] = (rng.nextFloat() * 2 - 1) * limit;
    }
    weights.set(p.name, w);
  }
  return weights;
}

/** Throws if `w` does not hold exactly the parameters of `m` with the right sizes. */
export function checkWeights(m: ModelShape, w: Weights): void {
  for (const p of paramSpecs(m)) {
    const got = w.get(p.name);
    if (!got) throw new Error(`weights lack parameter ${p.name}`);
    if (got.length !== sizeOf(p.shape)) {
      throw new Error(`parameter ${p.name} has ${got.length} values, expected ${sizeOf(p.shape)} (${p.shape.join('×')})`);
    }
  }
}
