/**
 * GMF, MLP and NeuMF as a TensorFlow.js graph (He et al. 2017, eqs. 9–12), over variables in the
 * shared weight layout (embeddings (rows, dim); Dense kernels (in, out)).
 */
import * as tf from '@tensorflow/tfjs';
import { hasGmf, hasMlp, type ModelShape } from '../../model/spec.js';
import { constant } from './constants.js';

export type Params = Map<string, tf.Variable>;

/**
 * Embedding lookup whose gradient costs O(batch) work per row touched: a scatter of the batch's
 * row gradients (duplicates summed) instead of tf.gather's UnsortedSegmentSum gradient, which the
 * cpu backend computes by looping over every table row and the wasm backend lacks. The lookup
 * itself is a gatherND, 20× faster than gather on wasm (3.6 vs 73 ms for 65,536 rows of 32), except
 * on the cpu backend, where gather is the faster of the two (scoring 262k pairs: 3.2 vs 5.3 s).
 */
const lookupWithScatterGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, ids, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  const rows = tf.expandDims(ids, 1);
  save([rows]);
  return {
    value: tf.getBackend() === 'cpu' ? tf.gather(table, ids) : tf.gatherND(table, rows),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.scatterND(saved[0], dy, table.shape), tf.zerosLike(ids)],
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

/**
 * Mean binary cross-entropy on logits, in the stable form max(z,0) − z·y + log1p(exp(−|z|)), with
 * its gradient (σ(z) − y)/B written out: autodiff of the stable form costs a dozen kernels and two
 * scalar uploads per step.
 */
const logLossWithGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [z, y, save] = args as [tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
  save([z, y]);
  return {
    value: tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))),
    gradFunc: (dy: tf.Tensor, [zs, ys]: tf.Tensor[]) => [tf.mul(tf.sub(tf.sigmoid(zs), ys), tf.mul(dy, constant(1 / zs.size))), tf.zerosLike(ys)],
  };
});

export function meanLogLoss(z: tf.Tensor1D, y: tf.Tensor1D): tf.Scalar {
  return logLossWithGrad(z, y) as tf.Scalar;
}
