/**
 * train.patience: training stops once that many epochs in a row bring no better sampled HR@K,
 * the last epoch then gets the final full ranking, and the best epoch is the one before the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../src/artifacts/meta.js';
import { loadModel } from '../../src/artifacts/model-file.js';
import { trainSmoke } from '../helpers/cli.js';

describe('train.patience', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ncf-patience-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const train = (name: string, ...sets: string[]) => trainSmoke(dir, name, ['train.epochs=30', ...sets]);

  it('stops after that many epochs without a better sampled HR, and the last epoch gets the final full ranking', () => {
    const all = train('all');
    expect(all.status, all.stderr).toBe(0);
    const every = loadModel<ModelMeta>(join(dir, 'all.ncf')).meta.history;
    expect(every).toHaveLength(30);
    // Where patience 2 must stop: the first epoch two epochs after the best so far.
    let best = 0;
    let stop = 30;
    for (let e = 0; e < 30; e++) {
      if (every[e].sampled.hr > every[best].sampled.hr) best = e;
      if (e - best >= 2) {
        stop = e + 1;
        break;
      }
    }
    expect(stop).toBeLessThan(30);

    const early = train('early', 'train.patience=2');
    expect(early.status, early.stderr).toBe(0);
    expect(early.stdout).toContain(`stopped early after epoch ${stop}: 2 epochs in a row brought no better sampled HR@10 (train.patience)`);
    const history = loadModel<ModelMeta>(join(dir, 'early.ncf')).meta.history;
    expect(history.map((r) => r.sampled.hr)).toEqual(every.slice(0, stop).map((r) => r.sampled.hr));
    expect(history.at(-1)!.full).not.toBeNull();
    expect(history.slice(0, -1).every((r) => r.full === null)).toBe(true);
  }, 120_000);
});
