/**
 * `ncf data explore <dataset>`: the charts people look at before training, as a report folder
 * reports/explore-<dataset>-<stamp>/ with explore.json, charts/*.svg and report.html.
 *
 * The leave-one-out split that loadDataset returns keeps no rating values, and the genre figures
 * need them: the statistics come from an InteractionTally of the rows as read, filled here or, by
 * `ncf train`, while loadDataset reads them (datasetTally).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetName } from '../config/schema.js';
import { rawLayout, requireFile } from '../data/dataset.js';
import { exploreStats, InteractionTally, type ExploreStats } from '../data/explore.js';
import { readMovies, readRatings } from '../data/readers/index.js';
import { readNcfMovies } from '../data/ncf-movies.js';
import type { MovieInfo } from '../data/types.js';
import { exploreSection } from '../report/explore-charts.js';
import { writePage } from '../report/page-files.js';
import { runStamp } from '../util/stamp.js';
import { withByteProgress, type Progress } from '../util/progress.js';

interface ExploreData {
  tally: InteractionTally;
  movies: Map<number, MovieInfo> | null;
  notes: string[];
}

export async function runExplore(
  dataset: DatasetName, dir: string, reportsRoot: string, progress: Progress, now = new Date(),
): Promise<{ dir: string; summary: string; stats: ExploreStats }> {
  const stats = await exploreDataset(dataset, dir, progress);
  const out = join(reportsRoot, `explore-${dataset}-${runStamp(now)}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'explore.json'), `${JSON.stringify({ createdAt: now.toISOString(), dir, ...stats }, null, 2)}\n`);
  writePage(out, {
    title: `ncf data explore ${dataset}`,
    facts: [['dataset', dataset], ['files', dir], ['date', now.toISOString()]],
    sections: [await exploreSection(stats)],
  });
  return { dir: out, summary: summaryLine(stats), stats };
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
  const data = dataset === 'ml-1m-ncf' ? await readNcfForExplore(dir, progress, read) : await readRawForExplore(dataset, dir, progress, read);
  return exploreStats(data.tally, { dataset, movies: data.movies, notes: data.notes });
}

export function summaryLine(s: ExploreStats): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const what = s.explicit ? 'ratings' : 'interactions';
  const top = s.topMovies[0];
  return `${s.dataset}: ${n(s.users)} users, ${n(s.items)} items, ${n(s.interactions)} ${what} (density ${(s.density * 100).toFixed(3)}%); ` +
    `top 10% of items hold ${(s.topTenPercent.interactionShare * 100).toFixed(1)}%; most ${s.explicit ? 'rated' : 'popular'}: ${top.title} (${n(top.interactions)})`;
}

async function readRawForExplore(dataset: Exclude<DatasetName, 'ml-1m-ncf'>, dir: string, progress: Progress, read?: InteractionTally): Promise<ExploreData> {
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
