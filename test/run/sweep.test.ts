/** ncf sweep on the smoke fixture: every (model, factors) run, its best epoch in the table, one report. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadModel } from '../../src/artifacts/model-file.js';
import { runSweep, tower } from '../../src/run/sweep.js';
import type { ModelMeta } from '../../src/artifacts/meta.js';
import { bestEpoch } from '../../src/core/records.js';
import { Progress } from '../../src/util/progress.js';
import { ROOT } from '../helpers/cli.js';

const out = mkdtempSync(join(tmpdir(), 'ncf-sweep-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('runSweep', () => {
  it("the paper's tower per predictive factors", () => {
    expect(tower(8)).toEqual([64, 32, 16, 8]);
    expect(tower(64)).toEqual([512, 256, 128, 64]);
  });

  it("trains each model at each size and tables each run's best epoch, as its model file records it", async () => {
    const base = loadConfig(join(ROOT, 'configs/smoke.json'), [
      'train.epochs=2',
      `output.models=${JSON.stringify(join(out, 'm'))}`,
      `output.reports=${JSON.stringify(join(out, 'r'))}`,
      `data.dir=${JSON.stringify(join(ROOT, 'test/fixtures/ml-100k-tiny'))}`,
    ]);
    const r = await runSweep(base, ['gmf', 'mlp'], [2, 4], { resume: false, log: () => {}, progress: new Progress(false), stopRequested: () => false });
    expect(r.rows.map((x) => `${x.model}-${x.factors}`)).toEqual(['gmf-2', 'mlp-2', 'gmf-4', 'mlp-4']);
    for (const row of r.rows) {
      const f = loadModel<ModelMeta>(join(out, 'm', `smoke-${row.model}-${row.factors}.ncf`));
      expect(f.shape).toMatchObject({ type: row.model, factors: row.factors, layers: tower(row.factors) });
      const best = bestEpoch(f.meta.history)!;
      expect(row.best).toEqual({ epoch: best.epoch, hr: best.sampled.hr, ndcg: best.sampled.ndcg });
      expect(row.full!.hr).toBe(f.meta.history[1].full!.hr);
      expect(r.table).toContain(best.sampled.hr.toFixed(4));
    }
    expect(JSON.parse(readFileSync(join(r.dir, 'sweep.json'), 'utf8')).rows).toHaveLength(4);
    expect(existsSync(join(r.dir, 'report.html'))).toBe(true);
  }, 60_000);

  it("sweeps MF's dimension with the base config's training settings", async () => {
    const base = loadConfig(join(ROOT, 'configs/smoke.json'), [
      'name=mfsweep',
      'train.epochs=1',
      'train.l2=0.01',
      'model.embeddingStd=0.1',
      `output.models=${JSON.stringify(join(out, 'm'))}`,
      `output.reports=${JSON.stringify(join(out, 'r'))}`,
      `data.dir=${JSON.stringify(join(ROOT, 'test/fixtures/ml-100k-tiny'))}`,
    ]);
    const r = await runSweep(base, ['mf'], [3, 6], { resume: false, log: () => {}, progress: new Progress(false), stopRequested: () => false });
    expect(r.rows.map((x) => `${x.model}-${x.factors}`)).toEqual(['mf-3', 'mf-6']);
    const f = loadModel<ModelMeta>(join(out, 'm', 'mfsweep-mf-6.ncf'));
    expect(f.shape).toMatchObject({ type: 'mf', factors: 6 });
    expect(f.weights.get('mf_user')!.length).toBe(f.shape.numUsers * 6);
    expect(f.meta.config.train.l2).toBe(0.01);
  }, 60_000);
});
