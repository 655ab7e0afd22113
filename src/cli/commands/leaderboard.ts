import { Command, Option } from 'commander';
import { runLeaderboard } from '../../run/leaderboard.js';

export function leaderboardCommand(): Command {
  return new Command('leaderboard')
    .description('every trained model (and baseline) on one dataset in one table, sampled and full ranking side by side')
    .argument('<dirs...>', 'report folders, or folders of them (e.g. reports/); the newest folder stands for each run name')
    .option('--out <dir>', 'where to write leaderboard-<dataset>-<time>/', 'reports')
    .addOption(new Option('--split <split>', 'table the runs scored on this split (data.split)').choices(['test', 'validation']).default('test'))
    .action((dirs: string[], opts: { out: string; split: 'test' | 'validation' }) => {
      const r = runLeaderboard(dirs, opts.out, new Date(), opts.split);
      console.log(r.table);
      if (r.otherSplit > 0)
        console.log(
          `\n${r.otherSplit} run${r.otherSplit === 1 ? '' : 's'} scored on the other split left out (--split ${opts.split === 'test' ? 'validation' : 'test'})`,
        );
      console.log(`\nreport: ${r.dir}`);
    });
}
