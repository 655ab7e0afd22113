import { Command } from 'commander';
import { isDownloadable, downloadDataset } from '../../data/download/index.js';
import { dataRoot } from '../../data/dataset.js';
import { MODEL_TYPES } from '../../models/index.js';
import { trainSummaryTable } from '../../report/train-table.js';
import { runTrain } from '../../run/train.js';
import { NcfError } from '../../util/errors.js';
import { Progress } from '../../util/progress.js';
import { configFrom, interruptFlag, withConfigOptions, type ConfigFlags } from '../options.js';

export function trainCommand(): Command {
  return withConfigOptions(
    new Command('train').description(`train a model (model.type: ${MODEL_TYPES.join(', ')}); saves <output.models>/<name>.ncf after every epoch`),
    'configs/ml-1m.json',
  )
    .option('--download', 'download the dataset first if it is missing')
    .option('--resume', 'continue from the saved model of this run name')
    .option('--feedback <folder|url>', "add the site's ratings (ncf serve --db: a PGlite folder or postgres://…) to the training data as users")
    .action(async (opts: ConfigFlags & { download?: boolean; resume?: boolean; feedback?: string }) => {
      const config = configFrom(opts);
      if (opts.download) {
        const name = config.data.dataset;
        if (!isDownloadable(name)) throw new NcfError(`--download: ${name} cannot be downloaded by ncf; get it from GroupLens`);
        if (config.data.dir) throw new NcfError('--download saves under $NCF_DATA_DIR or data/: drop data.dir / --data-dir, or download by hand');
        await downloadDataset(name, dataRoot(), {});
      }
      const stop = interruptFlag();
      try {
        const r = await runTrain(config, {
          resume: Boolean(opts.resume),
          log: (l) => console.log(l),
          progress: new Progress(),
          stopRequested: stop.requested,
          feedback: opts.feedback,
        });
        if (r.interrupted) {
          console.log(
            r.history.length
              ? `interrupted: ${r.modelPath} holds epoch ${r.history.length}; continue with --resume`
              : 'interrupted before the first epoch finished: no model saved',
          );
          process.exitCode = 130;
          return;
        }
        if (r.stoppedEarly !== undefined) {
          console.log(
            `stopped early after epoch ${r.stoppedEarly}: ${config.train.patience} epochs in a row brought no better sampled HR@${config.eval.k} (train.patience)`,
          );
        }
        if (r.best) {
          const b = r.best.record;
          console.log(
            `best epoch ${b.epoch} (by sampled HR@${b.sampled.k}, as He et al. report): HR@${b.sampled.k} ${b.sampled.hr.toFixed(4)}  NDCG@${b.sampled.k} ${b.sampled.ndcg.toFixed(4)}  → ${r.best.path}`,
          );
        }
        const table = trainSummaryTable(r.history);
        if (table) console.log(`\n${table}\n`);
        console.log(`model: ${r.modelPath}\nreport: ${r.reportDir}`);
      } finally {
        stop.dispose();
      }
    });
}
