/** The pre-training pipeline through the built CLI on the smoke fixture: GMF and MLP first, then NeuMF from them. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ncf, ncfInterrupted, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ncf-pretrain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const smoke = JSON.parse(readFileSync(join(ROOT, 'configs/smoke.json'), 'utf8')) as Record<string, unknown>;
const write = (name: string, patch: Record<string, unknown>): string => {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ ...smoke, name, ...patch, output: { models: join(dir, 'models'), reports: join(dir, 'reports') } }));
  return path;
};

describe('ncf train with pretrain', () => {
  it('trains GMF and MLP when their models are missing, reuses them after, and starts NeuMF from them', () => {
    const model = (type: string) => ({ ...(smoke.model as object), type });
    const gmf = write('gmf', { model: model('gmf'), train: { ...(smoke.train as object), epochs: 2 } });
    const mlp = write('mlp', { model: model('mlp'), train: { ...(smoke.train as object), epochs: 2 } });
    const neumf = write('neumf', { pretrain: { gmf, mlp, alpha: 0.5 }, train: { ...(smoke.train as object), epochs: 1, optimizer: 'sgd', lr: 0.001 } });

    const first = ncf(['train', '--config', neumf]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`pre-training GMF with ${gmf}`);
    expect(first.stdout).toContain(`pre-training MLP with ${mlp}`);
    expect(first.stdout).toContain('NeuMF initialised from them, output layer α = 0.5 (GMF) and 0.5 (MLP)');
    for (const m of ['gmf.best.ncf', 'mlp.best.ncf', 'neumf.ncf']) expect(existsSync(join(dir, 'models', m))).toBe(true);

    const again = ncf(['train', '--config', neumf]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`pre-trained GMF: ${join(dir, 'models', 'gmf.best.ncf')}`);
    // It says what the reused model scored: the best of the two GMF epochs the first run printed.
    const reused = /\/gmf\.best\.ncf \(epoch (\d): HR@10 (\S+), NDCG@10 (\S+)\)$/m.exec(again.stdout);
    expect(reused, again.stdout).not.toBeNull();
    const gmfEpochs = [...first.stdout.matchAll(/^epoch (\d)\/2 .*?HR@10 (\S+)\s+NDCG@10 (\S+)/gm)].slice(0, 2);
    const best = gmfEpochs.reduce((b, m) => (Number(m[2]) > Number(b[2]) ? m : b));
    expect(reused!.slice(1)).toEqual(best.slice(1));
    expect(again.stdout).not.toContain('pre-training GMF');
    // Same pre-trained models and seed: the NeuMF epoch is the same, bit for bit.
    const epochLine = (out: string): string => /^epoch 1\/1 .*HR@10 \S+/m.exec(out)![0];
    expect(epochLine(again.stdout)).toBe(epochLine(first.stdout));
  });

  it("pre-trains the parts on the run's split, and refuses parts trained for another split", () => {
    const gmf = join(dir, 'gmf.json');
    const mlp = join(dir, 'mlp.json');
    const neumf = write('neumf-val', { pretrain: { gmf, mlp, alpha: 0.5 }, train: { ...(smoke.train as object), epochs: 0 } });
    // The test-split parts of the first test are in models/: on validation they would have trained on its held-out items.
    const refused = ncf(['train', '--config', neumf, '--set', 'data.split=validation']);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `ncf: pre-trained GMF ${join(dir, 'models', 'gmf.best.ncf')} was trained for the test split, this run scores the validation split: give this run another output.models folder`,
    );
    const elsewhere = join(dir, 'models-val');
    const r = ncf(['train', '--config', neumf, '--set', 'data.split=validation', '--set', `output.models=${JSON.stringify(elsewhere)}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`pre-training GMF with ${gmf}`);
    expect(r.stdout).toContain(`pre-training MLP with ${mlp}`);
    // Both stages and the NeuMF run say they train on the validation split.
    expect(r.stdout.split('\n').filter((l) => / on ml-100k \(validation split\): /.test(l))).toHaveLength(3);
  });

  it('refuses a part model its config no longer describes (another train.epochs) in one line', () => {
    const gmfOf = (epochs: number) => write('gmf-stale', { model: { ...(smoke.model as object), type: 'gmf' }, train: { ...(smoke.train as object), epochs } });
    const gmf = gmfOf(1);
    const neumf = write('neumf-stale', { pretrain: { gmf, mlp: join(dir, 'mlp.json'), alpha: 0.5 }, train: { ...(smoke.train as object), epochs: 0 } });
    const first = ncf(['train', '--config', neumf]);
    expect(first.status, first.stderr).toBe(0);
    gmfOf(2);
    const stale = ncf(['train', '--config', neumf]);
    expect(stale.status).toBe(1);
    expect(stale.stderr.trim()).toBe(
      `ncf: pre-trained GMF ${join(dir, 'models', 'gmf-stale.best.ncf')} was trained with train.epochs 1, ${gmf} says 2: delete it or give this run another output.models folder`,
    );
  });

  it('continues a part whose training was interrupted, to the figures an uninterrupted pipeline gives', async () => {
    const gmf = write('gmf-cut', { model: { ...(smoke.model as object), type: 'gmf' }, train: { ...(smoke.train as object), epochs: 12 } });
    const neumf = write('neumf-cut', { pretrain: { gmf, mlp: join(dir, 'mlp.json'), alpha: 0.5 }, train: { ...(smoke.train as object), epochs: 0 } });
    const cut = await ncfInterrupted(['train', '--config', neumf], /^epoch\s+2\/12 /m);
    expect(cut.status).toBe(1);
    expect(cut.stderr.trim().split('\n').at(-1)).toBe('ncf: pre-training GMF was interrupted; run again to continue');
    expect(existsSync(join(dir, 'models', 'gmf-cut.best.ncf'))).toBe(true);

    const again = ncf(['train', '--config', neumf]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^pre-training GMF: \S+gmf-cut\.ncf holds epoch \d+ of 12; continuing it$/m);
    expect(again.stdout).toMatch(/^epoch\s+12\/12 /m);
    const whole = ncf(['train', '--config', neumf, '--set', `output.models=${JSON.stringify(join(dir, 'models-whole'))}`]);
    expect(whole.status, whole.stderr).toBe(0);
    const part = (out: string): string | undefined => /^pre-trained GMF: \S+ (\(epoch .*\))$/m.exec(out)?.[1];
    const start = (out: string): string | undefined => /^NeuMF before fine-tuning: (.*?) {2}→ /m.exec(out)?.[1];
    expect(part(again.stdout)).toBeDefined();
    expect(part(again.stdout)).toBe(part(whole.stdout));
    expect(start(again.stdout)).toBeDefined();
    expect(start(again.stdout)).toBe(start(whole.stdout));
  }, 120_000);

  it('scores and keeps NeuMF at its pre-trained start: an epoch of SGD too small to move it scores the same', () => {
    const gmf = join(dir, 'gmf.json');
    const mlp = join(dir, 'mlp.json');
    const still = write('neumf-still', { pretrain: { gmf, mlp, alpha: 0.5 }, train: { ...(smoke.train as object), epochs: 1, optimizer: 'sgd', lr: 1e-12 } });
    const r = ncf(['train', '--config', still]);
    expect(r.status, r.stderr).toBe(0);
    const startFile = join(dir, 'models', 'neumf-still.start.ncf');
    const start = /^NeuMF before fine-tuning: sampled HR@10 (\S+), NDCG@10 (\S+); full ranking HR@10 (\S+), NDCG@10 (\S+) {2}→ (.+)$/m.exec(r.stdout);
    expect(start, r.stdout).not.toBeNull();
    expect(start![5]).toBe(startFile);
    const epoch1 = /^epoch 1\/1 .*?HR@10 (\S+)\s+NDCG@10 (\S+)/m.exec(r.stdout)!;
    expect(start!.slice(1, 3)).toEqual(epoch1.slice(1));
    // The start is kept in its own file, and scores the same when evaluated from there.
    const again = ncf(['eval', '--model', startFile, '--protocol', 'sampled']);
    expect(again.status, again.stderr).toBe(0);
    expect(/HR@10 (\S+) {2}NDCG@10 (\S+)/.exec(again.stdout)!.slice(1)).toEqual(start!.slice(1, 3));
    // The report keeps the start too, and the leaderboard gives it a row of its own.
    const full = ncf(['eval', '--model', startFile, '--protocol', 'full']);
    expect(/HR@10 (\S+) {2}NDCG@10 (\S+)/.exec(full.stdout)!.slice(1)).toEqual(start!.slice(3, 5));
    const lb = ncf(['leaderboard', join(dir, 'reports'), '--out', join(dir, 'lb')]);
    expect(lb.status, lb.stderr).toBe(0);
    const row = lb.stdout.split('\n').find((l) => l.startsWith('NeuMF (pre-trained, before fine-tuning)') && l.includes(' neumf-still '));
    expect(row, lb.stdout).toBeDefined();
    expect(row).toContain('α 0.5 · gmf + 0.5 · mlp');
    expect(row!.trim().split(/\s+/).slice(-5, -1)).toEqual(start!.slice(1, 5));
    const reportDir = join(dir, 'reports', readdirSync(join(dir, 'reports')).find((d) => d.startsWith('neumf-still-'))!);
    const said = `sampled HR@10 ${start![1]}, NDCG@10 ${start![2]}; full ranking HR@10 ${start![3]}, NDCG@10 ${start![4]}`;
    expect(readFileSync(join(reportDir, 'summary.md'), 'utf8')).toContain(`Pre-trained start, before the first epoch: ${said}.`);
    expect(readFileSync(join(reportDir, 'report.html'), 'utf8')).toContain(said);
  });

  it("with train.epochs 0 only builds and scores the start, which is then the run's model", () => {
    const zero = write('neumf-zero', {
      pretrain: { gmf: join(dir, 'gmf.json'), mlp: join(dir, 'mlp.json'), alpha: 0.5 },
      train: { ...(smoke.train as object), epochs: 0 },
    });
    const r = ncf(['train', '--config', zero]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^NeuMF before fine-tuning: sampled HR@10 \S+, NDCG@10 \S+; full ranking HR@10 \S+, NDCG@10 \S+ {2}→ /m);
    expect(r.stdout).toContain(`model: ${join(dir, 'models', 'neumf-zero.start.ncf')}`);
    expect(existsSync(join(dir, 'models', 'neumf-zero.ncf'))).toBe(false);
    const reportDir = /^report: (.+)$/m.exec(r.stdout)![1];
    expect(readFileSync(join(reportDir, 'summary.md'), 'utf8')).toContain('No training epochs.\n\nPre-trained start, before the first epoch: sampled HR@10');
    expect(ncf(['eval', '--model', join(dir, 'models', 'neumf-zero.start.ncf'), '--protocol', 'sampled']).status).toBe(0);
  });

  it('takes an MF run for the GMF part, as a GMF with two more factors', () => {
    const mf = write('mf2', {
      model: { ...(smoke.model as object), type: 'mf', factors: 2, embeddingStd: 0.1 },
      train: { ...(smoke.train as object), epochs: 1, optimizer: 'sgd', lr: 0.05 },
    });
    const neumf = write('neumf-mf', { pretrain: { gmf: mf, mlp: join(dir, 'mlp.json'), alpha: 0.5 }, train: { ...(smoke.train as object), epochs: 1 } });
    const r = ncf(['train', '--config', neumf]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`pre-trained GMF (MF with 2 factors, as a GMF with 4): ${join(dir, 'models', 'mf2.best.ncf')}`);
    const wrong = write('neumf-mf4', {
      pretrain: { gmf: write('mf4', { model: { ...(smoke.model as object), type: 'mf' } }), mlp: join(dir, 'mlp.json'), alpha: 0.5 },
    });
    const w = ncf(['train', '--config', wrong]);
    expect(w.status).toBe(1);
    expect(w.stderr.trim()).toMatch(/^ncf: pre-trained GMF: an MF with F factors .* needs MF with 2, not 4$/);
  });

  it('runs the GMF and MLP stages on the engine and backend of the NeuMF run', () => {
    const model = (type: string) => ({ ...(smoke.model as object), type });
    const gmf = write('gmf-e', { model: model('gmf'), train: { ...(smoke.train as object), epochs: 1 } });
    const mlp = write('mlp-e', { model: model('mlp'), train: { ...(smoke.train as object), epochs: 1 } });
    const neumf = write('neumf-e', { pretrain: { gmf, mlp, alpha: 0.5 }, train: { ...(smoke.train as object), epochs: 1 } });
    const r = ncf(['train', '--config', neumf, '--set', 'engine=tfjs', '--set', 'tfjs.backend=cpu']);
    expect(r.status, r.stderr).toBe(0);
    const engines = r.stdout
      .split('\n')
      .filter((l) => / on ml-100k: /.test(l))
      .map((l) => /engine (\S+ on \S+)/.exec(l)?.[1]);
    expect(engines).toEqual(['tfjs on cpu', 'tfjs on cpu', 'tfjs on cpu']);
  });

  it('refuses a pre-trained model of another size in one line', () => {
    const gmf = write('gmf16', { model: { ...(smoke.model as object), type: 'gmf', factors: 16 }, train: { ...(smoke.train as object), epochs: 1 } });
    const mlp = join(dir, 'mlp.json');
    const neumf = write('neumf16', { pretrain: { gmf, mlp, alpha: 0.5 } });
    const r = ncf(['train', '--config', neumf]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('ncf: pre-trained GMF: model.factors is 16, NeuMF needs 4');
  });
});
