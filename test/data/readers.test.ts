import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readMovies, readNcfFiles, readRatings } from '../../src/data/readers/index.js';
import type { RatingColumns } from '../../src/data/types.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/readers/', import.meta.url));

/** The valid rows of a RatingColumns as plain arrays. */
function rows(r: RatingColumns): { users: number[]; items: number[]; ratings: number[]; timestamps: number[] } {
  return {
    users: Array.from(r.users.subarray(0, r.length)),
    items: Array.from(r.items.subarray(0, r.length)),
    ratings: Array.from(r.ratings.subarray(0, r.length)),
    timestamps: Array.from(r.timestamps.subarray(0, r.length)),
  };
}

describe('readRatings: one fixture per layout', () => {
  it('ml-100k u.data (tab-separated)', async () => {
    const r = await readRatings(`${FIXTURES}ml-100k/u.data`, 'ml-100k');
    expect(r.length).toBe(3);
    expect(rows(r)).toEqual({
      users: [196, 186, 22],
      items: [242, 302, 377],
      ratings: [3, 3, 1],
      timestamps: [881250949, 891717742, 878887116],
    });
  });

  it('dat ratings.dat ("::", CRLF line endings)', async () => {
    const r = await readRatings(`${FIXTURES}ml-1m/ratings.dat`, 'dat');
    expect(rows(r)).toEqual({
      users: [1, 1, 2],
      items: [1193, 661, 1357],
      ratings: [5, 3, 5],
      timestamps: [978300760, 978302109, 978298709],
    });
  });

  it('csv ratings.csv (header, decimal ratings, blank lines at the end, large ids)', async () => {
    const r = await readRatings(`${FIXTURES}csv/ratings.csv`, 'csv');
    expect(rows(r)).toEqual({
      users: [1, 1, 2, 200948],
      items: [17, 25, 31, 292757],
      ratings: [4, 1, 3.5, 0.5],
      timestamps: [944249077, 944250228, 1141417201, 1697164000],
    });
  });

  it('ncf train.rating', async () => {
    const r = await readRatings(`${FIXTURES}ncf/tiny.train.rating`, 'ncf');
    expect(rows(r)).toEqual({
      users: [0, 0, 1, 1, 2],
      items: [0, 1, 0, 2, 1],
      ratings: [1, 1, 1, 1, 1],
      timestamps: [0, 0, 0, 0, 0],
    });
  });

  it('reports progress up to the file size', async () => {
    const calls: [number, number][] = [];
    await readRatings(`${FIXTURES}ml-100k/u.data`, 'ml-100k', (done, total) => calls.push([done, total]));
    expect(calls.length).toBeGreaterThan(0);
    const size = statSync(`${FIXTURES}ml-100k/u.data`).size;
    expect(calls.at(-1)).toEqual([size, size]);
  });
});

describe('readMovies', () => {
  it('ml-100k u.item: latin-1 title, genre flags named from u.genre', async () => {
    const m = await readMovies(`${FIXTURES}ml-100k/u.item`, 'ml-100k');
    expect([...m.keys()]).toEqual([1, 543, 267]);
    expect(m.get(1)).toEqual({ movieId: 1, title: 'Toy Story (1995)', genres: ['Animation', "Children's", 'Comedy'] });
    expect(m.get(543)).toEqual({ movieId: 543, title: 'Misérables, Les (1995)', genres: ['Drama', 'Musical'] });
    expect(m.get(267)).toEqual({ movieId: 267, title: 'unknown', genres: ['unknown'] });
  });

  it('dat movies.dat: latin-1 title, "|"-separated genres, no final newline', async () => {
    const m = await readMovies(`${FIXTURES}ml-1m/movies.dat`, 'dat');
    expect([...m.values()]).toEqual([
      { movieId: 1, title: 'Toy Story (1995)', genres: ['Animation', "Children's", 'Comedy'] },
      { movieId: 73, title: 'Misérables, Les (1995)', genres: ['Drama', 'Musical'] },
      { movieId: 3, title: 'Grumpier Old Men (1995)', genres: ['Comedy', 'Romance'] },
    ]);
  });

  it('csv movies.csv: quoted titles with commas and escaped quotes; "(no genres listed)" is []', async () => {
    const m = await readMovies(`${FIXTURES}csv/movies.csv`, 'csv');
    expect([...m.values()]).toEqual([
      { movieId: 1, title: 'Toy Story (1995)', genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'] },
      { movieId: 11, title: 'American President, The (1995)', genres: ['Comedy', 'Drama', 'Romance'] },
      { movieId: 1760, title: 'Spice World (a.k.a. "Spice Girls Movie, The") (1997)', genres: ['Comedy'] },
      { movieId: 292757, title: 'Untitled (2023)', genres: [] },
    ]);
  });
});

describe('readNcfFiles', () => {
  it('reads train, test and row-major negatives', async () => {
    const f = await readNcfFiles(`${FIXTURES}ncf`, 'tiny');
    expect(f.train.length).toBe(5);
    expect(rows(f.test)).toEqual({
      users: [0, 1, 2],
      items: [2, 1, 0],
      ratings: [5, 3, 4],
      timestamps: [978824351, 978300174, 978298504],
    });
    expect(f.negativesPerUser).toBe(3);
    expect(Array.from(f.negatives)).toEqual([3, 4, 5, 3, 5, 4, 5, 4, 3]);
  });
});
