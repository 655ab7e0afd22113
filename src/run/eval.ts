/** `ncf eval` and `ncf baseline`: score a saved model (or a baseline) on its dataset's held-out items, under either protocol. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelWithData } from '../artifacts/model-data.js';
import { NO_OPTIMIZER } from '../core/training.js';
import { ItemPop } from '../baselines/item-pop.js';
import type { Protocol, RankingMetrics } from '../core/evaluation.js';
import { engineFor } from '../config/engine.js';
import type { Config } from '../config/schema.js';
import { loadWithProgress, resolveDataDir } from '../data/dataset.js';
import { splitFor } from '../data/validation.js';
import { scoreProtocols } from '../eval/protocols.js';
import { BASELINE_FILE, type BaselineFile } from '../report/baseline-file.js';
import type { Progress } from '../util/progress.js';
import { runStamp } from '../util/stamp.js';

export interface EvalOptions {
  protocol: Protocol;
  /** Overrides the data folder recorded in the model file. */
  dataDir: string | null;
  progress: Progress;
}

export async function runEval(modelFile: string, o: EvalOptions): Promise<{ epoch: number; dataset: string; metrics: RankingMetrics[] }> {
  const { file: f, config: c, data } = await loadModelWithData(modelFile, o.dataDir, o.progress);
  const engine = await engineFor(c, f.shape, NO_OPTIMIZER);
  try {
    await engine.setWeights(f.weights);
    return { epoch: f.epoch, dataset: c.data.dataset, metrics: await scoreProtocols(engine, c, data, o.protocol, o.progress) };
  } finally {
    await engine.dispose();
  }
}

export function metricsLine(m: RankingMetrics): string {
  const what =
    m.protocol === 'sampled'
      ? `sampled (1 held-out item among ${Number.isInteger(m.candidates) ? m.candidates : `~${m.candidates.toFixed(2)}`} candidates)`
      : `full ranking (among ~${Math.round(m.candidates).toLocaleString('en-US')} unseen items)`;
  return `${what}: HR@${m.k} ${m.hr.toFixed(4)}  NDCG@${m.k} ${m.ndcg.toFixed(4)}  over ${m.users.toLocaleString('en-US')} users`;
}

/**
 * ItemPop on a config's data, under both protocols (the sampled one with the config's
 * candidates); the figures also go to <output.reports>/itempop-<dataset>-<time>/baseline.json,
 * where `ncf leaderboard` finds them.
 */
export async function runItemPop(c: Config, progress: Progress, now = new Date()): Promise<{ metrics: RankingMetrics[]; dir: string }> {
  const data = splitFor(await loadWithProgress(c.data.dataset, resolveDataDir(c.data.dataset, c.data.dir), progress), c);
  const [sampled, full] = await scoreProtocols(new ItemPop(data.train), c, data, 'both', progress);
  const dir = join(c.output.reports, `itempop-${c.data.dataset}-${runStamp(now)}`);
  mkdirSync(dir, { recursive: true });
  const file: BaselineFile = {
    baseline: 'itempop',
    dataset: c.data.dataset,
    split: c.data.split,
    k: c.eval.k,
    startedAt: now.toISOString(),
    sampled: { hr: sampled.hr, ndcg: sampled.ndcg },
    full: { hr: full.hr, ndcg: full.ndcg },
  };
  writeFileSync(join(dir, BASELINE_FILE), `${JSON.stringify(file, null, 2)}\n`);
  return { metrics: [sampled, full], dir };
}
