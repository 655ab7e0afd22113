/** NeuMF as a TensorFlow.js graph (He et al. 2017, eq. 12): z = h^T [φ_G ; φ_M] + b. */
import * as tf from '@tensorflow/tfjs';
import { gmfVector } from './gmf.js';
import { outputLayer, type TfjsModel } from './lookup.js';
import { mlpVector } from './mlp.js';

export const neumf: TfjsModel = (p, rows, users, items) => outputLayer(p, tf.concat([gmfVector(rows, users, items), mlpVector(p, rows, users, items)], 1));
