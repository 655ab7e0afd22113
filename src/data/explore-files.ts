/**
 * A dataset's statistics read from its files (what `ncf data explore` charts and `ncf train`
 * keeps beside its report).
 *
 * The leave-one-out split that loadDataset returns keeps no rating values, and the genre figures
 * need them: the statistics come from an InteractionTally of the rows as read, filled here or, by
 * `ncf train`, while loadDataset reads them (datasetTally).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withByteProgress, type Progress } from '../util/progress.js';
import { rawLayout, requireFile } from './dataset.js';
import type { DatasetName, RawDatasetName } from './datasets.js';
import { exploreStats, InteractionTally, type ExploreStats } from './explore.js';
import { readNcfMovies } from './ncf-movies.js';
import { readMovies, readRatings } from './readers/index.js';
import { PARQUET_FILES, readMoviesParquet, readParquetSplit } from './readers/parquet.js';
import type { MovieInfo } from './types.js';

interface ExploreData {
  tally: InteractionTally;
  movies: Map<number, MovieInfo> | null;
  notes: string[];
}

/** An empty tally of the kind `dataset` needs: He et al.'s files carry no real rating values. */
export function datasetTally(dataset: DatasetName): InteractionTally {
  return new InteractionTally(dataset !== 'ml-1m-ncf');
}

/**
 * A dataset's statistics from its files (ratings and movie metadata). `read`: a datasetTally that
 * already holds every interaction (loadDataset filled it), so only the movie metadata is read.
 */
export async function exploreDataset(dataset: DatasetName, dir: string, progress: Progress, read?: InteractionTally): Promise<ExploreStats> {
  const data =
    dataset === 'ml-1m-ncf'
      ? await readNcfForExplore(dir, progress, read)
      : dataset === 'parquet'
        ? await readParquetForExplore(dir, read)
        : await readRawForExplore(dataset, dir, progress, read);
  return exploreStats(data.tally, { dataset, movies: data.movies, notes: data.notes });
}

export function summaryLine(s: ExploreStats): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const what = s.explicit ? 'ratings' : 'interactions';
  const top = s.topMovies[0];
  return (
    `${s.dataset}: ${n(s.users)} users, ${n(s.items)} items, ${n(s.interactions)} ${what} (density ${(s.density * 100).toFixed(3)}%); ` +
    `top 10% of items hold ${(s.topTenPercent.interactionShare * 100).toFixed(1)}%; most ${s.explicit ? 'rated' : 'popular'}: ${top.title} (${n(top.interactions)})`
  );
}

async function readRawForExplore(dataset: RawDatasetName, dir: string, progress: Progress, read?: InteractionTally): Promise<ExploreData> {
  const files = rawLayout(dataset);
  let tally = read;
  if (!tally) {
    const ratingsPath = join(dir, files.ratings);
    requireFile(dataset, ratingsPath);
    tally = datasetTally(dataset);
    tally.add(await withByteProgress(progress, `loading ${dataset}`, (onProgress) => readRatings(ratingsPath, files.ratingsLayout, onProgress)));
  }
  const moviesPath = join(dir, files.movies);
  if (!existsSync(moviesPath)) return { tally, movies: null, notes: [`No ${files.movies} in ${dir}: no titles or genre figures.`] };
  return { tally, movies: await readMovies(moviesPath, files.moviesLayout), notes: [] };
}

/**
 * He et al.'s train and test files together are every ML-1M interaction; their train file's
 * ratings are placeholders, so the data counts as implicit. Titles and genres come from a sibling
 * ml-1m/movies.dat through item-map.tsv (their item id → MovieID) when both are there.
 */
async function readNcfForExplore(dir: string, progress: Progress, read?: InteractionTally): Promise<ExploreData> {
  let tally = read;
  if (!tally) {
    tally = datasetTally('ml-1m-ncf');
    for (const part of ['train', 'test']) {
      const path = join(dir, `ml-1m.${part}.rating`);
      requireFile('ml-1m-ncf', path);
      tally.add(await withByteProgress(progress, `loading ml-1m-ncf ${part}`, (onProgress) => readRatings(path, 'ncf', onProgress)));
    }
  }
  const { movies, note } = await readNcfMovies(dir);
  return { tally, movies, notes: [note] };
}

/** A Parquet split: its train and test rows are every interaction; titles and genres from movies.parquet. */
async function readParquetForExplore(dir: string, read?: InteractionTally): Promise<ExploreData> {
  let tally = read;
  if (!tally) {
    const files = await readParquetSplit(dir);
    tally = datasetTally('parquet');
    tally.add(files.train);
    tally.add(files.test);
  }
  const moviesPath = join(dir, PARQUET_FILES.movies);
  if (!existsSync(moviesPath)) return { tally, movies: null, notes: [`No ${PARQUET_FILES.movies} in ${dir}: no titles or genre figures.`] };
  return { tally, movies: await readMoviesParquet(moviesPath), notes: [] };
}
