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

/**
 * The first of `keys` (dotted: 'model', 'train.lr') on which a model file's recorded config and
 * this run's differ, compared as JSON; a key the file did not record is skipped. Null: none.
 */
export function firstDifference(recorded: Config, now: Config, keys: readonly string[]): { key: string; recorded: unknown; now: unknown } | null {
  const at = (c: Config, key: string): unknown => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], c);
  for (const key of keys) {
    const [was, is] = [at(recorded, key), at(now, key)];
    if (was !== undefined && JSON.stringify(was) !== JSON.stringify(is)) return { key, recorded: was, now: is };
  }
  return null;
}
