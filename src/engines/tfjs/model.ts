/**
 * GMF, MLP and NeuMF as a TensorFlow.js graph (He et al. 2017, eqs. 9–12), over variables in the
 * shared weight layout (embeddings (rows, dim); Dense kernels (in, out)).
 */
import * as tf from '@tensorflow/tfjs';
import { hasGmf, hasMlp, type ModelShape } from '../../model/spec.js';

export type Params = Map<string, tf.Variable>;

/**
 * Embedding lookup whose gradient costs O(batch) work per row touched: a scatter of the batch's
 * row gradients (duplicates summed) instead of tf.gather's UnsortedSegmentSum gradient, which the
 * cpu backend computes by looping over every table row and the wasm backend lacks.
 */
const lookupWithScatterGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, ids, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([ids]);
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.scatterND(tf.expandDims(saved[0], 1), dy, table.shape), tf.zerosLike(saved[0])],
  };
});

function lookup(table: tf.Variable, ids: tf.Tensor1D): tf.Tensor2D {
  return lookupWithScatterGrad(table, ids) as tf.Tensor2D;
}

/** Logits (B) for users (B) and items (B), int32. */
export function logits(shape: ModelShape, p: Params, users: tf.Tensor1D, items: tf.Tensor1D): tf.Tensor1D {
  const parts: tf.Tensor2D[] = [];
  if (hasGmf(shape)) parts.push(tf.mul(lookup(p.get('gmf_user')!, users), lookup(p.get('gmf_item')!, items)));
  if (hasMlp(shape)) {
    let h: tf.Tensor2D = tf.concat([lookup(p.get('mlp_user')!, users), lookup(p.get('mlp_item')!, items)], 1);
    for (let l = 1; l < shape.layers.length; l++) {
      h = tf.relu(tf.add(tf.matMul(h, p.get(`mlp_${l}_kernel`)!), p.get(`mlp_${l}_bias`)!)) as tf.Tensor2D;
    }
    parts.push(h);
  }
  const v = parts.length === 1 ? parts[0] : tf.concat(parts, 1);
  return tf.reshape(tf.add(tf.matMul(v, p.get('out_kernel')!), p.get('out_bias')!), [-1]);
}

/** Mean binary cross-entropy on logits, in the stable form max(z,0) − z·y + log1p(exp(−|z|)). */
export function meanLogLoss(z: tf.Tensor1D, y: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))));
}
