/** `ncf eval`: score a saved model on its dataset's held-out items, under either protocol. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ItemPop } from '../baselines/item-pop.js';
import type { Config } from '../config/schema.js';
import { loadWithProgress, resolveDataDir } from '../data/dataset.js';
import { createEngine } from '../engines/index.js';
import { evaluateFullRanking, evaluateSampled } from '../eval/evaluate.js';
import type { RankingMetrics } from '../eval/metrics.js';
import { loadModel } from '../model/checkpoint.js';
import { NcfError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';
import { runStamp } from '../util/stamp.js';
import { BASELINE_FILE, type BaselineFile } from './leaderboard.js';
import { evalCandidates, type ModelMeta } from './train.js';

export type Protocol = 'sampled' | 'full' | 'both';

export interface EvalOptions {
  protocol: Protocol;
  /** Overrides the data folder recorded in the model file. */
  dataDir: string | null;
  progress: Progress;
}

export async function runEval(modelFile: string, o: EvalOptions): Promise<{ epoch: number; dataset: string; metrics: RankingMetrics[] }> {
  const f = loadModel<ModelMeta>(modelFile);
  const c = f.meta.config;
  const dir = o.dataDir ?? f.meta.dataset.dir;
  const data = await loadWithProgress(c.data.dataset, dir, o.progress);
  if (data.numUsers !== f.shape.numUsers || data.numItems !== f.shape.numItems) {
    throw new NcfError(
      `${modelFile} was trained on ${f.shape.numUsers} users × ${f.shape.numItems} items, but ${dir} has ${data.numUsers} × ${data.numItems}`,
    );
  }
  const engine = await createEngine(c, f.shape);
  try {
    await engine.setWeights(f.weights);
    const metrics: RankingMetrics[] = [];
    const step = (d: number): void => o.progress.update(d);
    if (o.protocol !== 'full') {
      const { negatives, n } = evalCandidates(c, data);
      o.progress.start('sampled evaluation', data.numUsers, 'users');
      metrics.push(await evaluateSampled(engine, data, negatives, n, c.eval.k, step));
    }
    if (o.protocol !== 'sampled') {
      o.progress.start('full-ranking evaluation', data.numUsers, 'users');
      metrics.push(await evaluateFullRanking(engine, data, c.eval.k, step));
    }
    return { epoch: f.epoch, dataset: c.data.dataset, metrics };
  } finally {
    o.progress.stop();
    await engine.dispose();
  }
}

export function metricsLine(m: RankingMetrics): string {
  const what = m.protocol === 'sampled'
    ? `sampled (1 held-out item among ${m.candidates} candidates)`
    : `full ranking (among ~${Math.round(m.candidates).toLocaleString('en-US')} unseen items)`;
  return `${what}: HR@${m.k} ${m.hr.toFixed(4)}  NDCG@${m.k} ${m.ndcg.toFixed(4)}  over ${m.users.toLocaleString('en-US')} users`;
}

/**
 * ItemPop on a config's data, under both protocols (the sampled one with the config's
 * candidates); the figures also go to <output.reports>/itempop-<dataset>-<time>/baseline.json,
 * where `ncf leaderboard` finds them.
 */
export async function runItemPop(c: Config, progress: Progress, now = new Date()): Promise<{ metrics: RankingMetrics[]; dir: string }> {
  const data = await loadWithProgress(c.data.dataset, resolveDataDir(c.data.dataset, c.data.dir), progress);
  const pop = new ItemPop(data.train);
  const { negatives, n } = evalCandidates(c, data);
  const step = (d: number): void => progress.update(d);
  try {
    progress.start('sampled evaluation', data.numUsers, 'users');
    const sampled = await evaluateSampled(pop, data, negatives, n, c.eval.k, step);
    progress.start('full-ranking evaluation', data.numUsers, 'users');
    const full = await evaluateFullRanking(pop, data, c.eval.k, step);
    const dir = join(c.output.reports, `itempop-${c.data.dataset}-${runStamp(now)}`);
    mkdirSync(dir, { recursive: true });
    const file: BaselineFile = {
      baseline: 'itempop', dataset: c.data.dataset, k: c.eval.k, startedAt: now.toISOString(),
      sampled: { hr: sampled.hr, ndcg: sampled.ndcg }, full: { hr: full.hr, ndcg: full.ndcg },
    };
    writeFileSync(join(dir, BASELINE_FILE), `${JSON.stringify(file, null, 2)}\n`);
    return { metrics: [sampled, full], dir };
  } finally {
    progress.stop();
  }
}
