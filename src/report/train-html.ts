/**
 * A train report folder's charts/*.svg and report.html, drawn from the folder's files alone, so a
 * run's own page and a later `ncf report` re-render are the same.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExploreStats } from '../data/explore.js';
import { trainCharts } from './charts.js';
import { exploreSection } from './explore-charts.js';
import { describeEngine } from '../engines/index.js';
import { count, fixed, modelText, seconds, startText } from './format.js';
import type { ReportPage, Section, Table } from './html.js';
import { writePage } from './page-files.js';
import { bestRow, readTrainRun, type EpochRow, type RunConfig, type TrainRunFiles } from './train-files.js';

/** The dataset's statistics in a train report folder (the data section of its page). */
export const DATA_STATS_FILE = 'data.json';

/** Writes charts/ and report.html into a train report folder; returns report.html's path. */
export async function writeTrainReportPage(dir: string): Promise<string> {
  const run = readTrainRun(dir);
  const charts = await trainCharts(run);
  const page = trainPage(run, charts);
  const data = readDataStats(dir);
  if (data) page.sections.push(await exploreSection(data));
  return writePage(dir, page);
}

/** The dataset's statistics that `ncf train` saves beside its report (data.json), if there. */
function readDataStats(dir: string): ExploreStats | null {
  const path = join(dir, DATA_STATS_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ExploreStats) : null;
}

export function trainPage(run: TrainRunFiles, charts: Awaited<ReturnType<typeof trainCharts>>): ReportPage {
  const c = run.config;
  const k = run.epochs[0]?.k ?? 10;
  return {
    title: `${c.name}: ${c.model.type} on ${c.data.dataset}`,
    facts: trainFacts(run),
    sections: [
      { title: 'Results', notes: resultNotes(run.epochs, c.train.epochs), tables: [metricsTable(run.epochs, k)] },
      { title: 'Charts', charts },
      ...timingSection(run),
    ],
  };
}

function trainFacts(run: TrainRunFiles): [string, string][] {
  const c = run.config;
  const r = c.run;
  const size = r.data ? `: ${count(r.data.users)} users, ${count(r.data.items)} items, ${count(r.data.trainPositives)} training positives` : '';
  const params = r.parameters === undefined ? '' : `, ${count(r.parameters)} parameters`;
  const done = run.epochs.length ? run.epochs[run.epochs.length - 1].epoch : r.resumedFromEpoch;
  const facts: [string, string][] = [
    ['run', c.name],
    ['dataset', `${c.data.dataset}${size} (${r.dataDir})`],
    ['model', `${modelText(c.model)}${params}`],
    ['training', trainingText(c.train)],
    ['engine', engineText(run)],
    ['CPU', `${r.cpu}, ${r.cores} cores`],
    ['date', r.startedAt ?? stampFromDir(run.dir)],
    ['epochs done', `${done} of ${c.train.epochs}${done < c.train.epochs ? ' (stopped early; --resume continues)' : ''}`],
  ];
  if (r.resumedFromEpoch > 0) facts.push(['resumed', `after epoch ${r.resumedFromEpoch}`]);
  if (run.start) facts.push(['pre-trained start', startText(run.start)]);
  return facts;
}

function trainingText(t: RunConfig['train']): string {
  const loss = t.loss === 'bpr' ? `, BPR on ${t.negatives} pairs per positive` : `, ${t.negatives} negatives per positive`;
  const l2 = t.l2 ? `, L2 ${t.l2}` : '';
  return `${t.optimizer} lr ${t.lr}, batch ${t.batchSize}${loss}${l2}, ${t.epochs} epochs`;
}

/** The engine as `ncf train` prints it; older folders only have the engine name and timing.json's backend. */
function engineText(run: TrainRunFiles): string {
  const e = run.config.run.engine ?? run.timing?.engine;
  return e ? describeEngine(e) : run.config.engine;
}

/** RunReport names folders <name>-YYYYMMDD-HHMMSS (UTC). */
function stampFromDir(dir: string): string {
  const m = /(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\/?$/.exec(dir);
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]} UTC` : 'unknown';
}

function resultNotes(rows: EpochRow[], epochs: number): string[] {
  const best = bestRow(rows);
  const last = rows[rows.length - 1];
  if (!best || !last) return ['No epoch finished.'];
  const k = last.k;
  const metrics = (r: EpochRow): string =>
    `HR@${k} ${fixed(r.sampledHr, 4)}, NDCG@${k} ${fixed(r.sampledNdcg, 4)}` +
    (r.fullHr !== null && r.fullNdcg !== null ? ` (full ranking: HR@${k} ${fixed(r.fullHr, 4)}, NDCG@${k} ${fixed(r.fullNdcg, 4)})` : '');
  return [
    `Best epoch ${best.epoch} of ${epochs} (highest sampled HR@${k}, as He et al. report): ${metrics(best)}.`,
    `Last epoch ${last.epoch}: loss ${fixed(last.loss, 4)}, ${metrics(last)}.`,
    `Sampled: the held-out item ranked among sampled negatives (He et al.'s protocol). Full ranking: among every item ` +
      `the user has not trained on. Ties count against the held-out item.`,
  ];
}

function metricsTable(rows: EpochRow[], k: number): Table {
  const opt = (x: number | null): string => (x === null ? '' : fixed(x, 4));
  return {
    caption: 'Per epoch (metrics.csv)',
    head: ['epoch', 'loss', `sampled HR@${k}`, `sampled NDCG@${k}`, `full HR@${k}`, `full NDCG@${k}`, 'sample s', 'train s', 'eval s', 'samples/s'],
    rows: rows.map((r) => [
      r.epoch,
      fixed(r.loss, 4),
      fixed(r.sampledHr, 4),
      fixed(r.sampledNdcg, 4),
      opt(r.fullHr),
      opt(r.fullNdcg),
      seconds(r.sampleSeconds),
      seconds(r.trainSeconds),
      seconds(r.evalSeconds),
      count(r.samplesPerSecond),
    ]),
  };
}

function timingSection(run: TrainRunFiles): Section[] {
  const t = run.timing;
  if (!t) return [];
  return [
    {
      title: 'Time',
      tables: [
        {
          caption: `Totals over ${t.epochs} epochs (timing.json)`,
          head: ['sampling s', 'training s', 'evaluation s', 'mean samples/s'],
          rows: [[seconds(t.sampleSeconds), seconds(t.trainSeconds), seconds(t.evalSeconds), count(t.meanSamplesPerSecond)]],
        },
      ],
    },
  ];
}
