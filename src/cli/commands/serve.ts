import { Command } from 'commander';
import { runServe } from '../../run/serve.js';
import { NcfError } from '../../util/errors.js';
import { Progress } from '../../util/progress.js';
import { positiveInt } from '../options.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('HTTP JSON API over a saved model: GET /recommend?user=, POST /recommend {"likes": [...]}, GET /movies?search=, GET /health')
    .requiredOption('-m, --model <file>', 'a model file written by ncf train (models/<name>.ncf)')
    .option('--host <host>', 'address to listen on (0.0.0.0: every interface)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--data-dir <dir>', 'folder holding the dataset (default: the one the model was trained on)')
    .action(async (opts: { model: string; host: string; port: string; dataDir?: string }) => {
      const port = positiveInt(opts.port, '--port', true);
      if (port > 65535) throw new NcfError(`--port must be at most 65535, got ${port}`);
      await runServe(opts.model, { host: opts.host, port, dataDir: opts.dataDir ?? null, log: (l) => console.log(l), progress: new Progress() });
    });
}
