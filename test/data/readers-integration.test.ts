import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMovies, readNcfFiles, readRatings } from '../../src/data/readers/index.js';

/** Real MovieLens files; e.g. NCF_DATA_DIR=/work/shared/data npx vitest run test/data/readers */
const DATA = process.env.NCF_DATA_DIR;

function distinct(a: Int32Array, length: number): number {
  return new Set(a.subarray(0, length)).size;
}

describe.skipIf(DATA === undefined)('readers on real MovieLens data (NCF_DATA_DIR)', () => {
  const data = DATA ?? '';

  it('ml-100k/u.data: 100,000 ratings, 943 users, 1,682 items', async () => {
    const r = await readRatings(join(data, 'ml-100k', 'u.data'), 'ml-100k');
    expect(r.length).toBe(100_000);
    expect(distinct(r.users, r.length)).toBe(943);
    expect(distinct(r.items, r.length)).toBe(1_682);
    expect([r.users[0], r.items[0], r.ratings[0], r.timestamps[0]]).toEqual([196, 242, 3, 881250949]);
  });

  it('ml-1m-ncf: 994,169 train rows, 6,040 test rows, 99 negatives each', async () => {
    const f = await readNcfFiles(join(data, 'ml-1m-ncf'));
    expect(f.train.length).toBe(994_169);
    expect(f.test.length).toBe(6_040);
    expect(f.negativesPerUser).toBe(99);
    expect(f.negatives.length).toBe(6_040 * 99);
    expect(distinct(f.test.users, f.test.length)).toBe(6_040);
  });

  it('ml-1m/movies.dat: 3,883 movies', async () => {
    const m = await readMovies(join(data, 'ml-1m', 'movies.dat'), 'dat');
    expect(m.size).toBe(3_883);
    expect(m.get(1)).toEqual({ movieId: 1, title: 'Toy Story (1995)', genres: ['Animation', "Children's", 'Comedy'] });
  });
});

describe.skipIf(DATA !== undefined)('readers on real MovieLens data', () => {
  it.skip('skipped: set NCF_DATA_DIR to a folder with ml-100k/, ml-1m/ and ml-1m-ncf/ to run', () => {});
});
