/**
 * `ncf data explore <dataset>`: the charts people look at before training, as a report folder
 * reports/explore-<dataset>-<stamp>/ with explore.json, charts/*.svg and report.html.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetName } from '../data/datasets.js';
import type { ExploreStats } from '../data/explore.js';
import { exploreDataset, summaryLine } from '../data/explore-files.js';
import { exploreSection } from '../report/explore-charts.js';
import { writePage } from '../report/page-files.js';
import type { Progress } from '../util/progress.js';
import { runStamp } from '../util/stamp.js';

export async function runExplore(
  dataset: DatasetName,
  dir: string,
  reportsRoot: string,
  progress: Progress,
  now = new Date(),
): Promise<{ dir: string; summary: string; stats: ExploreStats }> {
  const stats = await exploreDataset(dataset, dir, progress);
  const out = join(reportsRoot, `explore-${dataset}-${runStamp(now)}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'explore.json'), `${JSON.stringify({ createdAt: now.toISOString(), dir, ...stats }, null, 2)}\n`);
  writePage(out, {
    title: `ncf data explore ${dataset}`,
    facts: [
      ['dataset', dataset],
      ['files', dir],
      ['date', now.toISOString()],
    ],
    sections: [await exploreSection(stats)],
  });
  return { dir: out, summary: summaryLine(stats), stats };
}
