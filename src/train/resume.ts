/** `--resume`: a run continues from its saved model only when it trains the same thing on the same data. */
import { existsSync } from 'node:fs';
import { firstDifference, recordedConfig, type ModelMeta } from '../artifacts/meta.js';
import { loadModel } from '../artifacts/model-file.js';
import type { ModelShape } from '../core/model.js';
import type { EpochRecord } from '../core/records.js';
import type { Config } from '../config/schema.js';
import type { Engine } from '../engines/index.js';
import { firstNonFinite } from '../models/weights.js';
import { NcfError } from '../util/errors.js';

/** Loads `path`'s weights and optimizer state into `engine`; returns the epochs it holds. */
export async function resumeInto(engine: Engine, c: Config, shape: ModelShape, path: string): Promise<EpochRecord[]> {
  if (!existsSync(path)) throw new NcfError(`--resume: ${path} not found — train without --resume first`);
  const f = loadModel<ModelMeta>(path);
  const differ = firstDifference(recordedConfig(f.meta), c, [
    'model',
    'data.dataset',
    'seed',
    'train.batchSize',
    'train.negatives',
    'train.optimizer',
    'train.loss',
    'data.split',
    // Model ials is fitted by these, not by train's optimizer.
    ...(c.model.type === 'ials' ? ['ials'] : []),
  ]);
  if (differ) throw new NcfError(`--resume: ${differ.key} is ${JSON.stringify(differ.now)} but ${path} was trained with ${JSON.stringify(differ.recorded)}`);
  if (f.shape.numUsers !== shape.numUsers || f.shape.numItems !== shape.numItems) {
    throw new NcfError(
      `--resume: ${path} was trained on ${f.shape.numUsers} users × ${f.shape.numItems} items, the data has ${shape.numUsers} × ${shape.numItems}`,
    );
  }
  const bad = firstNonFinite(f.weights) ?? (f.optimizer && firstNonFinite(f.optimizer.slots));
  if (bad) throw new NcfError(`--resume: ${path} holds non-finite values (${bad.name}[${bad.index}] is ${bad.value}); train it again without --resume`);
  await engine.setWeights(f.weights);
  if (f.optimizer) await engine.setOptimizerState(f.optimizer);
  return f.meta.history.slice(0, f.epoch);
}
