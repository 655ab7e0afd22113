/** Each dense id's MovieLens id (UserID, MovieID), as model files record them and recommendations show them. */
import type { DatasetName } from './datasets.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readItemMap } from './ncf-movies.js';
import type { SplitData } from './split.js';

export interface OriginalIds {
  users: Int32Array;
  /** Null for ml-1m-ncf without its item-map.tsv. */
  items: Int32Array | null;
}

/** Raw releases: the split's own maps. ml-1m-ncf: user = UserID − 1, items through item-map.tsv (its README). */
export async function originalIds(dataset: DatasetName, data: SplitData, dir: string): Promise<OriginalIds> {
  if (dataset !== 'ml-1m-ncf') return { users: data.userIds, items: data.itemIds };
  const mapPath = join(dir, 'item-map.tsv');
  const movieIds = existsSync(mapPath) ? await readItemMap(mapPath) : null;
  return {
    users: Int32Array.from({ length: data.numUsers }, (_, u) => u + 1),
    items: movieIds && Int32Array.from({ length: data.numItems }, (_, i) => movieIds.get(i) ?? -1),
  };
}
