/**
 * `ncf data export <dataset> --format parquet`: the split ncf trains on (train, test, the
 * sampled protocol's negatives, the movies) as Parquet files, for Spark, DuckDB or pandas, and
 * for `ncf train` itself (data.dataset "parquet", data.dir the folder).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { DEFAULTS, type Config, type DatasetName } from '../config/schema.js';
import { withByteProgress, type Progress } from '../util/progress.js';
import { splitRows } from '../data/split-rows.js';
import { evalCandidates } from '../eval/protocols.js';
import { type ParquetCounts, writeParquetSplit } from '../export/parquet.js';
import { NcfError } from '../util/errors.js';

export const DATA_EXPORT_FORMATS = ['parquet'] as const;

export interface DataExportOptions {
  out: string;
  force: boolean;
  /** The seed of the sampled protocol's negatives (config `seed`): a raw release's negatives are drawn as `ncf train` with that seed draws them. */
  seed: number;
  /** Negatives per test user (config `data.evalNegatives`); datasets with their own (ml-1m-ncf, parquet) keep theirs. */
  evalNegatives: number;
  version: string;
  progress: Progress;
}

export async function runDataExport(dataset: DatasetName, dir: string, o: DataExportOptions): Promise<{ files: string[]; counts: ParquetCounts }> {
  if (existsSync(o.out) && !o.force) throw new NcfError(`${o.out} exists — pass --force to replace it`);
  const rows = await withByteProgress(o.progress, `loading ${dataset}`, (onProgress) => splitRows(dataset, dir, onProgress));
  const config: Config = { ...DEFAULTS, seed: o.seed, data: { ...DEFAULTS.data, dataset, dir, evalNegatives: o.evalNegatives } };
  const candidates = evalCandidates(config, rows.split);
  if (o.force) rmSync(o.out, { recursive: true, force: true });
  mkdirSync(o.out, { recursive: true });
  return writeParquetSplit(o.out, rows, candidates, {
    'ncf.dataset': dataset,
    'ncf.source': dir,
    'ncf.seed': String(o.seed),
    'ncf.evalNegatives': String(candidates.n),
    'ncf.version': o.version,
  });
}
