import { Command } from 'commander';
import { engineTargets } from '../../engines/index.js';
import { runBench } from '../../run/bench.js';
import { runCompare } from '../../run/compare.js';
import { NcfError } from '../../util/errors.js';
import { Progress } from '../../util/progress.js';
import { configFrom, positiveInt, withConfigOptions, type ConfigFlags } from '../options.js';

export function benchCommand(): Command {
  return withConfigOptions(
    new Command('bench').description('time engines and backends on the same config, data and weights, each checked against the reference engine first'),
    'configs/bench.json',
    false,
  )
    .option('-e, --engines <list>', `engines to compare, the reference first: ${engineTargets().join(',')}`, 'scratch,tfjs:wasm')
    .option('--steps <n>', 'timed training steps per engine, after warm-up', '200')
    .option('--epochs <n>', 'also train every engine this many epochs and compare loss and HR@K', '0')
    .option('--compare <runs...>', 'put two bench report folders side by side instead of running')
    .action(async (opts: ConfigFlags & { engines: string; steps: string; epochs: string; compare?: string[] }) => {
      if (opts.compare) {
        if (opts.compare.length !== 2) throw new NcfError('--compare takes two bench report folders');
        const reports = opts.config ? configFrom(opts).output.reports : 'reports';
        const r = await runCompare(opts.compare[0], opts.compare[1], reports);
        console.log(`${r.table}\nreport: ${r.dir}`);
        return;
      }
      if (!opts.config) throw new NcfError('bench needs --config <file> (or --compare <run-a> <run-b>)');
      const r = await runBench(configFrom(opts), {
        engines: opts.engines
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean),
        steps: positiveInt(opts.steps, '--steps'),
        epochs: positiveInt(opts.epochs, '--epochs', true),
        log: (l) => console.log(l),
        progress: new Progress(),
      });
      console.log(`${r.table}\nreport: ${r.dir}`);
    });
}
