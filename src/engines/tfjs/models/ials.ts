/** iALS's dot product as a TensorFlow.js graph: z = w_u·h_i (fitted on the scratch engine). */
import * as tf from '@tensorflow/tfjs';
import type { TfjsModel } from './lookup.js';

export const ials: TfjsModel = (_p, rows, users, items) => tf.sum(tf.mul(rows('ials_user', users), rows('ials_item', items)), 1) as tf.Tensor1D;
