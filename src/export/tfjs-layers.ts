/**
 * A model as a TF.js Layers model: a functional tf.model over inputs `user` and `item` (int32,
 * shape (N, 1): dense ids, as He et al.'s Keras code took them) with outputs `logit` (N, 1), what
 * ncf's engines score, and `probability` (its sigmoid). Saved as model.json + weights.bin, the
 * format tf.loadLayersModel reads and tensorflowjs_converter turns into a Keras model or a
 * SavedModel. Layer weights keep ncf's layout (Keras' too: Dense kernels (in, out)).
 */
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelShape, Weights } from '../core/model.js';
import { paramSpecs } from '../models/index.js';
import { scoringGraph, type GraphOp } from './graph.js';

export interface LayersOptions {
  version: string;
  metadata?: Record<string, string>;
}

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

type Sym = tf.SymbolicTensor;

/** The functional model with ncf's weights in its layers. Call within tf.tidy or dispose it. */
export function layersModel(shape: ModelShape, weights: Weights): tf.LayersModel {
  const dims = new Map(paramSpecs(shape).map((p) => [p.name, p.shape]));
  const made: tf.Tensor[] = [];
  const param = (name: string): tf.Tensor => {
    const w = weights.get(name);
    const d = dims.get(name);
    if (!w || !d) throw new Error(`weights lack ${name}`);
    const t = tf.tensor(w, d, 'float32');
    made.push(t);
    return t;
  };
  const one = tf.ones([1, 1]);
  made.push(one);
  const inputs = {
    user: tf.input({ shape: [1], dtype: 'int32', name: 'user' }),
    item: tf.input({ shape: [1], dtype: 'int32', name: 'item' }),
  };
  const values = new Map<string, Sym>();
  const get = (name: string): Sym => {
    const v = values.get(name);
    if (!v) throw new Error(`export graph: ${name} used before it is made`);
    return v;
  };
  const g = scoringGraph(shape);
  try {
    for (const op of g.ops) values.set(op.name, layerOf(op, get, param, one, inputs));
    const logit = get(g.logit);
    const probability = tf.layers.activation({ activation: 'sigmoid', name: 'probability' }).apply(logit) as Sym;
    return tf.model({ inputs: [inputs.user, inputs.item], outputs: [logit, probability], name: `ncf_${shape.type}` });
  } finally {
    // The layers' variables hold their own references to the values.
    tf.dispose(made);
  }
}

function layerOf(op: GraphOp, get: (name: string) => Sym, param: (name: string) => tf.Tensor, one: tf.Tensor, inputs: Record<'user' | 'item', Sym>): Sym {
  switch (op.kind) {
    case 'embedding': {
      const table = param(op.table);
      const [rows, dim] = table.shape;
      const e = tf.layers.embedding({ inputDim: rows, outputDim: dim, name: op.table, weights: [table] }).apply(inputs[op.input]) as Sym;
      return tf.layers.flatten({ name: op.name }).apply(e) as Sym;
    }
    case 'multiply':
      return tf.layers.multiply({ name: op.name }).apply(op.inputs.map(get)) as Sym;
    case 'concat':
      return tf.layers.concatenate({ axis: -1, name: op.name }).apply(op.inputs.map(get)) as Sym;
    case 'dense': {
      const kernel = param(op.kernel);
      const layer = tf.layers.dense({
        units: kernel.shape[1] as number,
        activation: op.relu ? 'relu' : 'linear',
        name: op.name,
        weights: [kernel, param(op.bias)],
      });
      return layer.apply(get(op.input)) as Sym;
    }
    case 'dot':
      return tf.layers.dot({ axes: 1, name: op.name }).apply(op.inputs.map(get)) as Sym;
    case 'add':
      return tf.layers.add({ name: op.name }).apply(op.inputs.map(get)) as Sym;
    case 'addBias':
      // Keras has no bias-only layer: a Dense of one unit whose kernel is 1 (x · 1 is exact).
      return tf.layers.dense({ units: 1, name: op.name, weights: [one, param(op.bias)] }).apply(get(op.input)) as Sym;
  }
}

/** Writes model.json and weights.bin into `dir` (which must exist); returns their paths. */
export async function saveLayersModel(shape: ModelShape, weights: Weights, dir: string, o: LayersOptions): Promise<string[]> {
  tf.enableProdMode(); // no debug checks, and no console advert for tfjs-node
  await tf.setBackend('cpu');
  const model = layersModel(shape, weights);
  try {
    const paths = [join(dir, MODEL_JSON), join(dir, WEIGHTS_BIN)];
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        const data = a.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
        writeFileSync(paths[1], new Uint8Array(data));
        const json = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: `ncf ${o.version}`,
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: [WEIGHTS_BIN], weights: a.weightSpecs ?? [] }],
          userDefinedMetadata: o.metadata ?? {},
        };
        writeFileSync(paths[0], JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    return paths;
  } finally {
    model.dispose();
  }
}
