/**
 * The recommender on a model trained on the smoke fixture (60 users, 80 movies): what the model,
 * fold-in and the popularity fallback answer, what they leave out, and one-line errors.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRecommender, type Recommender } from '../../src/recommend/recommender.js';
import { NcfError } from '../../src/util/errors.js';
import { loadModel } from '../../src/artifacts/model-file.js';
import type { ModelMeta } from '../../src/artifacts/meta.js';
import { ncf, ROOT } from '../helpers/cli.js';

const out = mkdtempSync(join(tmpdir(), 'ncf-recommend-'));
let rec: Recommender;

beforeAll(async () => {
  const r = ncf(['train', '--config', 'configs/smoke.json', '--set', `output.models=${out}`, '--set', `output.reports=${out}`]);
  expect(r.status, r.stderr).toBe(0);
  rec = await loadRecommender(join(out, 'smoke.ncf'), { dataDir: join(ROOT, 'test/fixtures/ml-100k-tiny'), minLikes: 3 });
}, 60_000);
afterAll(async () => {
  await rec?.close();
  rmSync(out, { recursive: true, force: true });
});

/** MovieLens ids of the movies a dense user trained on. */
const seenIds = (userId: number): Set<number> => {
  const u = userId - 1; // the fixture's UserIDs are 1..60, dense in order
  return new Set(Array.from(rec.trainingItems(u), (i) => i + 1)); // MovieIDs 1..80, dense in order
};

describe('forUser', () => {
  it("a known user: the model's top k, best first, none of the user's training movies", async () => {
    const r = await rec.forUser(7, 5);
    expect(r.mode).toBe('model');
    expect(r.items).toHaveLength(5);
    const seen = seenIds(7);
    for (const m of r.items) expect(seen.has(m.movieId)).toBe(false);
    for (let a = 1; a < r.items.length; a++) expect(r.items[a - 1].score).toBeGreaterThanOrEqual(r.items[a].score);
    expect(r.items[0].title).toMatch(/^Movie \d+ \(1995\)$/);
    // The scores are the model's logits for (user, movie).
    const logits = await rec.userScores(6);
    expect(r.items[0].score).toBeCloseTo(logits[r.items[0].movieId - 1], 4);
  });

  it('an unknown user: the most popular movies, flagged as popularity', async () => {
    const r = await rec.forUser(9999, 3);
    expect(r.mode).toBe('popularity');
    expect(r.reason).toContain('user 9999 is not in the training data');
    const byCount = Array.from(rec.popularity.keys()).sort((a, b) => rec.popularity[b] - rec.popularity[a] || a - b);
    expect(r.items.map((m) => m.movieId)).toEqual(byCount.slice(0, 3).map((i) => i + 1));
    expect(r.items.map((m) => m.score)).toEqual(byCount.slice(0, 3).map((i) => rec.popularity[i]));
  });

  it("--explain: the user's most recent training movies, newest first, from the ratings' timestamps", async () => {
    const r = await rec.forUser(7, 3, { explain: true });
    expect(r.recentBasis).toBe('newest');
    // From u.data: user 7's rows newest first (a later row first on a tie); the newest is the held-out one.
    const rows = readFileSync(join(ROOT, 'test/fixtures/ml-100k-tiny/u.data'), 'utf8')
      .trim()
      .split('\n')
      .map((line, row) => {
        const [u, i, , t] = line.split('\t').map(Number);
        return { u, i, t, row };
      })
      .filter((x) => x.u === 7)
      .sort((a, b) => b.t - a.t || b.row - a.row);
    const expected = [...new Set(rows.slice(1).map((x) => x.i))].slice(0, 10);
    expect(r.recent!.map((m) => m.movieId)).toEqual(expected);
  });

  it('k outside 1..100 is a one-line error', async () => {
    await expect(rec.forUser(7, 0)).rejects.toThrow(NcfError);
    await expect(rec.forUser(7, 101)).rejects.toThrow('k must be an integer from 1 to 100, got 101');
  });
});

describe('precomputed rankings (ncf serve)', () => {
  it('answer exactly what scoring on demand answers, for every user and k up to 100', async () => {
    const pre = await loadRecommender(join(out, 'smoke.ncf'), { dataDir: join(ROOT, 'test/fixtures/ml-100k-tiny'), minLikes: 3, precompute: true });
    try {
      for (let user = 1; user <= 60; user++) {
        for (const k of [1, 10, 100]) expect(await pre.forUser(user, k)).toEqual(await rec.forUser(user, k));
      }
    } finally {
      await pre.close();
    }
  });
});

describe('forLikes', () => {
  it('fewer likes than minLikes: popularity shaped by their genres, unknown ids reported, likes left out', async () => {
    const r = await rec.forLikes([1, 2, 99999], 80);
    expect(r.mode).toBe('popularity+genres');
    expect(r.likes).toEqual([1, 2]);
    expect(r.unknownLikes).toEqual([99999]);
    expect(r.items.map((m) => m.movieId)).not.toContain(1);
    expect(r.items.map((m) => m.movieId)).not.toContain(2);
    expect(r.items).toHaveLength(78);
  });

  it("popularity+genres: popularity × (1 + share of the likes' genre mentions), so a movie sharing no genre keeps its count", () => {
    const s = rec.popularityScores([0]); // movie 1's genres
    const genresOf = (i: number): string[] => rec.searchMovies(`Movie ${i + 1} (`, 1)[0]?.genres ?? [];
    const liked = new Set(genresOf(0));
    for (let i = 0; i < 80; i++) {
      const shared = genresOf(i).filter((g) => liked.has(g)).length;
      expect(s[i]).toBeCloseTo(rec.popularity[i] * (1 + shared / liked.size), 9);
    }
  });

  it('enough likes: fold-in, which scores the liked movies above the rest and answers the same twice', async () => {
    const likes = [3, 5, 8, 13];
    const a = await rec.forLikes(likes, 10);
    expect(a.mode).toBe('fold-in');
    for (const m of a.items) expect(likes).not.toContain(m.movieId);
    const scores = await rec.foldInScores(
      Int32Array.from(likes, (id) => id - 1),
      1,
    );
    const liked = likes.map((id) => scores[id - 1]);
    const rest = Array.from(scores).filter((_, i) => !likes.includes(i + 1));
    const mean = (x: number[]): number => x.reduce((p, q) => p + q, 0) / x.length;
    expect(mean(liked)).toBeGreaterThan(mean(rest));
    expect(await rec.forLikes(likes, 10)).toEqual(a);
  });

  it('concurrent fold-ins do not disturb each other', async () => {
    const [x, y] = await Promise.all([rec.forLikes([3, 5, 8], 5), rec.forLikes([40, 41, 42], 5)]);
    expect(x).toEqual(await rec.forLikes([3, 5, 8], 5));
    expect(y).toEqual(await rec.forLikes([40, 41, 42], 5));
  });
});

describe('searchMovies', () => {
  it('case-insensitive substring, most popular first, at most limit', () => {
    const found = rec.searchMovies('movie 1', 50);
    expect(found.every((m) => m.title.toLowerCase().includes('movie 1'))).toBe(true);
    const counts = found.map((m) => rec.popularity[m.movieId - 1]);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(rec.searchMovies('MOVIE', 4)).toHaveLength(4);
    expect(rec.searchMovies('no such title', 5)).toEqual([]);
  });

  it("with a genre: only the movies listing it; '' matches every title", () => {
    const comedies = rec.searchMovies('', 100, 'Comedy');
    expect(comedies).toHaveLength(40);
    expect(comedies.every((m) => m.genres.includes('Comedy'))).toBe(true);
    expect(rec.searchMovies('', 100)).toHaveLength(80);
    expect(rec.searchMovies('', 100, 'Western')).toEqual([]);
  });
});

describe("the site's reads", () => {
  it('movie: training interactions and popularity rank; null for an unknown MovieID', () => {
    const m = rec.movie(3)!;
    expect(m).toMatchObject({ movieId: 3, title: 'Movie 3 (1995)', genres: ['Action'] });
    expect(m.interactions).toBe(rec.popularity[2]);
    const better = Array.from(rec.popularity).filter((c, i) => c > m.interactions || (c === m.interactions && i < 2)).length;
    expect(m.popularityRank).toBe(better + 1);
    expect(rec.movie(9999)).toBeNull();
  });

  it('genres: every genre listed, alphabetically', () => {
    expect(rec.genres()).toEqual(['Action', 'Comedy']);
  });

  it('userHistory: every training movie once, the newest first, and the held-out movie apart', () => {
    const h = rec.userHistory(7)!;
    expect(new Set(h.training.map((m) => m.movieId))).toEqual(seenIds(7));
    expect(h.training).toHaveLength(seenIds(7).size);
    expect(h.newestFirst).toBeGreaterThan(0);
    expect(seenIds(7).has(h.heldOut!.movieId)).toBe(false);
    expect(rec.userHistory(9999)).toBeNull();
  });

  it('modelCard: the shape, dataset and the last epoch as the model file records them', () => {
    const card = rec.modelCard();
    const f = loadModel<ModelMeta>(join(out, 'smoke.ncf'));
    expect(card.model).toMatchObject({ type: 'neumf', factors: 4, layers: [16, 8, 4] });
    expect(card.dataset).toEqual({ name: f.meta.dataset.name, users: 60, movies: 80 });
    expect(card.epoch).toBe(3);
    const last = f.meta.history.at(-1)!;
    expect(card.metrics.sampled).toEqual({ hr: last.sampled.hr, ndcg: last.sampled.ndcg, users: last.sampled.users, candidates: last.sampled.candidates });
    expect(card.metrics.full?.hr).toBe(last.full?.hr);
    expect(card.training.trainSeconds).toBeCloseTo(
      f.meta.history.reduce((s, r) => s + r.trainSeconds, 0),
      2,
    );
  });

  it('dataStats: the dataset read once, the same figures on every call', async () => {
    const a = await rec.dataStats();
    expect(await rec.dataStats()).toBe(a);
    expect(a).toMatchObject({
      users: 60,
      items: 80,
      interactions: readFileSync(join(ROOT, 'test/fixtures/ml-100k-tiny/u.data'), 'utf8').trim().split('\n').length,
    });
  });
});

describe("the model file's id maps", () => {
  it("records every user's UserID and every item's MovieID", () => {
    const ids = loadModel<ModelMeta>(join(out, 'smoke.ncf')).meta.ids!;
    expect(ids.users).toEqual(Array.from({ length: 60 }, (_, u) => u + 1));
    expect(ids.items).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
  });

  it('refuses data whose ids differ (same sizes, another user), in one line', async () => {
    const copy = join(out, 'renumbered');
    cpSync(join(ROOT, 'test/fixtures/ml-100k-tiny'), copy, { recursive: true });
    const rows = readFileSync(join(copy, 'u.data'), 'utf8').replace(/^60\t/gm, '61\t');
    writeFileSync(join(copy, 'u.data'), rows);
    await expect(loadRecommender(join(out, 'smoke.ncf'), { dataDir: copy })).rejects.toThrow(/was trained on other user or movie ids than .*renumbered holds/);
  });
});

describe('an MF model (dot product with biases)', () => {
  it('recommends for known users and folds in new ones (the extra user gets a factor row and a bias)', async () => {
    const r = ncf([
      'train',
      '--config',
      'configs/smoke.json',
      '--set',
      'name=smoke-mf',
      '--set',
      'model.type=mf',
      '--set',
      'model.embeddingStd=0.1',
      '--set',
      `output.models=${out}`,
      '--set',
      `output.reports=${out}`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const mf = await loadRecommender(join(out, 'smoke-mf.ncf'), { dataDir: join(ROOT, 'test/fixtures/ml-100k-tiny'), minLikes: 3 });
    try {
      const known = await mf.forUser(1, 5);
      expect(known.mode).toBe('model');
      expect(known.items).toHaveLength(5);
      const likes = [3, 5, 8, 13];
      expect((await mf.forLikes(likes, 10)).mode).toBe('fold-in');
      const scores = await mf.foldInScores(
        Int32Array.from(likes, (id) => id - 1),
        1,
      );
      const liked = likes.map((id) => scores[id - 1]);
      const rest = Array.from(scores).filter((_, i) => !likes.includes(i + 1));
      expect(liked.reduce((p, q) => p + q, 0) / liked.length).toBeGreaterThan(rest.reduce((p, q) => p + q, 0) / rest.length);
    } finally {
      await mf.close();
    }
  }, 60_000);
});
