/**
 * GMF, MLP and NeuMF as a TensorFlow.js graph (He et al. 2017, eqs. 9–12), and MF with biases
 * (Rendle et al. 2020), over variables in the shared weight layout (embeddings (rows, dim); Dense
 * kernels (in, out)); and the training objective: log loss or BPR, plus L2 (see Objective).
 */
import * as tf from '@tensorflow/tfjs';
import { hasGmf, hasMlp, isMf, isRowTable, type ModelShape } from '../../model/spec.js';
import type { Objective } from '../engine.js';
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

/**
 * Logits (B) for users (B) and items (B), int32. `read`, when given, receives every embedding and
 * bias row block the batch looked up (B, width), for the L2 term to reuse.
 */
export function logits(shape: ModelShape, p: Params, users: tf.Tensor1D, items: tf.Tensor1D, read?: tf.Tensor2D[]): tf.Tensor1D {
  const rows = (name: string, ids: tf.Tensor1D): tf.Tensor2D => {
    const r = lookup(p.get(name)!, ids);
    read?.push(r);
    return r;
  };
  if (isMf(shape)) {
    const dot = tf.sum(tf.mul(rows('mf_user', users), rows('mf_item', items)), 1);
    const biases = tf.add(rows('user_bias', users), rows('item_bias', items));
    return tf.add(tf.add(dot, tf.reshape(biases, [-1])), p.get('out_bias')!) as tf.Tensor1D;
  }
  const parts: tf.Tensor2D[] = [];
  if (hasGmf(shape)) parts.push(tf.mul(rows('gmf_user', users), rows('gmf_item', items)));
  if (hasMlp(shape)) {
    let h: tf.Tensor2D = tf.concat([rows('mlp_user', users), rows('mlp_item', items)], 1);
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

/**
 * The training objective over one batch (see Objective): `data`, the mean log loss (per instance)
 * or BPR loss (per pair: instances 2k and 2k + 1), and `total`, the data term plus L2 — every
 * instance's (λ/2)·‖row‖² over the rows it reads, and (λ/2)·‖θ‖² of the dense parameters per
 * instance — which is what the gradients are taken of.
 */
export function objective(
  shape: ModelShape, p: Params, users: tf.Tensor1D, items: tf.Tensor1D, labels: tf.Tensor1D, obj: Objective,
): { data: tf.Scalar; total: tf.Scalar } {
  const read: tf.Tensor2D[] = [];
  const z = logits(shape, p, users, items, read);
  let data: tf.Scalar;
  if (obj.loss === 'bpr') {
    // −ln σ(z⁺ − z⁻) is log loss on the difference with label 1 (the labels are not read: the slot says which is which).
    const pairs = tf.reshape(z, [-1, 2]);
    const d = tf.reshape(tf.sub(tf.slice(pairs, [0, 0], [-1, 1]), tf.slice(pairs, [0, 1], [-1, 1])), [-1]) as tf.Tensor1D;
    data = meanLogLoss(d, tf.onesLike(d));
  } else {
    data = meanLogLoss(z, labels);
  }
  if (obj.l2 === 0) return { data, total: data };
  const n = users.size;
  const units = obj.loss === 'bpr' ? n / 2 : n;
  // The rows the forward pass looked up (no second gather).
  const terms: tf.Scalar[] = read.map((r) => tf.mul(tf.sum(tf.square(r)), constant(obj.l2 / 2 / units)));
  for (const [name, t] of p) if (!isRowTable(name)) terms.push(tf.mul(tf.sum(tf.square(t)), constant((obj.l2 / 2) * (n / units))));
  // Pairwise adds, not tf.addN: webgpu's AddN kernel binds one buffer per input and fails past 7.
  return { data, total: terms.reduce((a, b) => tf.add(a, b), data) };
}
