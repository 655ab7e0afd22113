import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/artifacts/model-file.js';
import { ncf, ncfInterrupted } from '../helpers/cli.js';

function outDirs(): { sets: string[]; models: string; reports: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ncf-cli-'));
  const models = join(dir, 'models');
  const reports = join(dir, 'reports');
  return { sets: ['--set', `output.models=${models}`, '--set', `output.reports=${reports}`], models, reports };
}

/** Weights and Adam moments of a model file (its header also holds timings, which differ). */
function tensors(path: string): Record<string, number[]> {
  const m = loadModel(path);
  const out: Record<string, number[]> = { step: [m.optimizer!.step] };
  for (const [k, v] of [...m.weights, ...m.optimizer!.slots]) out[k] = [...v];
  return out;
}

const epochLines = (out: string): string[] => out.split('\n').filter((l) => l.startsWith('epoch'));
/** An epoch line without its timing, which differs between runs. */
const metricsOf = (line: string): string => line.replace(/\s+[\d.]+s train.*$/, '');

describe('ncf train / eval on the smoke config (built CLI)', () => {
  it('trains, saves a model that eval scores identically, and is deterministic', () => {
    const a = outDirs();
    const r = ncf(['train', '--config', 'configs/smoke.json', ...a.sets]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = epochLines(r.stdout);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/HR@10 0\.\d{4}\s+NDCG@10 0\.\d{4}\s+full HR@10/);
    const model = join(a.models, 'smoke.ncf');
    expect(loadModel(model).epoch).toBe(3);
    // The best epoch (highest sampled HR@10, earliest on a tie) is kept beside the last one.
    const hrs = lines.map((l) => Number(/HR@10 (\S+)/.exec(l)![1]));
    const bestEpoch = hrs.indexOf(Math.max(...hrs)) + 1;
    expect(r.stdout).toContain(`best epoch ${bestEpoch} `);
    expect(loadModel(join(a.models, 'smoke.best.ncf')).epoch).toBe(bestEpoch);

    const e = ncf(['eval', '--model', model, '--json']);
    expect(e.status).toBe(0);
    const metrics = JSON.parse(e.stdout).metrics as { protocol: string; hr: number; ndcg: number }[];
    const [, hr, ndcg] = /HR@10 (\S+)\s+NDCG@10 (\S+)/.exec(lines[2])!;
    expect(metrics[0].protocol).toBe('sampled');
    expect(metrics[0].hr.toFixed(4)).toBe(hr);
    expect(metrics[0].ndcg.toFixed(4)).toBe(ndcg);
    const [, fullHr] = /full HR@10 (\S+)/.exec(lines[2])!;
    expect(metrics[1].protocol).toBe('full');
    expect(metrics[1].hr.toFixed(4)).toBe(fullHr);

    const b = outDirs();
    const again = ncf(['train', '--config', 'configs/smoke.json', ...b.sets]);
    expect(epochLines(again.stdout).map(metricsOf)).toEqual(lines.map(metricsOf));
    expect(tensors(join(b.models, 'smoke.ncf'))).toEqual(tensors(model));
  });

  it('--resume continues to exactly the numbers of an uninterrupted run', () => {
    const full = outDirs();
    const straight = ncf(['train', '--config', 'configs/smoke.json', ...full.sets]);
    const part = outDirs();
    expect(ncf(['train', '--config', 'configs/smoke.json', '--set', 'train.epochs=2', ...part.sets]).status).toBe(0);
    const resumed = ncf(['train', '--config', 'configs/smoke.json', '--resume', ...part.sets]);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/resuming .* after epoch 2/);
    expect(epochLines(resumed.stdout).map(metricsOf)).toEqual(epochLines(straight.stdout).slice(2).map(metricsOf));
    expect(tensors(join(part.models, 'smoke.ncf'))).toEqual(tensors(join(full.models, 'smoke.ncf')));
    // Another loss would read the instances differently: refused in one line.
    const other = ncf(['train', '--config', 'configs/smoke.json', '--resume', '--set', 'train.loss=bpr', ...part.sets]);
    expect(other.status).toBe(1);
    expect(other.stderr.trim()).toMatch(/^ncf: --resume: train\.loss is "bpr" but .*smoke\.ncf was trained with "bce"$/);
  });

  it('Ctrl-C stops cleanly and keeps the last completed epoch', async () => {
    const o = outDirs();
    const r = await ncfInterrupted(['train', '--config', 'configs/smoke.json', '--set', 'train.epochs=100000', ...o.sets], /^epoch\s+2\//m);
    expect(r.status).toBe(130);
    expect(r.stdout).toMatch(/interrupted: .*smoke\.ncf holds epoch \d+; continue with --resume/);
    const kept = Number(/holds epoch (\d+)/.exec(r.stdout)![1]);
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(loadModel(join(o.models, 'smoke.ncf')).epoch).toBe(kept);
  });
});

describe('bad input: one line on stderr, non-zero exit, no stack trace', () => {
  const oneLine = (r: { status: number | null; stderr: string }, pattern: RegExp): void => {
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  it('missing config, unknown key, wrong type', () => {
    oneLine(ncf(['train', '--config', 'configs/nope.json']), /^ncf: config file configs\/nope\.json not found/);
    oneLine(ncf(['train', '--config', 'configs/smoke.json', '--set', 'train.epoch=2']), /unknown key "train\.epoch"/);
    oneLine(ncf(['train', '--config', 'configs/smoke.json', '--set', 'train.batchSize=big']), /train\.batchSize: expected number/);
  });

  it('missing dataset names the fix', () => {
    const r = ncf(['train', '--config', 'configs/ml-1m.json'], { NCF_DATA_DIR: '/nonexistent' });
    oneLine(r, /\/nonexistent\/ml-1m-ncf\/ml-1m\.train\.rating not found — run 'ncf data download ml-1m-ncf'/);
  });

  it('malformed data line gives file:line and the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncf-bad-'));
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'u.data'), '1\t2\t3\t4\n1\tx\t3\t5\n');
    const r = ncf(['train', '--config', 'configs/smoke.json', '--data-dir', join(dir, 'd')]);
    oneLine(r, /u\.data:2: .*"1\\tx\\t3\\t5"/);
  });

  it('unknown dataset for download, unreadable model file', () => {
    oneLine(ncf(['data', 'download', 'ml-2m']), /unknown dataset "ml-2m"/);
    const dir = mkdtempSync(join(tmpdir(), 'ncf-bad-'));
    writeFileSync(join(dir, 'm.ncf'), 'garbage');
    oneLine(ncf(['eval', '--model', join(dir, 'm.ncf')]), /not a readable ncf model file/);
  });
});
