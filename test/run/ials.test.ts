/**
 * ncf train with model.type ials: alternating least squares through the CLI. Each epoch's exact
 * sweeps may only lower the iALS loss, the saved model scores as its last epoch did, the tfjs
 * engine trains it to the scratch engine's figures, and what cannot fit it (the fused kernels) or a
 * bad setting is refused in one line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../src/artifacts/meta.js';
import { loadModel } from '../../src/artifacts/model-file.js';
import { backendUnavailable } from '../helpers/backend-probe.js';
import { ncf, trainSmoke } from '../helpers/cli.js';

describe('ncf train with iALS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ncf-ials-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const train = (name: string, ...sets: string[]) => trainSmoke(dir, name, ['model.type=ials', 'model.factors=8', 'train.epochs=6', ...sets]);
  const stderrLines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

  it('with Cholesky every epoch lowers the loss, and ncf eval of the saved model gives its last epoch’s figures', () => {
    const r = train('chol', 'ials.solver=cholesky');
    expect(r.status, r.stderr).toBe(0);
    const history = loadModel<ModelMeta>(join(dir, 'chol.ncf')).meta.history;
    expect(history).toHaveLength(6);
    for (let e = 1; e < history.length; e++) expect(history[e].loss).toBeLessThanOrEqual(history[e - 1].loss * (1 + 1e-6));
    expect(history[5].loss).toBeLessThan(history[0].loss * 0.95);
    const last = history[5];
    const ev = ncf(['eval', '--model', join(dir, 'chol.ncf')]);
    expect(ev.status, ev.stderr).toBe(0);
    expect(ev.stdout).toContain(`HR@10 ${last.sampled.hr.toFixed(4)}  NDCG@10 ${last.sampled.ndcg.toFixed(4)}`);
    expect(ev.stdout).toContain(`HR@10 ${last.full!.hr.toFixed(4)}  NDCG@10 ${last.full!.ndcg.toFixed(4)}`);
  }, 60_000);

  it('the same seed gives the same model, on 1 thread or 2', () => {
    const a = train('cg1', 'scratch.threads=1');
    const b = train('cg2', 'scratch.threads=2');
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const wa = loadModel<ModelMeta>(join(dir, 'cg1.ncf'));
    const wb = loadModel<ModelMeta>(join(dir, 'cg2.ncf'));
    expect(wa.meta.history.map((h) => h.loss)).toEqual(wb.meta.history.map((h) => h.loss));
    expect([...wa.weights.keys()].sort()).toEqual([...wb.weights.keys()].sort());
    for (const [k, w] of wa.weights) expect(Array.from(w)).toEqual(Array.from(wb.weights.get(k)!));
  }, 60_000);

  it('--resume after 3 epochs gives the weights of 6 epochs in one run', () => {
    const whole = train('whole');
    const part = train('part', 'train.epochs=3');
    expect(whole.status, whole.stderr).toBe(0);
    expect(part.status, part.stderr).toBe(0);
    const resumed = ncf([
      'train',
      '--config',
      'configs/smoke.json',
      '--resume',
      ...['model.type=ials', 'model.factors=8', 'train.epochs=6', 'name=part', `output.models=${dir}`, `output.reports=${dir}`].flatMap((s) => ['--set', s]),
    ]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('after epoch 3');
    const a = loadModel<ModelMeta>(join(dir, 'whole.ncf'));
    const b = loadModel<ModelMeta>(join(dir, 'part.ncf'));
    expect(b.epoch).toBe(6);
    for (const [k, w] of a.weights) expect(Array.from(b.weights.get(k)!)).toEqual(Array.from(w));
  }, 60_000);

  it('--resume with other ials settings or another split is refused in one line', () => {
    const part = train('other', 'train.epochs=2');
    expect(part.status, part.stderr).toBe(0);
    for (const [set, message] of [
      ['ials.regularization=0.5', /^ncf: --resume: ials is \{.*"regularization":0\.5.*\} but .*other\.ncf was trained with \{.*\}$/],
      ['ials.popularityExp=0.5', /^ncf: --resume: ials is \{.*"popularityExp":0\.5.*\} but .*other\.ncf was trained with \{.*"popularityExp":0[,}].*$/],
      ['data.split=validation', /^ncf: --resume: data\.split is "validation" but .*other\.ncf was trained with "test"$/],
    ] as const) {
      const sets = ['model.type=ials', 'model.factors=8', 'train.epochs=4', 'name=other', `output.models=${dir}`, `output.reports=${dir}`, set];
      const r = ncf(['train', '--config', 'configs/smoke.json', '--resume', ...sets.flatMap((s) => ['--set', s])]);
      expect(r.status).not.toBe(0);
      const lines = stderrLines(r.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    }
  }, 60_000);

  it('trains on the tfjs engine (its batched CG) to the scratch engine’s losses and figures', () => {
    const a = train('tfjs', 'engine=tfjs', 'tfjs.backend=cpu');
    const b = train('scratch');
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const [ha, hb] = [loadModel<ModelMeta>(join(dir, 'tfjs.ncf')).meta.history, loadModel<ModelMeta>(join(dir, 'scratch.ncf')).meta.history];
    expect(ha).toHaveLength(6);
    for (let e = 0; e < 6; e++) {
      expect(Math.abs(ha[e].loss - hb[e].loss) / hb[e].loss).toBeLessThan(1e-4);
      expect(Math.abs(ha[e].sampled.hr - hb[e].sampled.hr)).toBeLessThanOrEqual(0.02);
    }
  }, 60_000);

  it.skipIf(backendUnavailable('webgpu') !== null)(
    'refuses the fused WebGPU kernels, which take gradient steps, in one line',
    () => {
      const r = train('fused', 'engine=tfjs', 'tfjs.backend=webgpu', 'tfjs.kernels=fused');
      expect(r.status).not.toBe(0);
      const lines = stderrLines(r.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^ncf: model ials is fitted by alternating least squares, which the tfjs on webgpu, fused kernels .* engine does not do: use engine scratch, or tfjs with tfjs\.kernels graph$/,
      );
    },
    60_000,
  );

  it('refuses an unknown solver and a negative λ in one line each', () => {
    for (const [set, message] of [
      ['ials.solver=lu', /^ncf: invalid config: ials\.solver: /],
      ['ials.regularization=-1', /^ncf: invalid config: ials\.regularization: /],
    ] as const) {
      const r = train('bad', set);
      expect(r.status).not.toBe(0);
      const lines = stderrLines(r.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    }
  }, 60_000);
});
