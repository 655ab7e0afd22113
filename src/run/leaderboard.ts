/**
 * `ncf leaderboard`: every model trained on one dataset in one table — ItemPop, MF, BPR-MF, GMF,
 * MLP, NeuMF with and without pre-training — read back from their report folders, sampled and
 * full-ranking metrics side by side (reports/leaderboard-<time>/).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { modelDef, isModelType } from '../models/index.js';
import { mlpShare } from '../models/pretrain.js';
import { BASELINE_FILE, baselineFileSchema, type BaselineFile } from '../report/baseline-file.js';
import { writePage } from '../report/page-files.js';
import { bestRow, isTrainReportDir, readJson, readTrainRun, type TrainRunFiles } from '../report/train-files.js';
import { textTable } from '../report/text-table.js';
import { ialsText } from '../report/train-log.js';
import { NcfError } from '../util/errors.js';
import { runStamp } from '../util/stamp.js';

export interface LeaderboardRow {
  model: string;
  factors: number | null;
  run: string;
  dir: string;
  /** Optimizer, batch, negatives, L2 and loss, in a few words. */
  training: string;
  epochs: number;
  /** The K of HR@K and NDCG@K. */
  k: number;
  /** Sampled figures at the epoch the table shows (EpochPick); epoch 0 for a baseline or a pre-trained start. */
  sampled: { epoch: number; hr: number; ndcg: number };
  /** Full ranking at the last epoch that computed it. */
  full: { epoch: number; hr: number; ndcg: number } | null;
  trainSeconds: number;
}

/** He et al.'s and Rendle et al.'s names: BPR-MF is MF trained on BPR, NeuMF from GMF and MLP is "pre-trained". */
export function modelLabel(type: string, loss: string | undefined, pretrained: boolean): string {
  const name = isModelType(type) ? modelDef(type).title : type;
  if (loss === 'bpr') return `BPR-${name}`;
  return pretrained ? `${name} (pre-trained)` : name;
}

/**
 * Which epoch's sampled figures a run's row shows: `best` by sampled HR, as He et al. report (an
 * epoch picked on the split it is scored on), or `last`, the run's final epoch (for a run trained
 * for the epochs a validation split chose, that choice's figure; nothing is picked on the scored split).
 */
export type EpochPick = 'best' | 'last';

export function trainRow(r: TrainRunFiles, pick: EpochPick = 'best'): LeaderboardRow | null {
  const shown = pick === 'best' ? bestRow(r.epochs) : (r.epochs[r.epochs.length - 1] ?? null);
  if (!shown) return null;
  const c = r.config;
  const t = c.train;
  const withFull = r.epochs.filter((e) => e.fullHr !== null);
  const last = withFull[withFull.length - 1];
  const ials = isModelType(c.model.type) && modelDef(c.model.type).fit === 'least-squares' ? c.ials : undefined;
  const parts = ials ? [ialsText(ials)] : [`${t.optimizer} lr ${t.lr}`, `batch ${t.batchSize}`, `${t.negatives} neg`];
  if (t.l2 && !ials) parts.push(`L2 ${t.l2}`);
  return {
    model: modelLabel(c.model.type, t.loss, Boolean(c.pretrain)),
    factors: isModelType(c.model.type) ? modelDef(c.model.type).predictiveFactors(c.model) : c.model.factors,
    run: c.name,
    dir: r.dir,
    training: parts.join(', '),
    epochs: r.epochs.length,
    k: shown.k,
    sampled: { epoch: shown.epoch, hr: shown.sampledHr, ndcg: shown.sampledNdcg },
    full: last ? { epoch: last.epoch, hr: last.fullHr!, ndcg: last.fullNdcg! } : null,
    trainSeconds: r.epochs.reduce((s, e) => s + e.trainSeconds, 0),
  };
}

/** A pre-trained NeuMF's start (start.json) as a row of its own: fine-tuning may not beat it. */
export function startRow(r: TrainRunFiles): LeaderboardRow | null {
  const p = r.config.pretrain;
  if (!r.start || !p) return null;
  const c = r.config;
  return {
    model: 'NeuMF (pre-trained, before fine-tuning)',
    factors: c.model.factors,
    run: c.name,
    dir: r.dir,
    training: `α ${p.alpha} · ${basename(p.gmf, '.json')} + ${mlpShare(p.alpha)} · ${basename(p.mlp, '.json')}`,
    epochs: 0,
    k: r.start.k,
    sampled: { epoch: 0, ...r.start.sampled },
    full: r.start.full && { epoch: 0, ...r.start.full },
    trainSeconds: 0,
  };
}

function baselineRow(dir: string, b: BaselineFile): LeaderboardRow {
  return {
    model: 'ItemPop',
    factors: null,
    run: 'itempop',
    dir,
    training: 'training-set popularity',
    epochs: 0,
    k: b.k,
    sampled: { epoch: 0, ...b.sampled },
    full: { epoch: 0, ...b.full },
    trainSeconds: 0,
  };
}

type Split = 'test' | 'validation';

interface Found {
  dir: string;
  name: string;
  dataset: string;
  split: Split;
  startedAt: string;
  rows: LeaderboardRow[];
}

function readFolder(dir: string, pick: EpochPick): Found | null {
  if (isTrainReportDir(dir)) {
    const r = readTrainRun(dir);
    const rows = [trainRow(r, pick), startRow(r)].filter((x): x is LeaderboardRow => x !== null);
    return { dir, name: r.config.name, dataset: r.config.data.dataset, split: r.config.data.split ?? 'test', startedAt: r.config.run.startedAt ?? '', rows };
  }
  if (existsSync(join(dir, BASELINE_FILE))) {
    const b = readJson(dir, BASELINE_FILE, baselineFileSchema, 'a baseline report');
    return { dir, name: b.baseline, dataset: b.dataset, split: b.split ?? 'test', startedAt: b.startedAt, rows: [baselineRow(dir, b)] };
  }
  return null;
}

/**
 * Report folders among `paths`: each path is a train or baseline report folder, or a folder of
 * them (e.g. reports/). Where a run name appears more than once the newest folder stands for it.
 * Only runs scored on `split` are tabled (a validation HR is not comparable with a test HR);
 * `otherSplit` counts the runs left out.
 */
export function collectRows(
  paths: string[],
  split: Split = 'test',
  pick: EpochPick = 'best',
): { dataset: string; k: number; rows: LeaderboardRow[]; otherSplit: number } {
  const found: Found[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new NcfError(`${p}: no such folder`);
    const own = readFolder(p, pick);
    if (own) {
      found.push(own);
      continue;
    }
    const inner = readdirSync(p, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => readFolder(join(p, d.name), pick));
    const runs = inner.filter((f): f is Found => f !== null);
    if (runs.length === 0) throw new NcfError(`${p}: neither a report folder nor a folder of them (no config.json + metrics.csv or ${BASELINE_FILE})`);
    found.push(...runs);
  }
  const newest = new Map<string, Found>();
  for (const f of found) {
    const had = newest.get(f.name);
    if (!had || f.startedAt > had.startedAt) newest.set(f.name, f);
  }
  const finished = [...newest.values()].filter((f) => f.rows.length > 0);
  const kept = finished.filter((f) => f.split === split);
  const otherSplit = finished.length - kept.length;
  const datasets = [...new Set(kept.map((f) => f.dataset))];
  if (datasets.length > 1) throw new NcfError(`the runs are on different datasets (${datasets.join(', ')}): pass the folders of one`);
  if (finished.length === 0) throw new NcfError('no finished epoch in any of those runs');
  if (kept.length === 0)
    throw new NcfError(
      `none of those runs scored the ${split} split (${otherSplit} scored the other): pass --split ${split === 'test' ? 'validation' : 'test'}`,
    );
  const ks = [...new Set(kept.flatMap((f) => f.rows.map((r) => r.k)))];
  if (ks.length > 1) throw new NcfError(`the runs use different K (${ks.join(', ')}): pass runs with one eval.k`);
  const rows = kept.flatMap((f) => f.rows).sort((a, b) => b.sampled.hr - a.sampled.hr || a.run.localeCompare(b.run));
  return { dataset: datasets[0], k: ks[0], rows, otherSplit };
}

/** Columns of text (left-aligned); the rest are numbers. */
const TEXT_COLUMNS = [0, 2, 3];

export function leaderboardTable(rows: LeaderboardRow[], k: number, pick: EpochPick = 'best'): { head: string[]; cells: (string | number)[][] } {
  const head = [
    'model',
    'factors',
    'run',
    'training',
    'epochs',
    pick === 'best' ? 'best epoch' : 'epoch',
    `HR@${k}`,
    `NDCG@${k}`,
    `full HR@${k}`,
    `full NDCG@${k}`,
    'train s',
  ];
  const cells = rows.map((r) => [
    r.model,
    r.factors ?? '',
    r.run,
    r.training,
    r.epochs,
    r.sampled.epoch,
    r.sampled.hr.toFixed(4),
    r.sampled.ndcg.toFixed(4),
    r.full ? r.full.hr.toFixed(4) : '',
    r.full ? r.full.ndcg.toFixed(4) : '',
    r.trainSeconds.toFixed(1),
  ]);
  return { head, cells };
}

export function runLeaderboard(
  paths: string[],
  reportsDir: string,
  now = new Date(),
  split: Split = 'test',
  pick: EpochPick = 'best',
): { dir: string; table: string; rows: LeaderboardRow[]; otherSplit: number } {
  const { dataset, k, rows, otherSplit } = collectRows(paths, split, pick);
  const { head, cells } = leaderboardTable(rows, k, pick);
  const table = textTable(head, cells, TEXT_COLUMNS);
  const dir = join(reportsDir, `leaderboard-${dataset}${split === 'test' ? '' : `-${split}`}-${runStamp(now)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'leaderboard.json'), `${JSON.stringify({ dataset, split, epoch: pick, rows }, null, 2)}\n`);
  const notes = [
    `Scored on the ${split} split${split === 'validation' ? ' (one training item per user held out): for choosing settings, not for comparing with published test figures' : ''}.`,
    `Sampled: the held-out item ranked among the dataset's 99 negatives, ${pick === 'best' ? `at the best epoch by sampled HR@${k} (as He et al. report)` : "at each run's last epoch (no epoch picked on this split)"}.`,
    `Full: the held-out item ranked among every item the user has not trained on, at the last epoch that ranked them.`,
  ];
  writeFileSync(join(dir, 'summary.md'), `# Every model on ${dataset}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\n\`\`\`\n${table}\n\`\`\`\n`);
  writePage(dir, {
    title: `Every model on ${dataset}`,
    facts: [
      ['dataset', dataset],
      ['split', split],
      ['epoch', pick === 'best' ? 'best by sampled HR' : 'last'],
      ['runs', String(rows.length)],
      ['written', now.toISOString()],
    ],
    sections: [{ title: 'Results', notes, tables: [{ head, rows: cells, textColumns: TEXT_COLUMNS }] }],
  });
  return { dir, table, rows, otherSplit };
}
