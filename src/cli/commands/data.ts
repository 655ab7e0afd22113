import { Command, Option } from 'commander';
import { DEFAULTS } from '../../config/schema.js';
import { DATASET_NAMES, isDatasetName, type DatasetName } from '../../data/datasets.js';
import { dataRoot, resolveDataDir } from '../../data/dataset.js';
import { DOWNLOADABLE, downloadDataset, isDownloadable } from '../../data/download/index.js';
import { DATA_EXPORT_FORMATS, runDataExport } from '../../run/data-export.js';
import { runExplore } from '../../run/explore.js';
import { runInspect } from '../../run/inspect.js';
import { NcfError } from '../../util/errors.js';
import { Progress } from '../../util/progress.js';
import { positiveInt } from '../options.js';

const DATA_DIR_HELP = 'folder holding the dataset files (default: $NCF_DATA_DIR/<dataset>, else data/<dataset>)';

function dataset(name: string): DatasetName {
  if (!isDatasetName(name)) throw new NcfError(`unknown dataset "${name}" — one of: ${DATASET_NAMES.join(', ')}`);
  return name;
}

export function dataCommand(): Command {
  const data = new Command('data').description('datasets: download, inspect, explore, export');
  data
    .command('download')
    .description(`download a MovieLens dataset from GroupLens (checksum-verified): ${DOWNLOADABLE.join(', ')}`)
    .argument('<dataset>', 'dataset name')
    .option('--data-dir <dir>', 'parent folder (default: $NCF_DATA_DIR, else data/)')
    .option('--force', 'download again even if the files are there')
    .option('--insecure-skip-checksum', 'do not verify checksums')
    .action(async (name: string, opts: { dataDir?: string; force?: boolean; insecureSkipChecksum?: boolean }) => {
      if (!isDownloadable(name)) throw new NcfError(`unknown dataset "${name}" — one of: ${DOWNLOADABLE.join(', ')}`);
      const dir = await downloadDataset(name, opts.dataDir ?? dataRoot(), { force: opts.force, skipChecksum: opts.insecureSkipChecksum });
      console.log(`${name}: ${dir}`);
    });

  data
    .command('inspect')
    .description('load and split a dataset; print its size, the load time and peak memory')
    .argument('<dataset>', `one of ${DATASET_NAMES.join(', ')}`)
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (name: string, opts: { dataDir?: string }) => {
      const d = dataset(name);
      const s = await runInspect(d, resolveDataDir(d, opts.dataDir ?? null), new Progress());
      const n = (x: number): string => x.toLocaleString('en-US');
      console.log(
        `${s.dataset} (${s.dir}): ${n(s.users)} users, ${n(s.items)} items, ${n(s.trainPositives)} training positives, ` +
          `${n(s.testUsers)} held-out items (density ${(s.density * 100).toFixed(3)}%); ` +
          `loaded and split in ${s.seconds.toFixed(1)} s, peak RSS ${n(Math.round(s.peakRssMiB))} MiB`,
      );
    });

  data
    .command('explore')
    .description('charts of a dataset before training: the long tail of users and items, genres, ratings, the most-rated movies')
    .argument('<dataset>', `one of ${DATASET_NAMES.join(', ')}`)
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--reports <dir>', 'where the report folder goes', 'reports')
    .action(async (name: string, opts: { dataDir?: string; reports: string }) => {
      const d = dataset(name);
      const r = await runExplore(d, resolveDataDir(d, opts.dataDir ?? null), opts.reports, new Progress());
      console.log(`${r.summary}\nreport: ${r.dir}`);
    });

  data
    .command('export')
    .description(
      'write the split (train, test, the test negatives, the movies; MovieLens ids, ratings, timestamps) as Parquet, for Spark or DuckDB and for ncf train (data.dataset "parquet")',
    )
    .argument('<dataset>', `one of ${DATASET_NAMES.join(', ')}`)
    .addOption(new Option('-f, --format <format>', 'the file format').choices(DATA_EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption('-o, --out <dir>', 'the folder for train.parquet, test.parquet, test_negatives.parquet, movies.parquet')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--seed <n>', "the seed of the test negatives, as ncf train's seed draws them", String(DEFAULTS.seed))
    .option('--eval-negatives <n>', 'negatives per test user (data.evalNegatives; ml-1m-ncf and parquet keep their own)', String(DEFAULTS.data.evalNegatives))
    .option('--force', 'replace --out if it exists')
    .action(async (name: string, opts: { dataDir?: string; out: string; seed: string; evalNegatives: string; force?: boolean }, cmd: Command) => {
      const d = dataset(name);
      const r = await runDataExport(d, resolveDataDir(d, opts.dataDir ?? null), {
        out: opts.out,
        force: opts.force ?? false,
        seed: positiveInt(opts.seed, '--seed', true),
        evalNegatives: positiveInt(opts.evalNegatives, '--eval-negatives'),
        version: cmd.parent?.parent?.version() ?? 'unknown',
        progress: new Progress(),
      });
      const n = (x: number): string => x.toLocaleString('en-US');
      const c = r.counts;
      console.log(`${d}: ${n(c.train)} training rows, ${n(c.test)} test rows, ${n(c.negatives)} test negatives, ${n(c.movies)} movies → ${opts.out}`);
    });
  return data;
}
