/** What a model file remembers about its run, beside the weights. */
import type { EpochRecord } from '../core/records.js';
import { DEFAULTS, type Config } from '../config/schema.js';

export interface ModelMeta {
  config: Config;
  dataset: { name: string; dir: string; numUsers: number; numItems: number };
  /** Each dense user's MovieLens UserID and each item's MovieID (absent in files from before they were recorded). */
  ids?: { users: number[]; items: number[] | null };
  history: EpochRecord[];
  /** Trained with the site's ratings as extra users (ncf train --feedback); their rows are not in the file. */
  feedback?: { users: number; interactions: number; unknownMovies: number; entries: number; source: string };
}

/**
 * A model file's config with the keys added since older files were written filled in as those
 * files trained: log loss (before BPR), the test split (before the validation split), uniform
 * iALS (before eALS's weighting). The ials section keeps the schema's key order, so configs
 * compare as JSON.
 */
export function recordedConfig(meta: ModelMeta): Config {
  const c = meta.config;
  return {
    ...c,
    data: { ...c.data, split: c.data.split ?? 'test' },
    train: { ...c.train, loss: c.train.loss ?? 'bce' },
    ials: { ...DEFAULTS.ials, ...c.ials }, // DEFAULTS.ials.popularityExp is 0: uniform
  };
}
