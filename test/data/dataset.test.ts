import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, resolveDataDir } from '../../src/data/dataset.js';

/** Two users, items 0..3 (item 3 only in user 1's training set). */
function ncfDir(negatives: string, dir = mkdtempSync(join(tmpdir(), 'ncf-files-'))): string {
  writeFileSync(join(dir, 'ml-1m.train.rating'), '0\t0\t5\t1\n0\t1\t4\t2\n1\t0\t3\t1\n1\t3\t3\t2\n');
  writeFileSync(join(dir, 'ml-1m.test.rating'), '0\t2\t5\t9\n1\t1\t4\t9\n');
  writeFileSync(join(dir, 'ml-1m.test.negative'), negatives);
  return dir;
}

describe("loadDataset (He et al.'s files)", () => {
  it('takes their ids, split and negatives as they are', async () => {
    const d = await loadDataset('ml-1m-ncf', ncfDir('(0,2)\t3\t1\n(1,1)\t2\t0\n'));
    expect(d.numUsers).toBe(2);
    expect(d.numItems).toBe(4);
    expect([...d.testItems]).toEqual([2, 1]);
    expect([...d.testNegatives!]).toEqual([3, 1, 2, 0]);
    expect([...d.train.items]).toEqual([0, 1, 0, 3]);
  });

  it('names their items through item-map.tsv and a sibling ml-1m/movies.dat, when both are there', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ncf-movies-'));
    const dir = join(root, 'ml-1m-ncf');
    mkdirSync(dir);
    ncfDir('(0,2)\t3\t1\n(1,1)\t2\t0\n', dir);
    writeFileSync(join(dir, 'item-map.tsv'), 'ncfItemId\tmovieId\n0\t1193\n1\t661\n2\t914\n3\t3408\n');
    expect((await loadDataset('ml-1m-ncf', dir)).movies).toBeNull(); // no movies.dat yet
    mkdirSync(join(root, 'ml-1m'));
    writeFileSync(
      join(root, 'ml-1m', 'movies.dat'),
      "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n914::My Fair Lady (1964)::Musical|Romance\n",
    );
    const d = await loadDataset('ml-1m-ncf', dir);
    expect(d.movies!.map((m) => m?.title)).toEqual([
      "One Flew Over the Cuckoo's Nest (1975)",
      'James and the Giant Peach (1996)',
      'My Fair Lady (1964)',
      undefined,
    ]);
    expect(d.movies![2]!.genres).toEqual(['Musical', 'Romance']);
  });

  it('rejects an evaluation negative outside the item range, naming file and line', async () => {
    await expect(loadDataset('ml-1m-ncf', ncfDir('(0,2)\t3\t1\n(1,1)\t2\t7\n'))).rejects.toThrow(
      /ml-1m\.test\.negative:2: item id 7 out of range \(the data has items 0\.\.3\)/,
    );
  });
});

describe('resolveDataDir', () => {
  it('prefers data.dir, then $NCF_DATA_DIR/<dataset>, then data/<dataset>', () => {
    expect(resolveDataDir('ml-100k', '/my/dir', { NCF_DATA_DIR: '/env' })).toBe('/my/dir');
    expect(resolveDataDir('ml-100k', null, { NCF_DATA_DIR: '/env' })).toBe('/env/ml-100k');
    expect(resolveDataDir('ml-100k', null, {})).toBe('data/ml-100k');
  });
});
