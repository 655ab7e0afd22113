/**
 * ncf leaderboard on the tiny fixture: ItemPop, MF, BPR-MF and GMF trained for real, then read
 * back from their report folders into one table whose figures are the runs' own.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { runItemPop } from '../../src/run/eval.js';
import { collectRows, modelLabel, runLeaderboard } from '../../src/run/leaderboard.js';
import { runTrain } from '../../src/run/train.js';
import { bestEpoch } from '../../src/core/records.js';
import { Progress } from '../../src/util/progress.js';
import { ROOT } from '../helpers/cli.js';

const out = mkdtempSync(join(tmpdir(), 'ncf-leaderboard-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const reports = join(out, 'r');
const quiet = { resume: false, log: (): void => {}, progress: new Progress(false), stopRequested: (): boolean => false };

function config(name: string, sets: string[]) {
  return loadConfig(join(ROOT, 'configs/smoke.json'), [
    `name=${name}`,
    'train.epochs=2',
    'eval.fullRanking=every',
    `output.models=${JSON.stringify(join(out, 'm'))}`,
    `output.reports=${JSON.stringify(reports)}`,
    `data.dir=${JSON.stringify(join(ROOT, 'test/fixtures/ml-100k-tiny'))}`,
    ...sets,
  ]);
}

describe('modelLabel', () => {
  it('names models as the papers do', () => {
    expect(modelLabel('mf', 'bce', false)).toBe('MF');
    expect(modelLabel('mf', 'bpr', false)).toBe('BPR-MF');
    expect(modelLabel('neumf', 'bce', true)).toBe('NeuMF (pre-trained)');
    expect(modelLabel('mlp', undefined, false)).toBe('MLP');
  });
});

describe('runLeaderboard', () => {
  const trained = new Map<string, Awaited<ReturnType<typeof runTrain>>['history']>();

  it('tables every run and ItemPop with their own best-epoch and full-ranking figures, best HR first', async () => {
    const mf = await runTrain(config('t-mf', ['model.type=mf', 'model.embeddingStd=0.1', 'train.l2=0.005', 'train.optimizer=sgd', 'train.lr=0.05']), quiet);
    const bpr = await runTrain(config('t-bpr', ['model.type=mf', 'train.loss=bpr', 'train.batchSize=64']), quiet);
    // GMF trained twice: the second (newest) folder stands for the run.
    await runTrain(config('t-gmf', ['model.type=gmf', 'train.epochs=1']), quiet);
    await new Promise((r) => setTimeout(r, 1100)); // report folders are stamped to the second
    const gmf = await runTrain(config('t-gmf', ['model.type=gmf']), quiet);
    const pop = await runItemPop(config('t-pop', []), new Progress(false));

    trained.set('t-mf', mf.history).set('t-bpr', bpr.history).set('t-gmf', gmf.history);
    const r = runLeaderboard([reports], join(out, 'lb'));
    expect(r.rows.map((x) => x.run).sort()).toEqual(['itempop', 't-bpr', 't-gmf', 't-mf']);
    const hrs = r.rows.map((x) => x.sampled.hr);
    expect(hrs).toEqual([...hrs].sort((a, b) => b - a));
    for (const [run, res, label] of [
      ['t-mf', mf, 'MF'],
      ['t-bpr', bpr, 'BPR-MF'],
      ['t-gmf', gmf, 'GMF'],
    ] as const) {
      const row = r.rows.find((x) => x.run === run)!;
      const best = bestEpoch(res.history)!;
      expect(row.model).toBe(label);
      expect(row.epochs).toBe(2);
      expect(row.sampled.epoch).toBe(best.epoch);
      expect(row.sampled.hr).toBeCloseTo(best.sampled.hr, 6);
      expect(row.sampled.ndcg).toBeCloseTo(best.sampled.ndcg, 6);
      expect(row.full!.hr).toBeCloseTo(res.history[1].full!.hr, 6);
      expect(row.full!.epoch).toBe(2);
    }
    expect(r.rows.find((x) => x.run === 't-mf')!.training).toBe('sgd lr 0.05, batch 64, 4 neg, L2 0.005');
    const popRow = r.rows.find((x) => x.run === 'itempop')!;
    expect(popRow.model).toBe('ItemPop');
    expect(popRow.sampled.hr).toBe(pop.metrics[0].hr);
    expect(popRow.full!.ndcg).toBe(pop.metrics[1].ndcg);
    expect(r.table).toContain(popRow.sampled.hr.toFixed(4));
    const saved = JSON.parse(readFileSync(join(r.dir, 'leaderboard.json'), 'utf8'));
    expect(saved.dataset).toBe('ml-100k');
    expect(saved.rows).toHaveLength(4);
    expect(readFileSync(join(r.dir, 'report.html'), 'utf8')).toContain('BPR-MF');
  }, 120_000);

  it("with epoch 'last', shows each run's last epoch, not its best, and says so", () => {
    const r = runLeaderboard([reports], join(out, 'lb-last'), new Date(), 'test', 'last');
    let differs = 0;
    for (const [run, history] of trained) {
      const row = r.rows.find((x) => x.run === run)!;
      const last = history[history.length - 1];
      expect(row.sampled.epoch).toBe(last.epoch);
      expect(row.sampled.hr).toBeCloseTo(last.sampled.hr, 6);
      expect(row.sampled.ndcg).toBeCloseTo(last.sampled.ndcg, 6);
      if (bestEpoch(history)!.epoch !== last.epoch) differs++;
    }
    expect(differs).toBeGreaterThan(0); // some run's best is not its last, so the pick shows
    expect(r.table.split('\n')[0]).toMatch(/ epoch /);
    expect(r.table.split('\n')[0]).not.toContain('best epoch');
    expect(readFileSync(join(r.dir, 'summary.md'), 'utf8')).toContain("at each run's last epoch");
    expect(JSON.parse(readFileSync(join(r.dir, 'leaderboard.json'), 'utf8')).epoch).toBe('last');
  });

  it('tables one split at a time: an iALS run on the validation split is left out of the test table and counted', async () => {
    const split = join(out, 'split');
    cpSync(reports, split, { recursive: true });
    const ials = await runTrain(
      config('t-ials-val', ['model.type=ials', 'data.split=validation', 'ials.solver=cholesky', `output.reports=${JSON.stringify(split)}`]),
      quiet,
    );
    const test = collectRows([split]);
    expect(test.rows.map((x) => x.run).sort()).toEqual(['itempop', 't-bpr', 't-gmf', 't-mf']);
    expect(test.otherSplit).toBe(1);
    const val = collectRows([split], 'validation');
    expect(val.rows.map((x) => x.run)).toEqual(['t-ials-val']);
    expect(val.otherSplit).toBe(4);
    const row = val.rows[0];
    expect(row.model).toBe('iALS');
    expect(row.training).toBe('alternating least squares: α0 0.1, λ 0.003, ν 1, Cholesky per row');
    expect(row.sampled.hr).toBeCloseTo(bestEpoch(ials.history)!.sampled.hr, 6);
    const onlyVal = join(out, 'only-val');
    cpSync(row.dir, onlyVal, { recursive: true });
    expect(() => collectRows([onlyVal])).toThrow(/none of those runs scored the test split \(1 scored the other\): pass --split validation/);
  }, 60_000);

  it('refuses runs from different datasets, and folders that hold no report', () => {
    const other = join(out, 'other');
    cpSync(reports, other, { recursive: true });
    const gmfDir = collectRows([other]).rows.find((x) => x.run === 't-gmf')!.dir;
    const cfgFile = join(gmfDir, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    cfg.data.dataset = 'ml-1m-ncf';
    writeFileSync(cfgFile, JSON.stringify(cfg));
    expect(() => collectRows([other])).toThrow(/different datasets \(.*ml-1m-ncf.*\)/);
    expect(() => collectRows([join(out, 'm')])).toThrow(/neither a report folder nor a folder of them/);
    expect(() => collectRows([join(out, 'nope')])).toThrow(/no such folder/);
    const baseline = readdirSync(reports).find((d) => d.startsWith('itempop-'))!;
    const broken = join(out, 'broken');
    cpSync(join(reports, baseline), broken, { recursive: true });
    writeFileSync(join(broken, 'baseline.json'), '{ nope');
    expect(() => collectRows([broken])).toThrow(/baseline\.json: cannot read it as JSON/);
  });
});
