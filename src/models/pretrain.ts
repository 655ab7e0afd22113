/**
 * He et al. 2017 §3.4.1, pre-training: NeuMF initialised from a trained GMF and a trained MLP of
 * the same sizes. Embeddings and hidden layers are copied; the output layer is the concatenation
 * of the two output layers weighted by α and 1 − α (and its bias the same mix), so the new NeuMF
 * starts out predicting exactly α·GMF + (1 − α)·MLP in logits.
 *
 * The GMF part may also come from dot-product MF with biases (Rendle et al. 2020): MF with F
 * factors is exactly a GMF with F + 2 (see gmfFromMf), so Rendle's recipe can pre-train it.
 */
import { NcfError } from '../util/errors.js';
import type { ModelShape, Weights } from '../core/model.js';
import { paramSpecs } from './index.js';

export interface Pretrained {
  shape: ModelShape;
  weights: Weights;
}

/**
 * MF's ŷ = b + b_u + b_i + p_u·q_i as a GMF with two more factors: user rows [p_u, 1, b_u], item
 * rows [q_i, b_i, 1], output kernel all ones and output bias b. Same logit for every pair.
 */
export function gmfFromMf(mf: Pretrained): Pretrained {
  if (mf.shape.type !== 'mf') throw new NcfError(`gmfFromMf needs an MF model, not ${mf.shape.type}`);
  const f = mf.shape.factors;
  const g = f + 2;
  const widen = (rows: Float32Array, bias: Float32Array, biasFirst: boolean): Float32Array => {
    const out = new Float32Array(bias.length * g);
    for (let r = 0; r < bias.length; r++) {
      out.set(rows.subarray(r * f, (r + 1) * f), r * g);
      out[r * g + f] = biasFirst ? bias[r] : 1;
      out[r * g + f + 1] = biasFirst ? 1 : bias[r];
    }
    return out;
  };
  const w = mf.weights;
  const weights: Weights = new Map([
    ['gmf_user', widen(w.get('mf_user')!, w.get('user_bias')!, false)],
    ['gmf_item', widen(w.get('mf_item')!, w.get('item_bias')!, true)],
    ['out_kernel', new Float32Array(g).fill(1)],
    ['out_bias', w.get('out_bias')!.slice()],
  ]);
  return { shape: { ...mf.shape, type: 'gmf', factors: g }, weights };
}

/** How a pre-trained GMF part reads in the log: an MF says what it stands in for. */
export function gmfPartText(shape: ModelShape): string {
  return shape.type === 'mf' ? ` (MF with ${shape.factors} factors, as a GMF with ${shape.factors + 2})` : '';
}

/** 1 − α for display: 0.2, not 0.19999999999999996. */
export function mlpShare(alpha: number): number {
  return Number((1 - alpha).toFixed(6));
}

export function neumfFromPretrained(shape: ModelShape, gmfOrMf: Pretrained, mlp: Pretrained, alpha: number): Weights {
  if (shape.type !== 'neumf') throw new NcfError(`pre-training initialises NeuMF, not ${shape.type}`);
  if (gmfOrMf.shape.type === 'mf' && gmfOrMf.shape.factors + 2 !== shape.factors) {
    throw new NcfError(
      `pre-trained GMF: an MF with F factors stands in for a GMF with F + 2 (its biases take two); NeuMF with ${shape.factors} factors needs MF with ${shape.factors - 2}, not ${gmfOrMf.shape.factors}`,
    );
  }
  const gmf = gmfOrMf.shape.type === 'mf' ? gmfFromMf(gmfOrMf) : gmfOrMf;
  const same = (what: string, a: unknown, b: unknown, who: string): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new NcfError(`pre-trained ${who}: ${what} is ${JSON.stringify(a)}, NeuMF needs ${JSON.stringify(b)}`);
  };
  same('model.type', gmf.shape.type, 'gmf', 'GMF');
  same('model.type', mlp.shape.type, 'mlp', 'MLP');
  same('model.factors', gmf.shape.factors, shape.factors, 'GMF');
  same('model.layers', mlp.shape.layers, shape.layers, 'MLP');
  for (const [who, p] of [
    ['GMF', gmf],
    ['MLP', mlp],
  ] as const) {
    same('users × items', [p.shape.numUsers, p.shape.numItems], [shape.numUsers, shape.numItems], who);
  }
  const w: Weights = new Map();
  for (const spec of paramSpecs(shape)) {
    if (spec.name.startsWith('gmf_')) w.set(spec.name, gmf.weights.get(spec.name)!.slice());
    else if (spec.name.startsWith('mlp_')) w.set(spec.name, mlp.weights.get(spec.name)!.slice());
  }
  const kg = gmf.weights.get('out_kernel')!;
  const km = mlp.weights.get('out_kernel')!;
  const kernel = new Float32Array(kg.length + km.length);
  for (let j = 0; j < kg.length; j++) kernel[j] = alpha * kg[j];
  for (let j = 0; j < km.length; j++) kernel[kg.length + j] = (1 - alpha) * km[j];
  w.set('out_kernel', kernel);
  w.set('out_bias', Float32Array.of(alpha * gmf.weights.get('out_bias')![0] + (1 - alpha) * mlp.weights.get('out_bias')![0]));
  return w;
}
