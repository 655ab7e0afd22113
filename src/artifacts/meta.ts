/** What a model file remembers about its run, beside the weights. */
import type { EpochRecord } from '../core/records.js';
import type { Config } from '../config/schema.js';

export interface ModelMeta {
  config: Config;
  dataset: { name: string; dir: string; numUsers: number; numItems: number };
  /** Each dense user's MovieLens UserID and each item's MovieID (absent in files from before they were recorded). */
  ids?: { users: number[]; items: number[] | null };
  history: EpochRecord[];
  /** Trained with the site's ratings as extra users (ncf train --feedback); their rows are not in the file. */
  feedback?: { users: number; interactions: number; unknownMovies: number; entries: number; source: string };
}
