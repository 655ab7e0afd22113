import { Command } from 'commander';
import { metricsLine, runItemPop } from '../../run/eval.js';
import { NcfError } from '../../util/errors.js';
import { Progress } from '../../util/progress.js';
import { configFrom, withConfigOptions, type ConfigFlags } from '../options.js';

export function baselineCommand(): Command {
  return withConfigOptions(
    new Command('baseline')
      .description("score a non-learned baseline on a config's data and protocol: itempop (items by training popularity)")
      .argument('<name>', 'itempop'),
    'configs/ml-1m.json',
  ).action(async (name: string, opts: ConfigFlags) => {
    if (name !== 'itempop') throw new NcfError(`unknown baseline "${name}" — one of: itempop`);
    const r = await runItemPop(configFrom(opts), new Progress());
    for (const m of r.metrics) console.log(metricsLine(m));
    console.log(`report: ${r.dir}`);
  });
}
