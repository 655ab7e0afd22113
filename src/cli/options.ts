/** What several commands share: the config options (defined once), integer flags, Ctrl-C. */
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { NcfError } from '../util/errors.js';

export interface ConfigFlags {
  config?: string;
  set: string[];
  dataDir?: string;
}

const collect = (v: string, acc: string[]): string[] => [...acc, v];

/** -c/--config, -s/--set (repeatable) and --data-dir; `required`: --config must be given. */
export function withConfigOptions(cmd: Command, example: string, required = true): Command {
  const config = '-c, --config <file>';
  const what = `run config (JSON), e.g. ${example}`;
  (required ? cmd.requiredOption(config, what) : cmd.option(config, what))
    .option('-s, --set <key=value>', 'override a config key, e.g. --set train.epochs=1 (repeatable)', collect, [])
    .option('--data-dir <dir>', 'folder holding the dataset files (same as --set data.dir=<dir>)');
  return cmd;
}

/** The resolved config: file < --set < --data-dir. */
export function configFrom(flags: ConfigFlags): Config {
  const sets = flags.dataDir ? [...flags.set, `data.dir=${JSON.stringify(flags.dataDir)}`] : flags.set;
  return loadConfig(flags.config ?? null, sets);
}

export function positiveInt(v: string, flag: string, zeroOk = false): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1)) throw new NcfError(`${flag} must be a ${zeroOk ? 'non-negative' : 'positive'} integer, got "${v}"`);
  return n;
}

/** A comma-separated list, each entry one of `allowed`. */
export function listOf<T extends string>(v: string, flag: string, allowed: readonly T[]): T[] {
  const items = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const x of items) if (!(allowed as readonly string[]).includes(x)) throw new NcfError(`${flag}: unknown "${x}" — one of ${allowed.join(', ')}`);
  return items as T[];
}

/** First Ctrl-C asks the loop to stop after the current chunk (the epoch is discarded); a second quits at once. */
export function interruptFlag(): { requested: () => boolean; dispose: () => void } {
  let stop = false;
  const onSigint = (): void => {
    if (stop) process.exit(130);
    stop = true;
    console.error('\nstopping: the unfinished epoch is discarded, the last saved model is kept (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', onSigint);
  return { requested: () => stop, dispose: () => process.off('SIGINT', onSigint) };
}
