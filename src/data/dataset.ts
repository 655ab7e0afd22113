/**
 * From a dataset name and folder to SplitData: which files each MovieLens release has, reading
 * them, the leave-one-out split, and movie metadata in dense ids (for ml-1m-ncf, through its
 * item-map.tsv and a sibling ml-1m/movies.dat when both are there).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetName, RawDatasetName } from './datasets.js';
import { NcfError } from '../util/errors.js';
import { withByteProgress, type Progress } from '../util/progress.js';
import { isDownloadable } from './download/index.js';
import { readMovies, readNcfFiles, readRatings, type RatingsLayout } from './readers/index.js';
import { readParquetSplit } from './readers/parquet.js';
import { fromParquetFiles } from './parquet-split.js';
import { buildInteractions } from './interactions.js';
import { readNcfMovies } from './ncf-movies.js';
import type { InteractionTally } from './explore.js';
import { leaveOneOut, type SplitData } from './split.js';
import type { MovieInfo, NcfFiles } from './types.js';

export interface RawLayout {
  ratings: string;
  ratingsLayout: Exclude<RatingsLayout, 'ncf'>;
  movies: string;
  moviesLayout: 'ml-100k' | 'dat' | 'csv';
}

const RAW: Record<RawDatasetName, RawLayout> = {
  'ml-100k': { ratings: 'u.data', ratingsLayout: 'ml-100k', movies: 'u.item', moviesLayout: 'ml-100k' },
  'ml-1m': { ratings: 'ratings.dat', ratingsLayout: 'dat', movies: 'movies.dat', moviesLayout: 'dat' },
  'ml-10m': { ratings: 'ratings.dat', ratingsLayout: 'dat', movies: 'movies.dat', moviesLayout: 'dat' },
  'ml-20m': { ratings: 'ratings.csv', ratingsLayout: 'csv', movies: 'movies.csv', moviesLayout: 'csv' },
  'ml-25m': { ratings: 'ratings.csv', ratingsLayout: 'csv', movies: 'movies.csv', moviesLayout: 'csv' },
  'ml-32m': { ratings: 'ratings.csv', ratingsLayout: 'csv', movies: 'movies.csv', moviesLayout: 'csv' },
  'ml-latest': { ratings: 'ratings.csv', ratingsLayout: 'csv', movies: 'movies.csv', moviesLayout: 'csv' },
  'ml-latest-small': { ratings: 'ratings.csv', ratingsLayout: 'csv', movies: 'movies.csv', moviesLayout: 'csv' },
};

/** The ratings and movie files of a GroupLens release. */
export function rawLayout(dataset: RawDatasetName): RawLayout {
  return RAW[dataset];
}

const NCF_PREFIX = 'ml-1m';

/** Where datasets live by default: $NCF_DATA_DIR, else data/. */
export function dataRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.NCF_DATA_DIR || 'data';
}

/** data.dir if set, else <dataRoot>/<dataset>. */
export function resolveDataDir(dataset: DatasetName, dir: string | null, env: NodeJS.ProcessEnv = process.env): string {
  return dir ?? join(dataRoot(env), dataset);
}

/** Bytes read of the ratings file, and its size. */
export type LoadProgress = (done: number, total: number) => void;

/** loadDataset with a byte-count progress bar. */
export async function loadWithProgress(dataset: DatasetName, dir: string, progress: Progress, tally?: InteractionTally): Promise<SplitData> {
  return withByteProgress(progress, `loading ${dataset}`, (onProgress) => loadDataset(dataset, dir, onProgress, tally));
}

/**
 * `tally`, when given, also counts every interaction read (before the split, with rating values),
 * so a caller that wants the dataset's statistics does not read the files a second time.
 */
export async function loadDataset(dataset: DatasetName, dir: string, onProgress?: LoadProgress, tally?: InteractionTally): Promise<SplitData> {
  if (dataset === 'ml-1m-ncf') {
    for (const f of ['train.rating', 'test.rating', 'test.negative']) requireFile(dataset, join(dir, `${NCF_PREFIX}.${f}`));
    const files = await readNcfFiles(dir, NCF_PREFIX);
    tally?.add(files.train);
    tally?.add(files.test);
    const split = fromNcfFiles(files, `${join(dir, NCF_PREFIX)}.test.negative`);
    const { movies } = await readNcfMovies(dir);
    if (movies) split.movies = Array.from({ length: split.numItems }, (_, i) => movies.get(i));
    return split;
  }
  if (dataset === 'parquet') {
    const files = await readParquetSplit(dir);
    tally?.add(files.train);
    tally?.add(files.test);
    return fromParquetFiles(files, dir);
  }
  const layout = RAW[dataset];
  const ratingsPath = join(dir, layout.ratings);
  requireFile(dataset, ratingsPath);
  const cols = await readRatings(ratingsPath, layout.ratingsLayout, onProgress);
  tally?.add(cols);
  const split = leaveOneOut(cols);
  const moviesPath = join(dir, layout.movies);
  if (existsSync(moviesPath)) split.movies = moviesByDenseId(await readMovies(moviesPath, layout.moviesLayout), split.itemIds);
  return split;
}

/** He et al.'s files: ids are already dense and 0-based; their negatives are the sampled protocol's candidates. */
export function fromNcfFiles(f: NcfFiles, negativesPath: string): SplitData {
  let U = 0;
  let I = 0;
  for (const c of [f.train, f.test]) {
    for (let r = 0; r < c.length; r++) {
      U = Math.max(U, c.users[r] + 1);
      I = Math.max(I, c.items[r] + 1);
    }
  }
  const n = f.negativesPerUser;
  const testItems = new Int32Array(U).fill(-1);
  const testNegatives = new Int32Array(U * n).fill(-1);
  for (let r = 0; r < f.test.length; r++) {
    const u = f.test.users[r];
    if (testItems[u] >= 0) throw new NcfError(`${negativesPath.replace(/negative$/, 'rating')}:${r + 1}: user ${u} has a second test item`);
    testItems[u] = f.test.items[r];
    for (let k = 0; k < n; k++) {
      const j = f.negatives[r * n + k];
      if (j < 0 || j >= I) throw new NcfError(`${negativesPath}:${r + 1}: item id ${j} out of range (the data has items 0..${I - 1})`);
      testNegatives[u * n + k] = j;
    }
  }
  const train = buildInteractions(U, I, f.train.users, f.train.items, f.train.length);
  const identity = (k: number): Int32Array => Int32Array.from({ length: k }, (_, i) => i);
  return {
    numUsers: U,
    numItems: I,
    train,
    testItems,
    testNegatives,
    negativesPerUser: n,
    userIds: identity(U),
    itemIds: identity(I),
    movies: null,
  };
}

function moviesByDenseId(byMovieId: Map<number, MovieInfo>, itemIds: Int32Array): (MovieInfo | undefined)[] {
  return Array.from(itemIds, (id) => byMovieId.get(id));
}

/** A one-line error naming the missing file and how to get it. */
export function requireFile(dataset: DatasetName, path: string): void {
  if (existsSync(path)) return;
  const how = isDownloadable(dataset) ? `run 'ncf data download ${dataset}'` : `download ${dataset} from GroupLens and unzip it there`;
  throw new NcfError(`${path} not found — ${how}, or point --data-dir / --set data.dir=<folder> at a copy`);
}
