import { Command } from 'commander';
import { runLeaderboard } from '../../run/leaderboard.js';

export function leaderboardCommand(): Command {
  return new Command('leaderboard')
    .description('every trained model (and baseline) on one dataset in one table, sampled and full ranking side by side')
    .argument('<dirs...>', 'report folders, or folders of them (e.g. reports/); the newest folder stands for each run name')
    .option('--out <dir>', 'where to write leaderboard-<dataset>-<time>/', 'reports')
    .action((dirs: string[], opts: { out: string }) => {
      const r = runLeaderboard(dirs, opts.out);
      console.log(r.table);
      console.log(`\nreport: ${r.dir}`);
    });
}
