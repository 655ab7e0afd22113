/**
 * Reads back a train report folder (config.json, metrics.csv, loss.csv, timing.json as RunReport
 * writes them), so that the page is drawn from the files alone, at the end of a run or later.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { NcfError } from '../util/errors.js';
import type { PretrainedStart } from '../core/records.js';
import { LEAST_SQUARES_SOLVERS } from '../core/training.js';
import { START_FILE } from './run-report.js';

/** Only the config keys the page shows; older folders with fewer or more keys still read. */
const runConfigSchema = z.object({
  name: z.string(),
  engine: z.string(),
  model: z.object({ type: z.string(), factors: z.number(), layers: z.array(z.number()) }),
  // split: absent from older folders, which all scored the test split.
  data: z.object({ dataset: z.string(), split: z.enum(['test', 'validation']).optional() }),
  train: z.object({
    epochs: z.number(),
    batchSize: z.number(),
    lr: z.number(),
    optimizer: z.string(),
    negatives: z.number(),
    // Added later; absent from older folders (which trained log loss without L2).
    loss: z.string().optional(),
    l2: z.number().optional(),
  }),
  pretrain: z.object({ gmf: z.string(), mlp: z.string(), alpha: z.number() }).nullable().optional(),
  // Added with model ials; absent from older folders.
  ials: z
    .object({
      unobservedWeight: z.number(),
      // Added with eALS's weighting; absent from older folders (uniform).
      popularityExp: z.number().default(0),
      regularization: z.number(),
      regularizationExp: z.number(),
      solver: z.enum(LEAST_SQUARES_SOLVERS),
      cgSteps: z.number(),
    })
    .optional(),
  run: z.object({
    dataDir: z.string(),
    resumedFromEpoch: z.number(),
    cpu: z.string(),
    cores: z.number(),
    // Added later; absent from older folders.
    startedAt: z.string().optional(),
    engine: z
      .object({ name: z.string(), backend: z.string(), detail: z.string().optional(), threads: z.number().optional(), emulated: z.boolean().optional() })
      .optional(),
    data: z.object({ users: z.number(), items: z.number(), trainPositives: z.number() }).optional(),
    parameters: z.number().optional(),
  }),
});

export type RunConfig = z.infer<typeof runConfigSchema>;

const timingSchema = z.object({
  engine: z.object({ name: z.string(), backend: z.string(), threads: z.number().optional() }),
  epochs: z.number(),
  trainSeconds: z.number(),
  sampleSeconds: z.number(),
  evalSeconds: z.number(),
  meanSamplesPerSecond: z.number(),
});

export type RunTiming = z.infer<typeof timingSchema>;

/** One row of metrics.csv; the full-ranking columns are empty on epochs that did not rank. */
export interface EpochRow {
  epoch: number;
  loss: number;
  sampledHr: number;
  sampledNdcg: number;
  fullHr: number | null;
  fullNdcg: number | null;
  k: number;
  sampleSeconds: number;
  trainSeconds: number;
  evalSeconds: number;
  samplesPerSecond: number;
}

/** One row of loss.csv: the mean loss of block `block` of steps within `epoch`. */
export interface LossBlockRow {
  epoch: number;
  block: number;
  loss: number;
}

/** HR@K and NDCG@K as the report files hold them. */
export const metricSchema = z.object({ hr: z.number(), ndcg: z.number() });
const startSchema: z.ZodType<PretrainedStart> = z.object({ k: z.number(), sampled: metricSchema, full: metricSchema.nullable() });

export interface TrainRunFiles {
  dir: string;
  config: RunConfig;
  /** A pre-trained NeuMF's scores before fine-tuning (start.json); null for other runs and older folders. */
  start: PretrainedStart | null;
  epochs: EpochRow[];
  lossBlocks: LossBlockRow[];
  /** Null when the run ended before writing it (a crash). */
  timing: RunTiming | null;
}

export function isTrainReportDir(dir: string): boolean {
  return existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'metrics.csv'));
}

export function readTrainRun(dir: string): TrainRunFiles {
  const config = readJson(dir, 'config.json', runConfigSchema);
  const timing = existsSync(join(dir, 'timing.json')) ? readJson(dir, 'timing.json', timingSchema) : null;
  const epochs = readCsv(dir, 'metrics.csv').map(
    (r): EpochRow => ({
      epoch: num(r, 'epoch'),
      loss: num(r, 'loss'),
      sampledHr: num(r, 'sampled_hr'),
      sampledNdcg: num(r, 'sampled_ndcg'),
      fullHr: optionalNum(r, 'full_hr'),
      fullNdcg: optionalNum(r, 'full_ndcg'),
      k: num(r, 'k'),
      sampleSeconds: num(r, 'sample_s'),
      trainSeconds: num(r, 'train_s'),
      evalSeconds: num(r, 'eval_s'),
      samplesPerSecond: num(r, 'samples_per_s'),
    }),
  );
  const lossBlocks = existsSync(join(dir, 'loss.csv'))
    ? readCsv(dir, 'loss.csv').map((r): LossBlockRow => ({ epoch: num(r, 'epoch'), block: num(r, 'block'), loss: num(r, 'loss') }))
    : [];
  const start = existsSync(join(dir, START_FILE)) ? readJson(dir, START_FILE, startSchema) : null;
  return { dir, config, start, epochs, lossBlocks, timing };
}

/** Highest sampled HR@K, the earlier epoch winning a tie: the same rule as training's bestEpoch. */
export function bestRow(rows: EpochRow[]): EpochRow | null {
  return rows.reduce<EpochRow | null>((b, r) => (b === null || r.sampledHr > b.sampledHr ? r : b), null);
}

/** `dir/file` parsed as JSON and checked against `schema`; one-line NcfErrors that name the file and `what` it should be. */
export function readJson<T>(dir: string, file: string, schema: z.ZodType<T>, what = `a train report's ${file}`): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (e) {
    throw new NcfError(`${join(dir, file)}: cannot read it as JSON (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NcfError(`${join(dir, file)}: not ${what} (${issue.path.join('.') || 'top level'}: ${issue.message})`);
  }
  return parsed.data;
}

type CsvRow = Record<string, string>;

function readCsv(dir: string, file: string): CsvRow[] {
  try {
    return parse(readFileSync(join(dir, file), 'utf8'), { columns: true, skip_empty_lines: true }) as CsvRow[];
  } catch (e) {
    throw new NcfError(`${join(dir, file)}: cannot parse it (${(e as Error).message})`);
  }
}

function num(r: CsvRow, key: string): number {
  const x = optionalNum(r, key);
  if (x === null) throw new NcfError(`a report CSV row has no number in column "${key}": ${JSON.stringify(r)}`);
  return x;
}

function optionalNum(r: CsvRow, key: string): number | null {
  const s = r[key];
  if (s === undefined || s === '') return null;
  const x = Number(s);
  if (!Number.isFinite(x)) throw new NcfError(`a report CSV row has "${s}" in column "${key}", not a number`);
  return x;
}
