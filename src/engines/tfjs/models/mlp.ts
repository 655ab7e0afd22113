/** MLP as a TensorFlow.js graph (He et al. 2017, eq. 11): a ReLU tower over [p_u ; q_i], z = h^T φ_M + b. */
import * as tf from '@tensorflow/tfjs';
import { outputLayer, type Params, type RowReader, type TfjsModel } from './lookup.js';

export function mlpVector(p: Params, rows: RowReader, users: tf.Tensor1D, items: tf.Tensor1D): tf.Tensor2D {
  let h: tf.Tensor2D = tf.concat([rows('mlp_user', users), rows('mlp_item', items)], 1);
  for (let l = 1; p.has(`mlp_${l}_kernel`); l++) {
    h = tf.relu(tf.add(tf.matMul(h, p.get(`mlp_${l}_kernel`)!), p.get(`mlp_${l}_bias`)!)) as tf.Tensor2D;
  }
  return h;
}

export const mlp: TfjsModel = (p, rows, users, items) => outputLayer(p, mlpVector(p, rows, users, items));
