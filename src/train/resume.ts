/** `--resume`: a run continues from its saved model only when it trains the same thing on the same data. */
import { existsSync } from 'node:fs';
import type { ModelMeta } from '../artifacts/meta.js';
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
  const was = f.meta.config;
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  const wasIals: Partial<Config['ials']> = was.ials ?? {};
  for (const [key, a, b] of [
    ['model', was.model, c.model],
    ['data.dataset', was.data.dataset, c.data.dataset],
    ['seed', was.seed, c.seed],
    ['train.batchSize', was.train.batchSize, c.train.batchSize],
    ['train.negatives', was.train.negatives, c.train.negatives],
    ['train.optimizer', was.train.optimizer, c.train.optimizer],
    // Model files from before BPR existed trained log loss.
    ['train.loss', was.train.loss ?? 'bce', c.train.loss],
    // Files from before the validation split trained on the test split's training data.
    ['data.split', was.data.split ?? 'test', c.data.split],
    // Model ials is fitted by these, not by train's optimizer; files from before eALS's weighting were uniform (in c's key order, as the comparison is of JSON).
    ...(c.model.type === 'ials' ? ([['ials', { ...c.ials, popularityExp: 0, ...wasIals }, c.ials]] as const) : []),
  ] as const) {
    if (!same(a, b)) throw new NcfError(`--resume: ${key} is ${JSON.stringify(b)} but ${path} was trained with ${JSON.stringify(a)}`);
  }
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
