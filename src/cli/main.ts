/** The `ncf` command line: one module per command under commands/; this file puts them together and turns errors into output. */
import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { NcfError } from '../util/errors.js';
import { baselineCommand } from './commands/baseline.js';
import { benchCommand } from './commands/bench.js';
import { dataCommand } from './commands/data.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { leaderboardCommand } from './commands/leaderboard.js';
import { recommendCommand } from './commands/recommend.js';
import { reportCommand } from './commands/report.js';
import { serveCommand } from './commands/serve.js';
import { sweepCommand } from './commands/sweep.js';
import { trainCommand } from './commands/train.js';

export async function main(argv: string[]): Promise<void> {
  // `ncf ... | head` closes stdout early: stop quietly rather than crash on EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const program = new Command('ncf').description('Neural Collaborative Filtering (NeuMF, He et al. 2017) on MovieLens').version(packageVersion());
  for (const command of [
    trainCommand(),
    evalCommand(),
    benchCommand(),
    recommendCommand(),
    serveCommand(),
    sweepCommand(),
    baselineCommand(),
    leaderboardCommand(),
    reportCommand(),
    dataCommand(),
    exportCommand(),
  ]) {
    program.addCommand(command);
  }
  // Commands added with addCommand keep their own settings: show help after their errors too, nested ones included.
  const helpAfterError = (c: Command): void => {
    c.showHelpAfterError('(run with --help for usage)');
    for (const sub of c.commands) helpAfterError(sub);
  };
  helpAfterError(program);
  await program.parseAsync(argv);
}

/** The one place errors become output: user errors as one line, bugs with their stack. */
export function handleError(err: unknown): void {
  if (err instanceof NcfError) {
    console.error(`ncf: ${err.message}`);
    process.exitCode = err.exitCode;
    return;
  }
  console.error('ncf: internal error (please report):');
  console.error(err);
  process.exitCode = 70;
}

function packageVersion(): string {
  if (process.env.NCF_VERSION) return process.env.NCF_VERSION; // set at build time in the bundle
  // src/cli/main.ts under vitest, dist/src/cli/main.js when built: package.json is two or three folders up.
  for (const up of ['../../package.json', '../../../package.json']) {
    const url = new URL(up, import.meta.url);
    if (existsSync(url)) return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
