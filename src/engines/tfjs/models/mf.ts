/** MF with biases as a TensorFlow.js graph (Rendle et al. 2020): z = b + b_u + b_i + p_u·q_i. */
import * as tf from '@tensorflow/tfjs';
import type { TfjsModel } from './lookup.js';

export const mf: TfjsModel = (p, rows, users, items) => {
  const dot = tf.sum(tf.mul(rows('mf_user', users), rows('mf_item', items)), 1);
  const biases = tf.add(rows('user_bias', users), rows('item_bias', items));
  return tf.add(tf.add(dot, tf.reshape(biases, [-1])), p.get('out_bias')!) as tf.Tensor1D;
};
