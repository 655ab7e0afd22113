/**
 * A run's report folder, written as the run goes so that an interrupted run keeps what it did:
 * config.json (resolved), metrics.csv (one row per epoch), loss.csv (within-epoch loss blocks),
 * timing.json and summary.md; start.json for a pre-trained NeuMF.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFolder } from '../artifacts/paths.js';
import { bestEpoch, type EpochRecord, type PretrainedStart } from '../core/records.js';
import type { Config } from '../config/schema.js';
import type { RecordedEngine } from '../engines/index.js';
import { startText } from './format.js';

export const START_FILE = 'start.json';

export class RunReport {
  readonly dir: string;
  private start: PretrainedStart | null = null;

  constructor(root: string, name: string, now = new Date()) {
    this.dir = runFolder(root, name, now);
    mkdirSync(this.dir, { recursive: true });
  }

  writeConfig(config: Config, extra: Record<string, unknown>): void {
    writeFileSync(join(this.dir, 'config.json'), `${JSON.stringify({ ...config, run: extra }, null, 2)}\n`);
    writeFileSync(join(this.dir, 'metrics.csv'), 'epoch,loss,sampled_hr,sampled_ndcg,full_hr,full_ndcg,k,sample_s,train_s,eval_s,samples_per_s\n');
    writeFileSync(join(this.dir, 'loss.csv'), 'epoch,block,loss\n');
  }

  /** A pre-trained NeuMF's scores before its first fine-tuning epoch (start.json), which may beat every epoch after it. */
  writeStart(start: PretrainedStart): void {
    this.start = start;
    writeFileSync(join(this.dir, START_FILE), `${JSON.stringify(start, null, 2)}\n`);
  }

  addEpoch(r: EpochRecord): void {
    const f = (x: number | undefined, d = 6): string => (x === undefined ? '' : x.toFixed(d));
    appendFileSync(
      join(this.dir, 'metrics.csv'),
      `${[
        r.epoch,
        f(r.loss),
        f(r.sampled.hr),
        f(r.sampled.ndcg),
        f(r.full?.hr),
        f(r.full?.ndcg),
        r.sampled.k,
        f(r.sampleSeconds, 3),
        f(r.trainSeconds, 3),
        f(r.evalSeconds, 3),
        r.samplesPerSecond.toFixed(0),
      ].join(',')}\n`,
    );
    appendFileSync(join(this.dir, 'loss.csv'), r.lossBlocks.map((l, b) => `${r.epoch},${b},${l.toFixed(6)}\n`).join(''));
  }

  finish(history: EpochRecord[], engine: RecordedEngine, headline: string): void {
    writeFileSync(join(this.dir, 'timing.json'), `${JSON.stringify(timing(history, engine), null, 2)}\n`);
    const k = history[0]?.sampled.k ?? 10;
    const rows = history.map(
      (r) =>
        `| ${r.epoch} | ${r.loss.toFixed(4)} | ${r.sampled.hr.toFixed(4)} | ${r.sampled.ndcg.toFixed(4)} | ` +
        `${r.full ? r.full.hr.toFixed(4) : ''} | ${r.full ? r.full.ndcg.toFixed(4) : ''} | ${r.trainSeconds.toFixed(1)} | ${r.samplesPerSecond.toFixed(0)} |`,
    );
    const table = history.length
      ? [
          `| epoch | loss | sampled HR@${k} | sampled NDCG@${k} | full HR@${k} | full NDCG@${k} | train s | samples/s |`,
          '|---|---|---|---|---|---|---|---|',
          ...rows,
        ]
      : ['No training epochs.'];
    const md = [
      `# ${headline}`,
      '',
      `Sampled: the held-out item ranked among ${history[0] ? Math.round(history[0].sampled.candidates) : 'the sampled'} candidates (He et al.'s protocol). ` +
        `Full: ranked among every item the user has not trained on. Ties count against the held-out item.`,
      '',
      ...table,
      '',
      ...bestLine(history),
      ...(this.start ? [`Pre-trained start, before the first epoch: ${startText(this.start)}.`, ''] : []),
    ].join('\n');
    writeFileSync(join(this.dir, 'summary.md'), md);
  }
}

function bestLine(history: EpochRecord[]): string[] {
  const b = bestEpoch(history);
  if (b === null) return [];
  const last = history[history.length - 1];
  return [
    `Last epoch (${last.epoch}): sampled HR@${last.sampled.k} ${last.sampled.hr.toFixed(4)}, NDCG@${last.sampled.k} ${last.sampled.ndcg.toFixed(4)}. ` +
      `Best epoch by sampled HR@${b.sampled.k} (${b.epoch}), as He et al. report: HR@${b.sampled.k} ${b.sampled.hr.toFixed(4)}, NDCG@${b.sampled.k} ${b.sampled.ndcg.toFixed(4)}.`,
    '',
  ];
}

function timing(history: EpochRecord[], engine: RecordedEngine): Record<string, unknown> {
  const sum = (f: (r: EpochRecord) => number): number => history.reduce((a, r) => a + f(r), 0);
  return {
    engine,
    epochs: history.length,
    trainSeconds: sum((r) => r.trainSeconds),
    sampleSeconds: sum((r) => r.sampleSeconds),
    evalSeconds: sum((r) => r.evalSeconds),
    meanSamplesPerSecond: history.length ? sum((r) => r.instances) / sum((r) => r.trainSeconds) : 0,
    perEpoch: history.map((r) => ({ epoch: r.epoch, sampleSeconds: r.sampleSeconds, trainSeconds: r.trainSeconds, evalSeconds: r.evalSeconds })),
  };
}
