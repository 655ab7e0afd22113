/**
 * He et al. 2017 §3.4.1, pre-training: NeuMF initialised from a trained GMF and a trained MLP of
 * the same sizes. Embeddings and hidden layers are copied; the output layer is the concatenation
 * of the two output layers weighted by α and 1 − α (and its bias the same mix), so the new NeuMF
 * starts out predicting exactly α·GMF + (1 − α)·MLP in logits.
 */
import { NcfError } from '../util/errors.js';
import { paramSpecs, type ModelShape, type Weights } from './spec.js';

export interface Pretrained {
  shape: ModelShape;
  weights: Weights;
}

export function neumfFromPretrained(shape: ModelShape, gmf: Pretrained, mlp: Pretrained, alpha: number): Weights {
  if (shape.type !== 'neumf') throw new NcfError(`pre-training initialises NeuMF, not ${shape.type}`);
  const same = (what: string, a: unknown, b: unknown, who: string): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new NcfError(`pre-trained ${who}: ${what} is ${JSON.stringify(a)}, NeuMF needs ${JSON.stringify(b)}`);
  };
  same('model.type', gmf.shape.type, 'gmf', 'GMF');
  same('model.type', mlp.shape.type, 'mlp', 'MLP');
  same('model.factors', gmf.shape.factors, shape.factors, 'GMF');
  same('model.layers', mlp.shape.layers, shape.layers, 'MLP');
  for (const [who, p] of [['GMF', gmf], ['MLP', mlp]] as const) {
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
