/** A saved model and the dataset it was trained on, loaded together and checked to match. */
import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { loadWithProgress, resolveDataDir } from '../data/dataset.js';
import type { SplitData } from '../data/split.js';
import { splitFor } from '../data/validation.js';
import { firstNonFinite } from '../models/weights.js';
import { NcfError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';
import { recordedConfig, type ModelMeta } from './meta.js';
import { loadModel, type ModelFile } from './model-file.js';

/**
 * The model file and its data: from `dataDir`, else the folder the model records; where that folder
 * is gone (the model moved to another machine or into a container) and the run read its data from
 * the default place, from that place here ($NCF_DATA_DIR/<dataset>, else data/<dataset>).
 */
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
  const config = recordedConfig(file.meta);
  const recorded = file.meta.dataset.dir;
  const dir = dataDir ?? (existsSync(recorded) || config.data.dir !== null ? recorded : resolveDataDir(config.data.dataset, null));
  const data = splitFor(await loadWithProgress(config.data.dataset, dir, progress), config);
  if (data.numUsers !== file.shape.numUsers || data.numItems !== file.shape.numItems) {
    throw new NcfError(
      `${modelFile} was trained on ${file.shape.numUsers} users × ${file.shape.numItems} items, but ${dir} has ${data.numUsers} × ${data.numItems}`,
    );
  }
  return { file, config, dir, data };
}
