import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exploreStats, InteractionTally, NO_GENRE, type ExploreStats } from '../../src/data/explore.js';
import type { MovieInfo, RatingColumns } from '../../src/data/types.js';
import { exploreCharts } from '../../src/report/explore-charts.js';
import { loadDataset } from '../../src/data/dataset.js';
import { datasetTally, exploreDataset } from '../../src/data/explore-files.js';
import { runExplore } from '../../src/run/explore.js';
import { NcfError } from '../../src/util/errors.js';
import { Progress } from '../../src/util/progress.js';

function columns(rows: [user: number, item: number, rating: number][]): RatingColumns {
  return {
    length: rows.length,
    users: Int32Array.from(rows, (r) => r[0]),
    items: Int32Array.from(rows, (r) => r[1]),
    ratings: Float32Array.from(rows, (r) => r[2]),
    timestamps: new Uint32Array(rows.length),
  };
}

// Items 10 and 20 have 3 interactions, 30 and 40 one each; 40 comes first in the file but loses
// the tie to 30 (lower id). Users: 1 has 4, users 2 and 3 have 2.
const ROWS: [number, number, number][] = [
  [1, 40, 1],
  [1, 20, 3],
  [1, 10, 5],
  [1, 30, 4],
  [2, 10, 4],
  [2, 20, 2],
  [3, 10, 3],
  [3, 20, 5],
];
const movie = (movieId: number, title: string, genres: string[]): [number, MovieInfo] => [movieId, { movieId, title, genres }];
// 30 lists no genres; 40 has no metadata; 50 has metadata but no interactions.
const MOVIES = new Map([movie(10, 'Ten', ['Drama', 'Comedy']), movie(20, 'Twenty', ['Drama']), movie(30, 'Thirty', []), movie(50, 'Fifty', ['Horror'])]);

function tallyOf(rows: [number, number, number][], explicit = true): InteractionTally {
  const t = new InteractionTally(explicit);
  t.add(columns(rows));
  return t;
}

describe('exploreStats on a hand-computable fixture', () => {
  const s = exploreStats(tallyOf(ROWS), { dataset: 'tiny', movies: MOVIES });

  it('counts users, items, interactions and density', () => {
    expect([s.users, s.items, s.interactions]).toEqual([3, 4, 8]);
    expect(s.density).toBeCloseTo(8 / 12, 12);
  });

  it('summarises interactions per user and per item, with log2 bins', () => {
    expect(s.perUser).toEqual({
      min: 2,
      median: 2,
      mean: 8 / 3,
      max: 4,
      histogram: [
        { from: 2, to: 3, count: 2 },
        { from: 4, to: 7, count: 1 },
      ],
    });
    expect(s.perItem).toEqual({
      min: 1,
      median: 2,
      mean: 2,
      max: 3, // median of 1,1,3,3 is the mean of the middle two
      histogram: [
        { from: 1, to: 1, count: 2 },
        { from: 2, to: 3, count: 2 },
      ],
    });
  });

  it('gives the share held by the top 10% of items (⌈0.4⌉ = 1 item) and the popularity curve', () => {
    expect(s.topTenPercent).toEqual({ items: 1, interactionShare: 3 / 8 });
    expect(s.popularityCurve).toHaveLength(100);
    expect(s.popularityCurve[49]).toEqual({ itemShare: 0.5, interactionShare: 6 / 8 }); // top 2 items
    expect(s.popularityCurve[99]).toEqual({ itemShare: 1, interactionShare: 1 });
  });

  it('takes exactly 10% of the items when that is a whole number (30 items: 3, not ⌈3.0000000000000004⌉)', () => {
    const rows = Array.from({ length: 30 }, (_, i): [number, number, number] => [1, i, 1]);
    const flat = exploreStats(tallyOf(rows), { dataset: 'flat', movies: null });
    expect(flat.topTenPercent).toEqual({ items: 3, interactionShare: 3 / 30 });
    expect(flat.popularityCurve[6]).toEqual({ itemShare: 0.07, interactionShare: 3 / 30 }); // ⌈2.1⌉ = 3 items
  });

  it('counts movies, interactions and mean rating per genre; a movie counts in each of its genres', () => {
    expect(s.genres).toEqual([
      { genre: 'Drama', movies: 2, interactions: 6, meanRating: (5 + 4 + 3 + 3 + 2 + 5) / 6 },
      { genre: 'Comedy', movies: 1, interactions: 3, meanRating: 4 },
      { genre: NO_GENRE, movies: 1, interactions: 1, meanRating: 4 },
    ]);
    expect(s.itemsWithoutMetadata).toBe(1);
  });

  it('orders the most-rated movies by count, ties by lower item id, titles from the metadata', () => {
    expect(s.topMovies.map((m) => [m.title, m.interactions])).toEqual([
      ['Ten', 3],
      ['Twenty', 3],
      ['Thirty', 1],
      ['item 40', 1],
    ]);
    expect(s.topMovies[0].meanRating).toBe(4);
    expect(s.topMovies[1].meanRating).toBeCloseTo(10 / 3, 12);
  });

  it('gives the overall mean and the count of each rating value', () => {
    expect(s.meanRating).toBe(27 / 8);
    expect(s.ratingValues).toEqual([
      { rating: 1, count: 1 },
      { rating: 2, count: 1 },
      { rating: 3, count: 2 },
      { rating: 4, count: 2 },
      { rating: 5, count: 2 },
    ]);
  });

  it('gives the same stats whether the rows come in one chunk or several', () => {
    const chunked = new InteractionTally(true);
    chunked.add(columns(ROWS.slice(0, 3)));
    chunked.add(columns(ROWS.slice(3)));
    expect(exploreStats(chunked, { dataset: 'tiny', movies: MOVIES })).toEqual(s);
  });

  it('has no rating figures for implicit data and no genre figures without metadata', () => {
    const implicit = exploreStats(tallyOf(ROWS, false), { dataset: 'tiny', movies: null });
    expect(implicit.meanRating).toBeNull();
    expect(implicit.ratingValues).toBeNull();
    expect(implicit.genres).toBeNull();
    expect(implicit.topMovies.every((m) => m.meanRating === null)).toBe(true);
    expect(implicit.topMovies[0].title).toBe('item 10');
  });
});

const marks = (svg: string, role: string): number => svg.split(`aria-roledescription="${role}"`).length - 1;

describe('exploreCharts', () => {
  it('draws one bar or point per datum', async () => {
    const s = exploreStats(tallyOf(ROWS), { dataset: 'tiny', movies: MOVIES });
    const charts = new Map((await exploreCharts(s)).map((c) => [c.name, c.svg]));
    const bars: [string, number][] = [
      ['interactions-per-user', s.perUser.histogram.length],
      ['interactions-per-item', s.perItem.histogram.length],
      ['most-rated-movies', 4],
      ['movies-per-genre', 3],
      ['interactions-per-genre', 3],
      ['mean-rating-by-genre', 3],
      ['rating-values', 5],
    ];
    for (const [name, n] of bars) expect([name, marks(charts.get(name)!, 'bar')]).toEqual([name, n]);
    expect(marks(charts.get('item-popularity-curve')!, 'point')).toBe(100);
    expect(charts.get('most-rated-movies')).toContain('1. Ten');
  });

  it('leaves out the rating and genre charts where there is nothing to draw', async () => {
    const s = exploreStats(tallyOf(ROWS, false), { dataset: 'tiny', movies: null });
    expect((await exploreCharts(s)).map((c) => c.name).sort()).toEqual([
      'interactions-per-item',
      'interactions-per-user',
      'item-popularity-curve',
      'most-rated-movies',
    ]);
  });
});

describe('runExplore', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ncf-explore-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const quiet = new Progress(false);
  const reports = join(tmp, 'reports');

  function ml100k(dir: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'u.data'), ROWS.map(([u, i, r], k) => `${u}\t${i}\t${r}\t${880000000 + k}\n`).join(''));
    const flags = (genres: number[]): string => Array.from({ length: 19 }, (_, g) => (genres.includes(g) ? 1 : 0)).join('|');
    writeFileSync(
      join(dir, 'u.item'),
      [
        `10|Ten (1995)|01-Jan-1995||http://x/10|${flags([5, 8])}`, // Comedy, Drama
        `20|Twenty (1995)|01-Jan-1995||http://x/20|${flags([8])}`,
        `30|Thirty (1995)|01-Jan-1995||http://x/30|${flags([0])}`, // unknown
        `40|Forty (1995)|01-Jan-1995||http://x/40|${flags([1])}`, // Action
        '',
      ].join('\n'),
    );
  }

  it('writes explore.json, one SVG per chart and a report.html that holds them all', async () => {
    const dir = join(tmp, 'ml-100k');
    ml100k(dir);
    const r = await runExplore('ml-100k', dir, reports, quiet, new Date('2026-01-02T03:04:05Z'));
    expect(r.dir).toBe(join(reports, 'explore-ml-100k-20260102-030405'));
    expect(r.summary).toMatch(/^ml-100k: 3 users, 4 items, 8 ratings \(density 66\.667%\).*most rated: Ten \(1995\) \(3\)$/);
    const json = JSON.parse(readFileSync(join(r.dir, 'explore.json'), 'utf8')) as ExploreStats;
    expect(json.genres!.map((g) => [g.genre, g.interactions])).toEqual([
      ['Drama', 6],
      ['Comedy', 3],
      ['Action', 1],
      ['unknown', 1],
    ]);
    const svgs = readdirSync(join(r.dir, 'charts'));
    expect(svgs).toHaveLength(8);
    const html = readFileSync(join(r.dir, 'report.html'), 'utf8');
    for (const f of svgs) expect(html).toContain(`id="chart-${f.replace(/\.svg$/, '')}"`);
    expect(html.split('<svg').length - 1).toBe(8);
    expect(html).not.toMatch(/<script|src="http/);
  });

  it('reads ml-1m-ncf as implicit, with titles from a sibling ml-1m/movies.dat through item-map.tsv', async () => {
    const dir = join(tmp, 'ncf', 'ml-1m-ncf');
    mkdirSync(dir, { recursive: true });
    // users 0..2, NCF items 0..2; item 1 is the most popular
    writeFileSync(join(dir, 'ml-1m.train.rating'), '0\t0\t1\t0\n0\t1\t1\t0\n1\t1\t1\t0\n2\t2\t1\t0\n');
    writeFileSync(join(dir, 'ml-1m.test.rating'), '0\t2\t5\t978300760\n1\t0\t3\t978300761\n2\t1\t4\t978300762\n');
    writeFileSync(join(dir, 'ml-1m.test.negative'), '(0,2)\t0\n(1,0)\t2\n(2,1)\t0\n');
    writeFileSync(join(dir, 'item-map.tsv'), 'ncfItemId\tmovieId\n0\t1193\n1\t661\n2\t914\n');
    const bare = await runExplore('ml-1m-ncf', dir, reports, quiet);
    expect(bare.stats.explicit).toBe(false);
    expect(bare.stats.genres).toBeNull();
    expect(bare.stats.notes.join(' ')).toMatch(/movies\.dat not found/);
    expect(bare.summary).toMatch(/3 users, 3 items, 7 interactions .*most popular: item 1 \(3\)$/);

    mkdirSync(join(tmp, 'ncf', 'ml-1m'));
    writeFileSync(
      join(tmp, 'ncf', 'ml-1m', 'movies.dat'),
      "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n914::My Fair Lady (1964)::Musical|Romance\n",
    );
    const r = await runExplore('ml-1m-ncf', dir, reports, quiet);
    expect(r.summary).toMatch(/most popular: James and the Giant Peach \(1996\) \(3\)$/);
    expect(r.stats.genres!.find((g) => g.genre === 'Musical')).toEqual({ genre: 'Musical', movies: 2, interactions: 5, meanRating: null });
    expect(existsSync(join(r.dir, 'charts', 'mean-rating-by-genre.svg'))).toBe(false);
  });

  // Uses the two dataset folders the tests above wrote.
  it('gives the same statistics from a tally loadDataset filled as from reading the files again', async () => {
    for (const [dataset, dir] of [
      ['ml-100k', join(tmp, 'ml-100k')],
      ['ml-1m-ncf', join(tmp, 'ncf', 'ml-1m-ncf')],
    ] as const) {
      const tally = datasetTally(dataset);
      const split = await loadDataset(dataset, dir, undefined, tally);
      expect(tally.interactions).toBe(dataset === 'ml-100k' ? ROWS.length : 7);
      expect(split.train.items.length).toBe(tally.interactions - split.numUsers); // one held-out item per user
      expect(await exploreDataset(dataset, dir, quiet, tally)).toEqual(await exploreDataset(dataset, dir, quiet));
    }
  });

  it('fails with one line naming the missing file and the fix', async () => {
    const err = await runExplore('ml-100k', join(tmp, 'nowhere'), reports, quiet).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NcfError);
    expect((err as Error).message).toBe(
      `${join(tmp, 'nowhere', 'u.data')} not found — run 'ncf data download ml-100k', or point --data-dir / --set data.dir=<folder> at a copy`,
    );
  });
});

const root = process.env.NCF_DATA_DIR;
describe.skipIf(!root || !existsSync(join(root, 'ml-100k')))('runExplore on the real ml-100k', () => {
  it('finds 943 users, 1,682 movies, 100,000 ratings and Star Wars (1977) most rated with 583', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'ncf-explore-real-'));
    try {
      const { stats: s } = await runExplore('ml-100k', join(root!, 'ml-100k'), reports, new Progress(false));
      expect([s.users, s.items, s.interactions]).toEqual([943, 1682, 100000]);
      expect(s.topMovies[0]).toMatchObject({ title: 'Star Wars (1977)', interactions: 583 });
      expect(s.perUser.min).toBe(20); // every ML-100K user has at least 20 ratings
      expect(s.genres!.reduce((n, g) => n + g.movies, 0)).toBeGreaterThan(1682); // multi-genre movies count in each
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  });
});
