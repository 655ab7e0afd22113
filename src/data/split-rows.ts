/**
 * A dataset's split as rows with their MovieLens ids, ratings and timestamps (what a Parquet
 * export writes), beside the SplitData ncf trains on, so the two cannot disagree:
 *
 * - raw releases: the ratings file's rows, each user's held-out row (the latest; on a timestamp
 *   tie the last in the file, as split.ts) in test, every other row in train, in file order;
 *   rows repeating the held-out (user, movie) pair are in neither, as split.ts drops them;
 * - ml-1m-ncf: He et al.'s train and test files, their ids turned into UserIDs and MovieIDs
 *   (item-map.tsv is needed);
 * - parquet: the files as read.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NcfError } from '../util/errors.js';
import { fromNcfFiles, rawLayout, requireFile, type LoadProgress } from './dataset.js';
import type { DatasetName } from './datasets.js';
import { denseIds } from './ids.js';
import { readNcfMovies } from './ncf-movies.js';
import { originalIds } from './original-ids.js';
import { fromParquetFiles } from './parquet-split.js';
import { readMovies, readNcfFiles, readRatings } from './readers/index.js';
import { readParquetSplit } from './readers/parquet.js';
import { leaveOneOut, type SplitData } from './split.js';
import type { MovieInfo, RatingColumns } from './types.js';

export interface SplitRows {
  /** The split as ncf trains on it (dense ids). */
  split: SplitData;
  /** Dense → MovieLens ids (ml-1m-ncf's split has its own ids; these are the UserIDs and MovieIDs). */
  userIds: Int32Array;
  itemIds: Int32Array;
  /** Training rows, original ids. */
  train: RatingColumns;
  /** One held-out row per evaluated user, original ids, in ascending dense user order. */
  test: RatingColumns;
  /** The movies of the split's items, where the dataset has titles. */
  movies: MovieInfo[] | null;
}

function pick(cols: RatingColumns, rows: Int32Array, mapUser?: Int32Array, mapItem?: Int32Array): RatingColumns {
  const n = rows.length;
  const out: RatingColumns = { length: n, users: new Int32Array(n), items: new Int32Array(n), ratings: new Float32Array(n), timestamps: new Uint32Array(n) };
  for (let k = 0; k < n; k++) {
    const r = rows[k];
    out.users[k] = mapUser ? mapUser[cols.users[r]] : cols.users[r];
    out.items[k] = mapItem ? mapItem[cols.items[r]] : cols.items[r];
    out.ratings[k] = cols.ratings[r];
    out.timestamps[k] = cols.timestamps[r];
  }
  return out;
}

const allRows = (n: number): Int32Array => Int32Array.from({ length: n }, (_, r) => r);

export async function splitRows(dataset: DatasetName, dir: string, onProgress?: LoadProgress): Promise<SplitRows> {
  if (dataset === 'parquet') {
    const files = await readParquetSplit(dir);
    const split = fromParquetFiles(files, dir);
    return { split, userIds: split.userIds, itemIds: split.itemIds, train: files.train, test: files.test, movies: files.movies && [...files.movies.values()] };
  }
  if (dataset === 'ml-1m-ncf') {
    for (const f of ['train.rating', 'test.rating', 'test.negative']) requireFile(dataset, join(dir, `ml-1m.${f}`));
    const files = await readNcfFiles(dir, 'ml-1m');
    const split = fromNcfFiles(files, join(dir, 'ml-1m.test.negative'));
    const ids = await originalIds(dataset, split, dir);
    if (!ids.items) throw new NcfError(`${join(dir, 'item-map.tsv')} not found: ml-1m-ncf's item ids cannot be turned into MovieIDs without it`);
    const { movies } = await readNcfMovies(dir);
    const order = allRows(files.test.length).sort((a, b) => files.test.users[a] - files.test.users[b]);
    return {
      split,
      userIds: ids.users,
      itemIds: ids.items,
      train: pick(files.train, allRows(files.train.length), ids.users, ids.items),
      test: pick(files.test, order, ids.users, ids.items),
      movies: movies && [...movies.values()],
    };
  }
  const layout = rawLayout(dataset);
  const ratingsPath = join(dir, layout.ratings);
  requireFile(dataset, ratingsPath);
  const cols = await readRatings(ratingsPath, layout.ratingsLayout, onProgress);
  const split = leaveOneOut(cols);
  const n = cols.length;
  const users = denseIds(cols.users, n).dense;
  const items = denseIds(cols.items, n).dense;
  // Each user's latest row, a later row winning a tie: the row leaveOneOut held out.
  const latest = new Int32Array(split.numUsers).fill(-1);
  for (let r = 0; r < n; r++) {
    const best = latest[users[r]];
    if (best < 0 || cols.timestamps[r] >= cols.timestamps[best]) latest[users[r]] = r;
  }
  const testRows: number[] = [];
  for (let u = 0; u < split.numUsers; u++) if (split.testItems[u] >= 0) testRows.push(latest[u]);
  let kept = 0;
  const trainRows = new Int32Array(n);
  for (let r = 0; r < n; r++) if (items[r] !== split.testItems[users[r]]) trainRows[kept++] = r;
  const moviesPath = join(dir, layout.movies);
  const byId = existsSync(moviesPath) ? await readMovies(moviesPath, layout.moviesLayout) : null;
  return {
    split,
    userIds: split.userIds,
    itemIds: split.itemIds,
    train: pick(cols, trainRows.subarray(0, kept)),
    test: pick(cols, Int32Array.from(testRows)),
    movies: byId && Array.from(split.itemIds, (id) => byId.get(id)).filter((m): m is MovieInfo => m !== undefined),
  };
}
