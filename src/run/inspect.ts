/** `ncf data inspect`: load and split a dataset, report its size and what that cost. */
import type { DatasetName } from '../config/schema.js';
import { loadWithProgress } from '../data/dataset.js';
import type { Progress } from '../util/progress.js';

export interface DatasetStats {
  dataset: DatasetName;
  dir: string;
  users: number;
  items: number;
  trainPositives: number;
  testUsers: number;
  evalNegativesPerUser: number;
  density: number;
  seconds: number;
  peakRssMiB: number;
}

export async function runInspect(dataset: DatasetName, dir: string, progress: Progress): Promise<DatasetStats> {
  const t0 = performance.now();
  const d = await loadWithProgress(dataset, dir, progress);
  const seconds = (performance.now() - t0) / 1000;
  let testUsers = 0;
  for (const i of d.testItems) if (i >= 0) testUsers++;
  return {
    dataset,
    dir,
    users: d.numUsers,
    items: d.numItems,
    trainPositives: d.train.items.length,
    testUsers,
    evalNegativesPerUser: d.negativesPerUser,
    density: (d.train.items.length + testUsers) / (d.numUsers * d.numItems),
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}
