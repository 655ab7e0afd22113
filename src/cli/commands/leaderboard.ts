import { Command, Option } from 'commander';
import { type EpochPick, runLeaderboard } from '../../run/leaderboard.js';

export function leaderboardCommand(): Command {
  return new Command('leaderboard')
    .description('every trained model (and baseline) on one dataset in one table, sampled and full ranking side by side')
    .argument('<dirs...>', 'report folders, or folders of them (e.g. reports/); the newest folder stands for each run name')
    .option('--out <dir>', 'where to write leaderboard-<dataset>-<time>/', 'reports')
    .addOption(new Option('--split <split>', 'table the runs scored on this split (data.split)').choices(['test', 'validation']).default('test'))
    .addOption(
      new Option('--epoch <epoch>', "the sampled figures of each run's best epoch by sampled HR (as He et al. report) or of its last")
        .choices(['best', 'last'])
        .default('best'),
    )
    .action((dirs: string[], opts: { out: string; split: 'test' | 'validation'; epoch: EpochPick }) => {
      const r = runLeaderboard(dirs, opts.out, new Date(), opts.split, opts.epoch);
      console.log(r.table);
      if (r.otherSplit > 0)
        console.log(
          `\n${r.otherSplit} run${r.otherSplit === 1 ? '' : 's'} scored on the other split left out (--split ${opts.split === 'test' ? 'validation' : 'test'})`,
        );
      console.log(`\nreport: ${r.dir}`);
    });
}
