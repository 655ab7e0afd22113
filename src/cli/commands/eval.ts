import { Command, Option } from 'commander';
import type { Protocol } from '../../core/evaluation.js';
import { evaluateColdStart } from '../../recommend/cold-start.js';
import { loadRecommender } from '../../recommend/recommender.js';
import { coldStartText } from '../../recommend/text.js';
import { metricsLine, runEval } from '../../run/eval.js';
import { Progress } from '../../util/progress.js';
import { positiveInt } from '../options.js';

export function evalCommand(): Command {
  return new Command('eval')
    .description('score a saved model: HR@K and NDCG@K under the sampled protocol and/or full ranking')
    .requiredOption('-m, --model <file>', 'a model file written by ncf train (models/<name>.ncf)')
    .addOption(
      new Option('-p, --protocol <protocol>', 'sampled: held-out item among the sampled negatives; full: among every unseen item')
        .choices(['sampled', 'full', 'both'])
        .default('both'),
    )
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
}
