/**
 * `ncf sweep`: He et al.'s Table 2 grid — GMF, MLP and NeuMF at several numbers of predictive
 * factors — as one command whose results land in one table (reports/sweep-<name>-<time>/).
 * Predictive factors f means GMF factors f and an MLP tower [8f, 4f, 2f, f], as in the paper
 * (f = 8 gives the default [64, 32, 16, 8]); for MF, the dot product's dimension (with the base
 * config's training settings, e.g. configs/ml-1m-mf.json for Rendle et al.'s dimension sweep).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { ModelType } from '../models/index.js';
import { writePage } from '../report/page-files.js';
import { textTable } from '../report/text-table.js';
import { bestEpoch } from '../core/records.js';
import { runStamp } from '../util/stamp.js';
import { runTrain, type TrainOptions } from './train.js';

export interface SweepRow {
  model: ModelType;
  factors: number;
  layers: number[];
  run: string;
  epochs: number;
  best: { epoch: number; hr: number; ndcg: number };
  /** Full ranking after the last epoch, where the config computes it. */
  full: { hr: number; ndcg: number } | null;
  trainSeconds: number;
}

export function tower(factors: number): number[] {
  return [8 * factors, 4 * factors, 2 * factors, factors];
}

export async function runSweep(
  base: Config,
  models: ModelType[],
  factors: number[],
  o: TrainOptions,
): Promise<{ dir: string; table: string; rows: SweepRow[]; interrupted: boolean }> {
  const rows: SweepRow[] = [];
  let interrupted = false;
  for (const f of factors) {
    for (const type of models) {
      const c: Config = { ...base, name: `${base.name}-${type}-${f}`, model: { ...base.model, type, factors: f, layers: tower(f) } };
      o.log(`== ${c.name}: ${type}, ${f} predictive factors`);
      const r = await runTrain(c, o);
      const best = bestEpoch(r.history);
      if (best) {
        const last = r.history[r.history.length - 1];
        rows.push({
          model: type,
          factors: f,
          layers: c.model.layers,
          run: c.name,
          epochs: r.history.length,
          best: { epoch: best.epoch, hr: best.sampled.hr, ndcg: best.sampled.ndcg },
          full: last.full && { hr: last.full.hr, ndcg: last.full.ndcg },
          trainSeconds: r.history.reduce((s, h) => s + h.trainSeconds, 0),
        });
      }
      if (r.interrupted) {
        interrupted = true;
        break;
      }
    }
    if (interrupted) break;
  }
  const dir = join(base.output.reports, `sweep-${base.name}-${runStamp(new Date())}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sweep.json'), `${JSON.stringify({ base: base.name, dataset: base.data.dataset, rows }, null, 2)}\n`);
  const k = base.eval.k;
  const head = ['model', 'factors', 'epochs', 'best epoch', `HR@${k}`, `NDCG@${k}`, `full HR@${k}`, `full NDCG@${k}`, 'train s'];
  const cells = rows.map((r) => [
    r.model,
    r.factors,
    r.epochs,
    r.best.epoch,
    r.best.hr.toFixed(4),
    r.best.ndcg.toFixed(4),
    r.full ? r.full.hr.toFixed(4) : '',
    r.full ? r.full.ndcg.toFixed(4) : '',
    r.trainSeconds.toFixed(1),
  ]);
  const table = textTable(head, cells);
  writeFileSync(join(dir, 'summary.md'), `# Sweep ${base.name} on ${base.data.dataset}\n\n\`\`\`\n${table}\n\`\`\`\n`);
  writePage(dir, {
    title: `Sweep ${base.name}: ${models.join(', ')} × ${factors.join(', ')} predictive factors`,
    facts: [
      ['dataset', base.data.dataset],
      ['training', `${base.train.optimizer} lr ${base.train.lr}, batch ${base.train.batchSize}, ${base.train.epochs} epochs`],
    ],
    sections: [
      {
        title: 'Results',
        notes: ['Sampled HR/NDCG: the best epoch by sampled HR (as He et al. report). Full ranking: after the last epoch.'],
        tables: [{ head, rows: cells }],
      },
    ],
  });
  return { dir, table, rows, interrupted };
}
