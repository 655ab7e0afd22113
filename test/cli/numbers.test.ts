/**
 * The CLI never passes bad numbers off as results: a diverged run ends in one line and keeps only
 * finite epochs; a model with non-finite weights or flipped bytes is refused in one line; a model
 * of another kind is never silently replaced. Runs the built CLI on the smoke config.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../src/artifacts/meta.js';
import { loadModel, saveModel } from '../../src/artifacts/model-file.js';
import { BIN, ROOT, ncf, type CliResult } from '../helpers/cli.js';

const SMOKE = 'configs/smoke.json';

function outDirs(): { sets: string[]; models: string; reports: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ncf-numbers-'));
  const models = join(dir, 'models');
  const reports = join(dir, 'reports');
  return { sets: ['--set', `output.models=${models}`, '--set', `output.reports=${reports}`], models, reports };
}

/** Like ncf(), but killed after `ms` (a command that should refuse must not hang the suite). */
function ncfWithin(ms: number, args: string[]): CliResult & { timedOut: boolean } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: ms, killSignal: 'SIGKILL' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.signal !== null };
}

/** stderr holds exactly one line (ending in a newline), no stack trace; returns it without "\n". */
function oneStderrLine(r: CliResult): string {
  expect(r.status).not.toBe(0);
  expect(r.status).not.toBeNull();
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.split('\n')).toHaveLength(2);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return r.stderr.slice(0, -1);
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Every weight (and optimizer slot) of a model file, finite. */
function expectFinite(path: string): void {
  const m = loadModel(path);
  const all = [...m.weights, ...(m.optimizer ? m.optimizer.slots : [])];
  expect(all.length).toBeGreaterThan(0);
  for (const [name, v] of all) {
    const bad = v.findIndex((x) => !Number.isFinite(x));
    expect(bad, `${path}: ${name}[${bad}] is ${v[bad]}`).toBe(-1);
  }
}

/** metrics.csv's rows as objects (header names as keys). */
function metricsCsv(reportDir: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(join(reportDir, 'metrics.csv'), 'utf8').trimEnd().split('\n');
  const keys = head.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((v, k) => [keys[k], v])));
}

const epochLines = (out: string): string[] => out.split('\n').filter((l) => /^epoch\s+\d+\//.test(l));

/** The smoke fixture: 1,140 training positives, 4 negatives each, batches of 64. */
const STEPS = Math.ceil((1140 * (1 + 4)) / 64);

/** `ncf: training diverged: the loss is <x> at epoch E, step S of T (train.lr LR: try a smaller one); <kept>; report: <dir>` */
function divergedLine(line: string, lr: number): { epoch: number; step: number; steps: number; kept: string; report: string } {
  const m = new RegExp(
    `^ncf: training diverged: the loss is (?:NaN|Infinity|-Infinity) at epoch (\\d+), step (\\d+) of (\\d+) ` +
      `\\(train\\.lr ${escapeRegExp(String(lr))}: try a smaller one\\); (.+); report: (.+)$`,
  ).exec(line);
  expect(m, line).not.toBeNull();
  return { epoch: Number(m![1]), step: Number(m![2]), steps: Number(m![3]), kept: m![4], report: m![5] };
}

describe('a diverging run (sgd with a huge learning rate) ends in one line and keeps only finite epochs', () => {
  const train = (lr: number, more: string[] = []): { r: CliResult; o: ReturnType<typeof outDirs> } => {
    const o = outDirs();
    const r = ncf(['train', '--config', SMOKE, '--set', 'train.optimizer=sgd', '--set', `train.lr=${lr}`, ...more, ...o.sets]);
    return { r, o };
  };

  it('diverging in a later epoch keeps the last finite one in smoke.ncf, a finite best epoch, and a report of the finite epochs', () => {
    // lr 20 on the smoke fixture: the first epochs are finite (if worse and worse), then the loss overflows.
    const { r, o } = train(20, ['--set', 'train.epochs=4']);
    const line = oneStderrLine(r);
    expect(`${r.stdout}${r.stderr}`).not.toContain('HR@10 1.0000');
    const d = divergedLine(line, 20);
    expect(d.steps).toBe(STEPS);
    expect(d.step).toBeGreaterThanOrEqual(1);
    expect(d.step).toBeLessThanOrEqual(STEPS);
    expect(d.epoch).toBeGreaterThan(1);
    expect(d.epoch).toBeLessThanOrEqual(4);
    const last = d.epoch - 1;
    const model = join(o.models, 'smoke.ncf');
    expect(d.kept).toBe(`${model} keeps epoch ${last}`);

    // The printed epochs are exactly the finite ones, and so is what was saved.
    const lines = epochLines(r.stdout);
    expect(lines.map((l) => Number(/^epoch\s+(\d+)\//.exec(l)![1]))).toEqual(Array.from({ length: last }, (_, e) => e + 1));
    const saved = loadModel<ModelMeta>(model);
    expect(saved.epoch).toBe(last);
    expect(saved.meta.history.map((h) => h.epoch)).toEqual(Array.from({ length: last }, (_, e) => e + 1));
    expectFinite(model);
    const best = join(o.models, 'smoke.best.ncf');
    expect(loadModel(best).epoch).toBeLessThanOrEqual(last);
    expectFinite(best);

    // The report folder named in the line: its page, and one metrics row per finite epoch.
    expect(d.report.startsWith(join(o.reports, 'smoke-'))).toBe(true);
    expect(existsSync(join(d.report, 'report.html'))).toBe(true);
    const rows = metricsCsv(d.report);
    expect(rows.map((x) => Number(x.epoch))).toEqual(Array.from({ length: last }, (_, e) => e + 1));
    for (const [e, row] of rows.entries()) {
      for (const key of ['loss', 'sampled_hr', 'sampled_ndcg']) expect(Number.isFinite(Number(row[key])), `${key} ${row[key]}`).toBe(true);
      expect(Number(row.sampled_hr).toFixed(4)).toBe(/HR@10 (\S+)/.exec(lines[e])![1]);
    }
  });

  it('diverging in epoch 1 saves no model and says so', () => {
    const { r, o } = train(50);
    const line = oneStderrLine(r);
    expect(`${r.stdout}${r.stderr}`).not.toContain('HR@10 1.0000');
    expect(epochLines(r.stdout)).toEqual([]);
    const d = divergedLine(line, 50);
    expect(d.epoch).toBe(1);
    expect(d.steps).toBe(STEPS);
    expect(d.step).toBeGreaterThanOrEqual(1);
    expect(d.step).toBeLessThanOrEqual(STEPS);
    expect(d.kept).toBe('no model saved');
    expect(existsSync(join(o.models, 'smoke.ncf'))).toBe(false);
    expect(existsSync(join(o.models, 'smoke.best.ncf'))).toBe(false);
    expect(existsSync(join(d.report, 'report.html'))).toBe(true);
    expect(metricsCsv(d.report)).toEqual([]);
  });
});

describe('bad model files are refused in one line (one smoke model, trained once)', () => {
  let o: ReturnType<typeof outDirs>;
  let model: string;
  let nanModel: string;
  let nanWeight: string;
  let damaged: string;
  let original: Buffer;

  beforeAll(() => {
    o = outDirs();
    const r = ncf(['train', '--config', SMOKE, ...o.sets]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    model = join(o.models, 'smoke.ncf');
    original = readFileSync(model);

    // The same model with one weight NaN, saved (with a valid checksum) under a name of its own.
    const m = loadModel<ModelMeta>(model);
    const [name, values] = [...m.weights][1];
    values[3] = NaN;
    nanWeight = `${name}[3]`;
    nanModel = join(o.models, 'smoke-nan.ncf');
    saveModel(nanModel, m);

    // The same model with 4 bytes flipped in the middle of its tensors (header and checksum intact).
    const bytes = Buffer.from(original);
    const dataStart = 8 + bytes.readUInt32LE(4);
    const dataEnd = bytes.length - 4;
    const mid = dataStart + Math.floor((dataEnd - dataStart) / 8) * 4;
    for (let k = mid; k < mid + 4; k++) bytes[k] ^= 0xff;
    damaged = join(o.models, 'smoke-flipped.ncf');
    writeFileSync(damaged, bytes);
  });

  const nonFinite = (): RegExp =>
    new RegExp(
      `^ncf: ${escapeRegExp(nanModel)} holds non-finite weights \\(${escapeRegExp(nanWeight)} is NaN\\): its run diverged; train it again with a smaller train\\.lr$`,
    );

  it('the untouched model evaluates (so the refusals below are about the edits)', () => {
    const r = ncf(['eval', '--model', model, '--protocol', 'sampled']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('eval on non-finite weights', () => {
    const r = ncf(['eval', '--model', nanModel]);
    expect(oneStderrLine(r)).toMatch(nonFinite());
    expect(r.stdout).not.toMatch(/HR@10/);
  });

  it('recommend --user 1 on non-finite weights', () => {
    const r = ncf(['recommend', '--model', nanModel, '--user', '1']);
    expect(oneStderrLine(r)).toMatch(nonFinite());
    expect(r.stdout).toBe('');
  });

  it('serve on non-finite weights refuses before listening and ends by itself', () => {
    const r = ncfWithin(30_000, ['serve', '--model', nanModel, '--port', '0']);
    expect(r.timedOut).toBe(false);
    expect(oneStderrLine(r)).toMatch(nonFinite());
    expect(r.stdout).not.toMatch(/ncf serve: .* on http/);
  });

  it('eval on a file with flipped bytes says it is damaged', () => {
    const r = ncf(['eval', '--model', damaged]);
    expect(oneStderrLine(r)).toMatch(new RegExp(`^ncf: ${escapeRegExp(damaged)} is damaged: its checksum does not match`));
    expect(r.stdout).toBe('');
  });

  it('a run of another model type under the same name is refused and leaves the file as it was; the same run overwrites it', () => {
    const r = ncf(['train', '--config', SMOKE, '--set', 'model.type=gmf', ...o.sets]);
    const line = oneStderrLine(r);
    expect(line).toMatch(
      new RegExp(
        `^ncf: ${escapeRegExp(model)} holds neumf \\(factors 4, layers \\[16, 8, 4\\]\\) on ml-100k, 60 users × 80 items; ` +
          `this run trains gmf \\(factors 4, layers \\[16, 8, 4\\]\\) on ml-100k, 60 users × 80 items — ` +
          `give it a name of its own \\(--set name=<name>\\) or delete ${escapeRegExp(model)}$`,
      ),
    );
    expect(readFileSync(model).equals(original)).toBe(true);
    expect(epochLines(r.stdout)).toEqual([]);

    // Same dataset and shape: overwritten, no questions asked. (Marked first as epoch 99, so the
    // new file is told apart from the old one.)
    const marked = loadModel<ModelMeta>(model);
    saveModel(model, { ...marked, epoch: 99 });
    expect(loadModel(model).epoch).toBe(99);
    const again = ncf(['train', '--config', SMOKE, ...o.sets]);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(epochLines(again.stdout)).toHaveLength(3);
    expect(loadModel(model).epoch).toBe(3);
  });
});
