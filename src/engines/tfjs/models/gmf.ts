/** GMF as a TensorFlow.js graph (He et al. 2017, eq. 9): φ_G = p_u ⊙ q_i, z = h^T φ_G + b. */
import * as tf from '@tensorflow/tfjs';
import { outputLayer, type RowReader, type TfjsModel } from './lookup.js';

export function gmfVector(rows: RowReader, users: tf.Tensor1D, items: tf.Tensor1D): tf.Tensor2D {
  return tf.mul(rows('gmf_user', users), rows('gmf_item', items));
}

export const gmf: TfjsModel = (p, rows, users, items) => outputLayer(p, gmfVector(rows, users, items));
