import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMovies, readRatings } from '../../src/data/readers/index.js';
import { generate } from '../../tools/generate-ratings.js';

const dir = mkdtempSync(join(tmpdir(), 'ncf-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generate-ratings (small scale)', () => {
  const opts = { rows: 30_000, users: 300, items: 2_000, seed: 7 };

  it('writes a readable ML-32M-like ratings.csv and movies.csv', async () => {
    await generate({ ...opts, out: join(dir, 'a') });
    const r = await readRatings(join(dir, 'a', 'ratings.csv'), 'csv');
    expect(r.length).toBe(opts.rows);
    const perUser = new Map<number, Set<number>>();
    const problems: string[] = [];
    for (let k = 0; k < r.length; k++) {
      const [u, i, rating, t] = [r.users[k], r.items[k], r.ratings[k], r.timestamps[k]];
      const s = perUser.get(u) ?? new Set<number>();
      if (s.has(i)) problems.push(`row ${k}: repeated (user, movie)`);
      s.add(i);
      perUser.set(u, s);
      if (rating * 2 !== Math.round(rating * 2) || rating < 0.5 || rating > 5) problems.push(`row ${k}: rating ${rating}`);
      if (t < 789652009 || t > 1697164000) problems.push(`row ${k}: timestamp ${t}`);
      if (k > 0 && u === r.users[k - 1] && i <= r.items[k - 1]) problems.push(`row ${k}: not ordered by movieId`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect([...perUser.keys()]).toEqual(Array.from({ length: opts.users }, (_, u) => u + 1));
    const counts = [...perUser.values()].map((s) => s.size);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...counts)).toBeGreaterThan(3 * (opts.rows / opts.users)); // skewed
    const movies = await readMovies(join(dir, 'a', 'movies.csv'), 'csv');
    expect(movies.size).toBe(opts.items);
    expect(Array.from(r.items.subarray(0, r.length)).every((i) => movies.has(i))).toBe(true);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    await generate({ ...opts, out: join(dir, 'b') });
    await generate({ ...opts, seed: 8, out: join(dir, 'c') });
    const a = readFileSync(join(dir, 'a', 'ratings.csv'));
    expect(readFileSync(join(dir, 'b', 'ratings.csv')).equals(a)).toBe(true);
    expect(readFileSync(join(dir, 'c', 'ratings.csv')).equals(a)).toBe(false);
  });
});
