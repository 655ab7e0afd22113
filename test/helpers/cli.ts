import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${ROOT}bin/ncf.js`;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (npm test builds first) from the repository root. */
export function ncf(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `ncf train` on configs/smoke.json as run `name`, its model and report under `dir`, with more `--set`s. */
export function trainSmoke(dir: string, name: string, sets: string[]): CliResult {
  const all = [`name=${name}`, `output.models=${dir}`, `output.reports=${dir}`, ...sets];
  return ncf(['train', '--config', 'configs/smoke.json', ...all.flatMap((s) => ['--set', s])]);
}

/** Starts the CLI and sends SIGINT once `trigger` appears on stdout. */
export function ncfInterrupted(args: string[], trigger: RegExp): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && trigger.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
