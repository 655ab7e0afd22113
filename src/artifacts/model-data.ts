/** A saved model and the dataset it was trained on, loaded together and checked to match. */
import type { Config } from '../config/schema.js';
import { loadWithProgress } from '../data/dataset.js';
import type { SplitData } from '../data/split.js';
import { splitFor } from '../data/validation.js';
import { firstNonFinite } from '../models/weights.js';
import { NcfError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';
import type { ModelMeta } from './meta.js';
import { loadModel, type ModelFile } from './model-file.js';

/** The model file and its data (from the folder it records, unless `dataDir`). */
export async function loadModelWithData(
  modelFile: string,
  dataDir: string | null,
  progress: Progress,
): Promise<{
  file: ModelFile<ModelMeta>;
  config: Config;
  dir: string;
  data: SplitData;
}> {
  const file = loadModel<ModelMeta>(modelFile);
  const bad = firstNonFinite(file.weights);
  if (bad) {
    throw new NcfError(
      `${modelFile} holds non-finite weights (${bad.name}[${bad.index}] is ${bad.value}): its run diverged; train it again with a smaller train.lr`,
    );
  }
  const config = file.meta.config;
  const dir = dataDir ?? file.meta.dataset.dir;
  const data = splitFor(await loadWithProgress(config.data.dataset, dir, progress), config);
  if (data.numUsers !== file.shape.numUsers || data.numItems !== file.shape.numItems) {
    throw new NcfError(
      `${modelFile} was trained on ${file.shape.numUsers} users × ${file.shape.numItems} items, but ${dir} has ${data.numUsers} × ${data.numItems}`,
    );
  }
  return { file, config, dir, data };
}
