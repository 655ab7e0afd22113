/** The `ncf` command line: parses argv, loads config, calls run/*, prints, sets the exit code. */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { DATASET_NAMES, type DatasetName } from '../config/schema.js';
import { dataRoot, resolveDataDir } from '../data/dataset.js';
import { runInspect } from '../run/inspect.js';
import { DOWNLOADABLE, downloadDataset, isDownloadable } from '../data/download/index.js';
import { metricsLine, runEval, runItemPop } from '../run/eval.js';
import type { Protocol } from '../run/protocols.js';
import { runTrain } from '../run/train.js';
import { trainSummaryTable } from '../report/train-table.js';
import { runBench, type BenchOptions } from '../run/bench.js';
import { runCompare } from '../run/compare.js';
import { runExplore } from '../run/explore.js';
import { runReport } from '../run/report.js';
import { runServe } from '../run/serve.js';
import { runLeaderboard } from '../run/leaderboard.js';
import { runSweep } from '../run/sweep.js';
import type { ModelType } from '../model/spec.js';
import { loadRecommender } from '../recommend/recommender.js';
import { coldStartText, recommendationsText } from '../recommend/text.js';
import { evaluateColdStart } from '../recommend/cold-start.js';
import { NcfError } from '../util/errors.js';
import { Progress } from '../util/progress.js';

const collect = (v: string, acc: string[]): string[] => [...acc, v];

export async function main(argv: string[]): Promise<void> {
  // `ncf ... | head` closes stdout early: stop quietly rather than crash on EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const program = new Command('ncf')
    .description('Neural Collaborative Filtering (NeuMF, He et al. 2017) on MovieLens')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('train')
    .description('train GMF, MLP or NeuMF; saves <output.models>/<name>.ncf after every epoch')
    .requiredOption('-c, --config <file>', 'run config (JSON), e.g. configs/ml-1m.json')
    .option('-s, --set <key=value>', 'override a config key, e.g. --set train.epochs=1 (repeatable)', collect, [])
    .option('--data-dir <dir>', 'folder holding the dataset files (same as --set data.dir=<dir>)')
    .option('--download', 'download the dataset first if it is missing')
    .option('--resume', 'continue from the saved model of this run name')
    .action(async (opts: { config: string; set: string[]; dataDir?: string; download?: boolean; resume?: boolean }) => {
      const sets = opts.dataDir ? [...opts.set, `data.dir=${JSON.stringify(opts.dataDir)}`] : opts.set;
      const config = loadConfig(opts.config, sets);
      if (opts.download) {
        const name = config.data.dataset;
        if (!isDownloadable(name)) throw new NcfError(`--download: ${name} cannot be downloaded by ncf; get it from GroupLens`);
        if (config.data.dir) throw new NcfError('--download saves under $NCF_DATA_DIR or data/: drop data.dir / --data-dir, or download by hand');
        await downloadDataset(name, dataRoot(), {});
      }
      const stop = interruptFlag();
      try {
        const r = await runTrain(config, {
          resume: Boolean(opts.resume), log: (l) => console.log(l), progress: new Progress(), stopRequested: stop.requested,
        });
        if (r.interrupted) {
          console.log(
            r.history.length
              ? `interrupted: ${r.modelPath} holds epoch ${r.history.length}; continue with --resume`
              : 'interrupted before the first epoch finished: no model saved',
          );
          process.exitCode = 130;
        } else {
          if (r.best) {
            const b = r.best.record;
            console.log(`best epoch ${b.epoch} (by sampled HR@${b.sampled.k}, as He et al. report): HR@${b.sampled.k} ${b.sampled.hr.toFixed(4)}  NDCG@${b.sampled.k} ${b.sampled.ndcg.toFixed(4)}  → ${r.best.path}`);
          }
          const table = trainSummaryTable(r.history);
          if (table) console.log(`\n${table}\n`);
          console.log(`model: ${r.modelPath}\nreport: ${r.reportDir}`);
        }
      } finally {
        stop.dispose();
      }
    });

  program
    .command('eval')
    .description('score a saved model: HR@K and NDCG@K under the sampled protocol and/or full ranking')
    .requiredOption('-m, --model <file>', 'a model file written by ncf train (models/<name>.ncf)')
    .addOption(new Option('-p, --protocol <protocol>', 'sampled: held-out item among the sampled negatives; full: among every unseen item').choices(['sampled', 'full', 'both']).default('both'))
    .option('--data-dir <dir>', 'folder holding the dataset (default: the one the model was trained on)')
    .option('--json', 'print the metrics as JSON')
    .option('--cold-start', 'instead: fold-in vs popularity for users whose history is hidden but for a few liked movies')
    .option('--users <n>', 'with --cold-start: users to sample', '500')
    .option('--likes <list>', 'with --cold-start: liked movies kept per user, comma-separated', '3,10')
    .action(async (opts: { model: string; protocol: Protocol; dataDir?: string; json?: boolean; coldStart?: boolean; users: string; likes: string }) => {
      if (opts.coldStart) {
        const rec = await loadRecommender(opts.model, { dataDir: opts.dataDir ?? null, progress: new Progress() });
        try {
          const likes = opts.likes.split(',').map((x) => positiveInt(x.trim(), '--likes'));
          const results = [];
          for (const n of likes) {
            results.push(await evaluateColdStart(rec, { users: positiveInt(opts.users, '--users'), likes: n, k: 10, seed: 1, progress: new Progress() }));
          }
          console.log(opts.json ? JSON.stringify(results, null, 2) : coldStartText(results));
        } finally {
          await rec.close();
        }
        return;
      }
      const r = await runEval(opts.model, { protocol: opts.protocol, dataDir: opts.dataDir ?? null, progress: new Progress() });
      if (opts.json) console.log(JSON.stringify(r, null, 2));
      else {
        console.log(`${opts.model} (epoch ${r.epoch}, ${r.dataset})`);
        for (const m of r.metrics) console.log(metricsLine(m));
      }
    });

  program
    .command('bench')
    .description('time the scratch engine and tfjs backends on the same config, data and weights; report speedups')
    .option('-c, --config <file>', 'run config (JSON), e.g. configs/ml-1m.json')
    .option('-s, --set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--data-dir <dir>', 'folder holding the dataset files')
    .option('-e, --engines <list>', 'engines to compare, scratch first: scratch,tfjs:wasm,tfjs:cpu,tfjs:webgpu,tfjs:tensorflow', 'scratch,tfjs:wasm')
    .option('--steps <n>', 'timed training steps per engine, after warm-up', '200')
    .option('--epochs <n>', 'also train every engine this many epochs and compare loss and HR@K', '0')
    .option('--compare <runs...>', 'put two bench report folders side by side instead of running')
    .action(async (opts: { config?: string; set: string[]; dataDir?: string; engines: string; steps: string; epochs: string; compare?: string[] }) => {
      if (opts.compare) {
        if (opts.compare.length !== 2) throw new NcfError('--compare takes two bench report folders');
        const reports = opts.config ? loadConfig(opts.config, opts.set).output.reports : 'reports';
        const r = await runCompare(opts.compare[0], opts.compare[1], reports);
        console.log(`${r.table}\nreport: ${r.dir}`);
        return;
      }
      if (!opts.config) throw new NcfError('bench needs --config <file> (or --compare <run-a> <run-b>)');
      const sets = opts.dataDir ? [...opts.set, `data.dir=${JSON.stringify(opts.dataDir)}`] : opts.set;
      const config = loadConfig(opts.config, sets);
      const o: BenchOptions = {
        engines: opts.engines.split(',').map((e) => e.trim()).filter(Boolean),
        steps: positiveInt(opts.steps, '--steps'),
        epochs: positiveInt(opts.epochs, '--epochs', true),
        log: (l) => console.log(l),
        progress: new Progress(),
      };
      const r = await runBench(config, o);
      console.log(`${r.table}\nreport: ${r.dir}`);
    });

  program
    .command('recommend')
    .description('top-K movies for a MovieLens user (--user) or for a person who is not in the data (--like)')
    .requiredOption('-m, --model <file>', 'a model file written by ncf train')
    .option('-u, --user <id>', 'MovieLens UserID')
    .option('-l, --like <ids>', 'comma-separated MovieIDs the person likes, e.g. 260,1196,1210')
    .option('-k, --k <n>', 'how many movies', '10')
    .option('--explain', "with --user: list next to them the user's most recent training movies")
    .option('--min-likes <n>', 'fewer likes than this get the popularity fallback (default: the config\'s recommend.minLikes)')
    .option('--data-dir <dir>', 'folder holding the dataset (default: the one the model was trained on)')
    .option('--json', 'print the answer as JSON')
    .action(async (opts: { model: string; user?: string; like?: string; k: string; explain?: boolean; minLikes?: string; dataDir?: string; json?: boolean }) => {
      if ((opts.user === undefined) === (opts.like === undefined)) throw new NcfError('recommend needs exactly one of --user <id> or --like <MovieIDs>');
      const k = positiveInt(opts.k, '--k');
      const rec = await loadRecommender(opts.model, {
        dataDir: opts.dataDir ?? null, progress: new Progress(), minLikes: opts.minLikes === undefined ? undefined : positiveInt(opts.minLikes, '--min-likes'),
      });
      try {
        const r = opts.user !== undefined
          ? await rec.forUser(positiveInt(opts.user, '--user'), k, { explain: Boolean(opts.explain) })
          : await rec.forLikes(parseIds(opts.like!), k);
        console.log(opts.json ? JSON.stringify(r, null, 2) : recommendationsText(r));
      } finally {
        await rec.close();
      }
    });

  program
    .command('serve')
    .description('HTTP JSON API over a saved model: GET /recommend?user=, POST /recommend {"likes": [...]}, GET /movies?search=, GET /health')
    .requiredOption('-m, --model <file>', 'a model file written by ncf train (models/<name>.ncf)')
    .option('--host <host>', 'address to listen on (0.0.0.0: every interface)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--data-dir <dir>', 'folder holding the dataset (default: the one the model was trained on)')
    .action(async (opts: { model: string; host: string; port: string; dataDir?: string }) => {
      const port = positiveInt(opts.port, '--port', true);
      if (port > 65535) throw new NcfError(`--port must be at most 65535, got ${port}`);
      await runServe(opts.model, { host: opts.host, port, dataDir: opts.dataDir ?? null, log: (l) => console.log(l), progress: new Progress() });
    });

  program
    .command('sweep')
    .description('train GMF, MLP and NeuMF (or MF) at several numbers of predictive factors (He et al.\'s Table 2) into one table')
    .requiredOption('-c, --config <file>', 'base run config (data, training settings), e.g. configs/ml-1m.json')
    .option('-s, --set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--models <list>', 'models to train: gmf, mlp, neumf, mf', 'gmf,mlp,neumf')
    .option('--factors <list>', 'predictive factors (MLP tower [8f, 4f, 2f, f])', '8,16,32,64')
    .option('--data-dir <dir>', 'folder holding the dataset files')
    .action(async (opts: { config: string; set: string[]; models: string; factors: string; dataDir?: string }) => {
      const sets = opts.dataDir ? [...opts.set, `data.dir=${JSON.stringify(opts.dataDir)}`] : opts.set;
      const models = opts.models.split(',').map((m) => m.trim());
      for (const m of models) if (!['gmf', 'mlp', 'neumf', 'mf'].includes(m)) throw new NcfError(`--models: unknown model "${m}" — gmf, mlp, neumf or mf`);
      const factors = opts.factors.split(',').map((f) => positiveInt(f.trim(), '--factors'));
      const stop = interruptFlag();
      try {
        const r = await runSweep(loadConfig(opts.config, sets), models as ModelType[], factors, {
          resume: false, log: (l) => console.log(l), progress: new Progress(), stopRequested: stop.requested,
        });
        console.log(`\n${r.table}\nreport: ${r.dir}`);
        if (r.interrupted) process.exitCode = 130;
      } finally {
        stop.dispose();
      }
    });

  program
    .command('baseline')
    .description('score a non-learned baseline on a config\'s data and protocol: itempop (items by training popularity)')
    .argument('<name>', 'itempop')
    .requiredOption('-c, --config <file>', 'the run config whose data and evaluation to use, e.g. configs/ml-1m.json')
    .option('-s, --set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--data-dir <dir>', 'folder holding the dataset files')
    .action(async (name: string, opts: { config: string; set: string[]; dataDir?: string }) => {
      if (name !== 'itempop') throw new NcfError(`unknown baseline "${name}" — one of: itempop`);
      const sets = opts.dataDir ? [...opts.set, `data.dir=${JSON.stringify(opts.dataDir)}`] : opts.set;
      const r = await runItemPop(loadConfig(opts.config, sets), new Progress());
      for (const m of r.metrics) console.log(metricsLine(m));
      console.log(`report: ${r.dir}`);
    });

  program
    .command('leaderboard')
    .description('every trained model (and baseline) on one dataset in one table, sampled and full ranking side by side')
    .argument('<dirs...>', 'report folders, or folders of them (e.g. reports/); the newest folder stands for each run name')
    .option('--out <dir>', 'where to write leaderboard-<dataset>-<time>/', 'reports')
    .action((dirs: string[], opts: { out: string }) => {
      const r = runLeaderboard(dirs, opts.out);
      console.log(r.table);
      console.log(`\nreport: ${r.dir}`);
    });

  program
    .command('report')
    .description('re-render the charts and report.html of a train or bench report folder')
    .argument('<run-dir>', 'a folder under reports/ written by ncf train or ncf bench')
    .action(async (dir: string) => {
      const r = await runReport(dir);
      console.log(r.html);
    });

  const data = program.command('data').description('datasets');
  data
    .command('download')
    .description(`download a MovieLens dataset from GroupLens (checksum-verified): ${DOWNLOADABLE.join(', ')}`)
    .argument('<dataset>', 'dataset name')
    .option('--data-dir <dir>', 'parent folder (default: $NCF_DATA_DIR, else data/)')
    .option('--force', 'download again even if the files are there')
    .option('--insecure-skip-checksum', 'do not verify checksums')
    .action(async (name: string, opts: { dataDir?: string; force?: boolean; insecureSkipChecksum?: boolean }) => {
      if (!isDownloadable(name)) throw new NcfError(`unknown dataset "${name}" — one of: ${DOWNLOADABLE.join(', ')}`);
      const root = opts.dataDir ?? dataRoot();
      const dir = await downloadDataset(name, root, { force: opts.force, skipChecksum: opts.insecureSkipChecksum });
      console.log(`${name}: ${dir}`);
    });

  data
    .command('inspect')
    .description('load and split a dataset; print its size, the load time and peak memory')
    .argument('<dataset>', `one of ${DATASET_NAMES.join(', ')}`)
    .option('--data-dir <dir>', 'folder holding the dataset files (default: $NCF_DATA_DIR/<dataset>, else data/<dataset>)')
    .action(async (name: string, opts: { dataDir?: string }) => {
      if (!(DATASET_NAMES as readonly string[]).includes(name)) throw new NcfError(`unknown dataset "${name}" — one of: ${DATASET_NAMES.join(', ')}`);
      const dataset = name as DatasetName;
      const s = await runInspect(dataset, resolveDataDir(dataset, opts.dataDir ?? null), new Progress());
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
    .option('--data-dir <dir>', 'folder holding the dataset files (default: $NCF_DATA_DIR/<dataset>, else data/<dataset>)')
    .option('--reports <dir>', 'where the report folder goes', 'reports')
    .action(async (name: string, opts: { dataDir?: string; reports: string }) => {
      if (!(DATASET_NAMES as readonly string[]).includes(name)) throw new NcfError(`unknown dataset "${name}" — one of: ${DATASET_NAMES.join(', ')}`);
      const dataset = name as DatasetName;
      const r = await runExplore(dataset, resolveDataDir(dataset, opts.dataDir ?? null), opts.reports, new Progress());
      console.log(`${r.summary}\nreport: ${r.dir}`);
    });

  await program.parseAsync(argv);
}

function parseIds(list: string): number[] {
  const ids = list.split(',').map((x) => x.trim()).filter(Boolean);
  if (ids.length === 0) throw new NcfError('--like needs MovieIDs, e.g. --like 260,1196,1210');
  return ids.map((x) => positiveInt(x, '--like'));
}

function positiveInt(v: string, flag: string, zeroOk = false): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1)) throw new NcfError(`${flag} must be a ${zeroOk ? 'non-negative' : 'positive'} integer, got "${v}"`);
  return n;
}

/** The one place errors become output: user errors as one line, bugs with their stack. */
export function handleError(err: unknown): void {
  if (err instanceof NcfError) {
    console.error(`ncf: ${err.message}`);
    process.exitCode = err.exitCode;
    return;
  }
  console.error('ncf: internal error (please report):');
  console.error(err);
  process.exitCode = 70;
}

/** First Ctrl-C asks the loop to stop after the current chunk (the epoch is discarded); a second quits at once. */
function interruptFlag(): { requested: () => boolean; dispose: () => void } {
  let stop = false;
  const onSigint = (): void => {
    if (stop) process.exit(130);
    stop = true;
    console.error('\nstopping: the unfinished epoch is discarded, the last saved model is kept (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', onSigint);
  return { requested: () => stop, dispose: () => process.off('SIGINT', onSigint) };
}

function packageVersion(): string {
  if (process.env.NCF_VERSION) return process.env.NCF_VERSION; // set at build time in the bundle
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
