import { Command } from 'commander';
import { runServe } from '../../run/serve.js';
import { DEFAULT_WRITES_PER_MINUTE } from '../../serve/server.js';
import { NcfError } from '../../util/errors.js';
import { Progress } from '../../util/progress.js';
import { positiveInt } from '../options.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'the movie site at / and an HTTP JSON API over a saved model (GET /recommend?user=, POST /recommend {"likes": [...]}, GET /movies?search=, GET /health) and people\'s profiles under /api (see /api/openapi.json); SIGHUP reloads the model',
    )
    .requiredOption('-m, --model <file>', 'a model file written by ncf train (models/<name>.ncf)')
    .option('--host <host>', 'address to listen on (0.0.0.0: every interface)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--data-dir <dir>', 'folder holding the dataset (default: the one the model was trained on)')
    .option('--db <folder|url>', "people's profiles and ratings: a PGlite folder, or postgres://… for a PostgreSQL server", 'data/ncf-db')
    .option('--no-db', 'serve without profiles (no /api/profiles routes)')
    .option('--writes-per-minute <n>', 'new profiles and ratings each IP may send per minute', String(DEFAULT_WRITES_PER_MINUTE))
    .option('--fold-in-threads <n>', 'worker threads that run fold-ins (0: on the event loop)', '1')
    .action(
      async (opts: { model: string; host: string; port: string; dataDir?: string; db: string | false; foldInThreads: string; writesPerMinute: string }) => {
        const port = positiveInt(opts.port, '--port', true);
        if (port > 65535) throw new NcfError(`--port must be at most 65535, got ${port}`);
        const foldInThreads = positiveInt(opts.foldInThreads, '--fold-in-threads', true);
        const writesPerMinute = positiveInt(opts.writesPerMinute, '--writes-per-minute');
        await runServe(opts.model, {
          host: opts.host,
          port,
          dataDir: opts.dataDir ?? null,
          db: opts.db || null,
          foldInThreads,
          writesPerMinute,
          log: (l) => console.log(l),
          progress: new Progress(),
        });
      },
    );
}
