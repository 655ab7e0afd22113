import { Command } from 'commander';
import { MODEL_TYPES } from '../../models/index.js';
import { runSweep } from '../../run/sweep.js';
import { Progress } from '../../util/progress.js';
import { configFrom, interruptFlag, listOf, positiveInt, withConfigOptions, type ConfigFlags } from '../options.js';

export function sweepCommand(): Command {
  return withConfigOptions(
    new Command('sweep').description("train models at several numbers of predictive factors (He et al.'s Table 2) into one table"),
    'configs/ml-1m.json',
  )
    .option('--models <list>', `models to train: ${MODEL_TYPES.join(', ')}`, 'gmf,mlp,neumf')
    .option('--factors <list>', 'predictive factors (MLP tower [8f, 4f, 2f, f])', '8,16,32,64')
    .action(async (opts: ConfigFlags & { models: string; factors: string }) => {
      const models = listOf(opts.models, '--models', MODEL_TYPES);
      const factors = opts.factors.split(',').map((f) => positiveInt(f.trim(), '--factors'));
      const stop = interruptFlag();
      try {
        const r = await runSweep(configFrom(opts), models, factors, {
          resume: false,
          log: (l) => console.log(l),
          progress: new Progress(),
          stopRequested: stop.requested,
        });
        console.log(`\n${r.table}\nreport: ${r.dir}`);
        if (r.interrupted) process.exitCode = 130;
      } finally {
        stop.dispose();
      }
    });
}
