/**
 * The training objective as a TensorFlow.js graph, for any model: log loss or BPR over the
 * model's logits, plus L2 (see Objective).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelShape } from '../../core/model.js';
import type { Objective } from '../../core/training.js';
import { paramSpecs } from '../../models/index.js';
import { constant } from './constants.js';
import { lookup, type Params } from './models/lookup.js';
import { tfjsModel } from './models/index.js';

/**
 * Logits (B) for users (B) and items (B), int32. `read`, when given, receives every embedding and
 * bias row block the batch looked up (B, width), for the L2 term to reuse.
 */
export function logits(shape: ModelShape, p: Params, users: tf.Tensor1D, items: tf.Tensor1D, read?: tf.Tensor2D[]): tf.Tensor1D {
  return tfjsModel(shape.type)(
    p,
    (name, ids) => {
      const r = lookup(p.get(name)!, ids);
      read?.push(r);
      return r;
    },
    users,
    items,
  );
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
  shape: ModelShape,
  p: Params,
  users: tf.Tensor1D,
  items: tf.Tensor1D,
  labels: tf.Tensor1D,
  obj: Objective,
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
  const dense = paramSpecs(shape)
    .filter((s) => !s.rows)
    .map((s) => p.get(s.name)!);
  for (const t of dense) terms.push(tf.mul(tf.sum(tf.square(t)), constant((obj.l2 / 2) * (n / units))));
  // Pairwise adds, not tf.addN: webgpu's AddN kernel binds one buffer per input and fails past 7.
  return { data, total: terms.reduce((a, b) => tf.add(a, b), data) };
}
