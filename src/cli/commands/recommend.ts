import { Command } from 'commander';
import { loadRecommender } from '../../recommend/recommender.js';
import { recommendationsText } from '../../recommend/text.js';
import { NcfError } from '../../util/errors.js';
import { Progress } from '../../util/progress.js';
import { positiveInt } from '../options.js';

export function recommendCommand(): Command {
  return new Command('recommend')
    .description('top-K movies for a MovieLens user (--user) or for a person who is not in the data (--like)')
    .requiredOption('-m, --model <file>', 'a model file written by ncf train')
    .option('-u, --user <id>', 'MovieLens UserID')
    .option('-l, --like <ids>', 'comma-separated MovieIDs the person likes, e.g. 260,1196,1210')
    .option('-k, --k <n>', 'how many movies', '10')
    .option('--explain', "with --user: list next to them the user's most recent training movies")
    .option('--min-likes <n>', "fewer likes than this get the popularity fallback (default: the config's recommend.minLikes)")
    .option('--data-dir <dir>', 'folder holding the dataset (default: the one the model was trained on)')
    .option('--json', 'print the answer as JSON')
    .action(
      async (opts: { model: string; user?: string; like?: string; k: string; explain?: boolean; minLikes?: string; dataDir?: string; json?: boolean }) => {
        if ((opts.user === undefined) === (opts.like === undefined)) throw new NcfError('recommend needs exactly one of --user <id> or --like <MovieIDs>');
        const k = positiveInt(opts.k, '--k');
        const rec = await loadRecommender(opts.model, {
          dataDir: opts.dataDir ?? null,
          progress: new Progress(),
          minLikes: opts.minLikes === undefined ? undefined : positiveInt(opts.minLikes, '--min-likes'),
        });
        try {
          const r =
            opts.user !== undefined
              ? await rec.forUser(positiveInt(opts.user, '--user'), k, { explain: Boolean(opts.explain) })
              : await rec.forLikes(parseIds(opts.like!), k);
          console.log(opts.json ? JSON.stringify(r, null, 2) : recommendationsText(r));
        } finally {
          await rec.close();
        }
      },
    );
}

function parseIds(list: string): number[] {
  const ids = list
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new NcfError('--like needs MovieIDs, e.g. --like 260,1196,1210');
  return ids.map((x) => positiveInt(x, '--like'));
}
