import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/dataset.js';
import { assertNoLeak } from '../../src/data/split.js';
import { ncf } from '../helpers/cli.js';

const root = process.env.NCF_DATA_DIR;
const has = (d: string): boolean => Boolean(root && existsSync(join(root, d)));
if (!root) console.log('real-data integration tests skipped: set NCF_DATA_DIR (e.g. ../shared/data) to run them');

describe.skipIf(!has('ml-1m-ncf'))('ml-1m-ncf (He et al. files)', () => {
  it("loads their split and negatives with the paper's counts", async () => {
    const d = await loadDataset('ml-1m-ncf', join(root!, 'ml-1m-ncf'));
    expect(d.numUsers).toBe(6040);
    expect(d.numItems).toBe(3706);
    expect(d.train.items.length).toBe(994169);
    expect(d.negativesPerUser).toBe(99);
    expect(d.testItems.every((i) => i >= 0)).toBe(true);
    // User 0's test item is 25 and its first negatives are 1064, 174 (first line of the file).
    expect(d.testItems[0]).toBe(25);
    expect([...d.testNegatives!.subarray(0, 2)]).toEqual([1064, 174]);
    assertNoLeak(d);
  });
});

describe.skipIf(!has('ml-100k'))('ml-100k from its raw files', () => {
  it('splits by timestamp and trains end to end above chance', () => {
    const r = ncf([
      'train',
      '--config',
      'configs/ml-100k.json',
      '--set',
      'train.epochs=2',
      '--set',
      'eval.fullRanking="never"',
      '--set',
      'output.models=.tmp/test-models',
      '--set',
      'output.reports=.tmp/test-reports',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/943 users, 1,682 items, 99,057 training positives/);
    const hr = Number(/epoch 2\/2 .*HR@10 (\S+)/.exec(r.stdout)![1]);
    // Chance is 10/100; a popularity-level model is ~0.4 on ML-100K.
    expect(hr).toBeGreaterThan(0.3);
  });
});
