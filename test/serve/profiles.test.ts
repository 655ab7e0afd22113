/**
 * The profile API under /api over a fake recommender and a real store (PGlite in a temp folder,
 * and PostgreSQL when NCF_TEST_PG_URL names a server): tokens guard every profile route (401 for
 * none, a wrong one or another profile's), ratings are stored and listed, bad input is a 400 and
 * an unknown movie a 404, recommendations fold in the liked movies and leave out every rated one,
 * are cached and recomputed after a rating — also when the rating is made through another server
 * on the same database — and the OpenAPI document validates. Security headers and write limits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Movie, Recommendations, RecommenderApi } from '../../src/recommend/types.js';
import { buildServer } from '../../src/serve/server.js';
import { type Db, FEEDBACK_CHANNEL, openDb, parseFeedbackNotice } from '../../src/store/index.js';
import { createDatabase, PG_URL, type TestDatabase } from '../store/postgres.js';

const CATALOGUE: Movie[] = Array.from({ length: 20 }, (_, k) => ({ movieId: k + 1, title: `Movie ${k + 1}`, genres: ['Drama'] }));

/** forLikes answers the catalogue in id order without the likes; fold-in from 2 likes; calls are recorded. */
function fakeRecommender(): RecommenderApi & { likesAsked: number[][] } {
  const rec = {
    likesAsked: [] as number[][],
    info: { model: 'models/fake.ncf', dataset: 'ml-100k', epoch: 3, users: 943, movies: 20, minLikes: 2 },
    movie: (id: number) => {
      const m = CATALOGUE.find((c) => c.movieId === id);
      return m ? { ...m, interactions: 1, popularityRank: id } : null;
    },
    async forLikes(likes: number[], k: number): Promise<Recommendations> {
      rec.likesAsked.push(likes);
      const foldIn = likes.length >= 2;
      return {
        mode: foldIn ? 'fold-in' : likes.length ? 'popularity+genres' : 'popularity',
        reason: `${likes.length} likes`,
        user: null,
        likes,
        unknownLikes: [],
        items: CATALOGUE.filter((m) => !likes.includes(m.movieId))
          .slice(0, k)
          .map((m, i) => ({ ...m, score: 100 - i })),
      };
    },
    async forUser(): Promise<Recommendations> {
      throw new Error('not used');
    },
    searchMovies: () => [],
    async close(): Promise<void> {},
  };
  return rec as unknown as RecommenderApi & { likesAsked: number[][] };
}

interface Profile {
  id: string;
  token: string;
}

function suite(name: string, open: () => Promise<{ a: Db; b: Db; done: () => Promise<void> }>, skip: string | null) {
  if (skip) console.log(`profile API on ${name} skipped: ${skip}`);
  describe.skipIf(skip !== null)(`the profile API on ${name}`, () => {
    const rec = fakeRecommender();
    const other = fakeRecommender();
    let app: FastifyInstance;
    let second: FastifyInstance;
    let done: () => Promise<void>;
    let db: Db;
    beforeAll(async () => {
      const dbs = await open();
      done = dbs.done;
      db = dbs.a;
      app = buildServer(rec, { db: dbs.a, writesPerMinute: 1000 });
      second = buildServer(other, { db: dbs.b, writesPerMinute: 1000 });
      await app.ready();
      await second.ready();
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await second?.close();
      await done?.();
    });

    const auth = (p: Profile) => ({ authorization: `Bearer ${p.token}` });
    const newProfile = async (on = app): Promise<Profile> => {
      const res = await on.inject({ method: 'POST', url: '/api/profiles' });
      expect(res.statusCode).toBe(201);
      return res.json() as Profile;
    };
    const rate = (p: Profile, movieId: number | string, body: unknown, headers = auth(p), on = app) =>
      on.inject({ method: 'PUT', url: `/api/profiles/${p.id}/ratings/${movieId}`, payload: body as object, headers });
    const recommendations = async (p: Profile, k = 5, on = app) => {
      const res = await on.inject({ method: 'GET', url: `/api/profiles/${p.id}/recommendations?k=${k}`, headers: auth(p) });
      expect(res.statusCode).toBe(200);
      return res.json() as { mode: string; reason: string; items: { movieId: number }[]; because: { movieId: number; title: string }[] };
    };

    it('makes anonymous profiles: a 22-character id and a token of at least 128 bits, each new', async () => {
      const [p, q] = [await newProfile(), await newProfile()];
      expect(p.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(p.token.length).toBeGreaterThanOrEqual(22);
      expect(Buffer.from(p.token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
      expect(q.id).not.toBe(p.id);
      expect(q.token).not.toBe(p.token);
    });

    it("every route of a profile needs that profile's token: none, a wrong one or another's is a 401", async () => {
      const [p, q] = [await newProfile(), await newProfile()];
      expect((await rate(p, 3, { rating: 4 })).statusCode).toBe(200);
      const urls = [
        ['PUT', `/api/profiles/${p.id}/ratings/3`, { rating: 1 }],
        ['DELETE', `/api/profiles/${p.id}/ratings/3`, undefined],
        ['GET', `/api/profiles/${p.id}/ratings`, undefined],
        ['GET', `/api/profiles/${p.id}/recommendations`, undefined],
      ] as const;
      const wrong = [{}, auth(q), { authorization: `Bearer ${p.token}x` }, { authorization: p.token }, { authorization: `Basic ${p.token}` }];
      for (const [method, url, payload] of urls) {
        for (const headers of wrong) {
          const res = await app.inject({ method, url, payload, headers });
          expect(res.statusCode, `${method} ${url} with ${JSON.stringify(headers)}`).toBe(401);
          expect(res.headers['www-authenticate']).toBe('Bearer');
          expect(Object.keys(res.json()).sort()).toEqual(['error', 'message']);
        }
      }
      // An unknown profile is the same 401, so nothing tells which ids exist.
      const unknown = await app.inject({ method: 'GET', url: `/api/profiles/${'A'.repeat(22)}/ratings`, headers: auth(p) });
      expect(unknown.statusCode).toBe(401);
      // p's rating is untouched.
      const mine = await app.inject({ method: 'GET', url: `/api/profiles/${p.id}/ratings`, headers: auth(p) });
      expect((mine.json() as { ratings: { movieId: number; rating: number }[] }).ratings.map((r) => [r.movieId, r.rating])).toEqual([[3, 4]]);
    });

    it('stores, replaces, lists and deletes ratings and likes', async () => {
      const p = await newProfile();
      const first = await rate(p, 5, { rating: 2 });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ movieId: 5, rating: 2, liked: false });
      expect(Number.isNaN(Date.parse((first.json() as { at: string }).at))).toBe(false);
      expect((await rate(p, 5, { rating: 5 })).json()).toMatchObject({ movieId: 5, rating: 5, liked: false });
      expect((await rate(p, 7, { like: true })).json()).toMatchObject({ movieId: 7, rating: null, liked: true });
      const list = await app.inject({ method: 'GET', url: `/api/profiles/${p.id}/ratings`, headers: auth(p) });
      expect((list.json() as { ratings: unknown[] }).ratings).toMatchObject([
        { movieId: 5, rating: 5, liked: false },
        { movieId: 7, rating: null, liked: true },
      ]);
      const del = () => app.inject({ method: 'DELETE', url: `/api/profiles/${p.id}/ratings/5`, headers: auth(p) });
      expect((await del()).statusCode).toBe(204);
      const again = await del();
      expect(again.statusCode).toBe(404);
      expect(again.json()).toEqual({ error: 'Not Found', message: 'this profile has no rating of movie 5' });
      const after = await app.inject({ method: 'GET', url: `/api/profiles/${p.id}/ratings`, headers: auth(p) });
      expect((after.json() as { ratings: { movieId: number }[] }).ratings.map((r) => r.movieId)).toEqual([7]);
    });

    it('bad ratings are 400s naming the problem, an unknown movie a 404, a wrong method a 405', async () => {
      const p = await newProfile();
      const bad: [unknown, string][] = [
        [{ rating: 0 }, 'body field rating must be >= 1'],
        [{ rating: 6 }, 'body field rating must be <= 5'],
        [{ rating: '5' }, 'body field rating must be integer'],
        [{ rating: 4.5 }, 'body field rating must be integer'],
        [{ like: false }, 'body field like must be equal to constant'],
        [{ rating: 4, like: true }, 'send exactly one of {"rating": 1..5} or {"like": true}'],
        [{}, 'send exactly one of {"rating": 1..5} or {"like": true}'],
        [{ stars: 4 }, 'unknown body field stars'],
      ];
      for (const [body, message] of bad) {
        const res = await rate(p, 3, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect((res.json() as { message: string }).message).toBe(message);
      }
      for (const id of ['0x3', '1e3', '-3', 'abc']) expect((await rate(p, id, { rating: 3 })).statusCode, id).toBe(400);
      const unknown = await rate(p, 99999, { rating: 3 });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toEqual({ error: 'Not Found', message: "movie 99999 is not in this model's catalogue" });
      const patch = await app.inject({ method: 'PATCH', url: `/api/profiles/${p.id}/ratings/3`, headers: auth(p), payload: { rating: 3 } });
      expect(patch.statusCode).toBe(405);
      expect(patch.headers.allow).toBe('PUT, DELETE');
      const list = await app.inject({ method: 'GET', url: `/api/profiles/${p.id}/ratings`, headers: auth(p) });
      expect((list.json() as { ratings: unknown[] }).ratings).toEqual([]);
    });

    it('recommends from the liked movies, leaves out every rated one, says why, and is recomputed after each rating', async () => {
      const p = await newProfile();
      const cold = await recommendations(p);
      expect(cold.mode).toBe('popularity');
      expect(cold.because).toEqual([]);
      expect(cold.items.map((m) => m.movieId)).toEqual([1, 2, 3, 4, 5]);

      await rate(p, 2, { rating: 5 });
      await rate(p, 1, { rating: 1 }); // disliked: left out, not folded in
      await rate(p, 4, { like: true });
      const asked = rec.likesAsked.length;
      const warm = await recommendations(p);
      expect(warm.mode).toBe('fold-in');
      expect(rec.likesAsked.at(-1)).toEqual([2, 4]);
      expect(warm.items.map((m) => m.movieId)).toEqual([3, 5, 6, 7, 8]);
      expect(warm.because).toEqual([
        { movieId: 4, title: 'Movie 4' },
        { movieId: 2, title: 'Movie 2' },
      ]);
      // Cached: the same answer without asking the recommender again.
      expect(await recommendations(p)).toEqual(warm);
      expect(rec.likesAsked.length).toBe(asked + 1);
      // A rating drops the cache: the next answer is computed from it.
      await rate(p, 3, { rating: 4 });
      const next = await recommendations(p);
      expect(rec.likesAsked.at(-1)).toEqual([2, 4, 3]);
      expect(next.items.map((m) => m.movieId)).toEqual([5, 6, 7, 8, 9]);
    });

    it("keeps an answer when the notice of this server's own rating comes back after it, and drops it for another server's", async () => {
      const p = await newProfile();
      const seen: string[] = [];
      const unlisten = await db.listen(FEEDBACK_CHANNEL, (payload) => seen.push(payload));
      try {
        await rate(p, 2, { like: true });
        await rate(p, 4, { like: true });
        await expect.poll(() => seen.length, { timeout: 5000 }).toBe(2);
        const own = seen[1];
        expect(parseFeedbackNotice(own)?.profileId).toBe(p.id);
        const answer = await recommendations(p);
        const asked = rec.likesAsked.length;
        // Notices arrive whenever the database sends them: the same notice again, now after the answer was cached.
        await db.notify(FEEDBACK_CHANNEL, own);
        await expect.poll(() => seen.length, { timeout: 5000 }).toBe(3);
        expect(await recommendations(p)).toEqual(answer);
        expect(rec.likesAsked.length).toBe(asked);
        await db.notify(FEEDBACK_CHANNEL, JSON.stringify({ profileId: p.id, origin: 'another server' }));
        await expect.poll(() => seen.length, { timeout: 5000 }).toBe(4);
        expect(await recommendations(p)).toEqual(answer);
        expect(rec.likesAsked.length).toBe(asked + 1);
      } finally {
        await unlisten();
      }
    });

    it('a rating made through another server on the same database shows in this one at once (NOTIFY)', async () => {
      const p = await newProfile(second);
      await rate(p, 2, { like: true }, auth(p), second);
      await rate(p, 3, { like: true }, auth(p), second);
      const before = await recommendations(p, 3);
      expect(before.items.map((m) => m.movieId)).toEqual([1, 4, 5]);
      expect(await recommendations(p, 3)).toEqual(before); // cached here
      expect((await rate(p, 4, { rating: 5 }, auth(p), second)).statusCode).toBe(200);
      await expect.poll(async () => (await recommendations(p, 3)).items.map((m) => m.movieId), { timeout: 5000 }).toEqual([1, 5, 6]);
    });

    it('publishes an OpenAPI 3 document of the routes that a validator accepts', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
      await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
      expect(doc.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.paths['/api/profiles/{id}/ratings/{movieId}']).sort()).toEqual(['delete', 'put']);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/health', '/recommend', '/movies', '/api/profiles', '/api/profiles/{id}/ratings', '/api/profiles/{id}/recommendations']),
      );
    });

    it('sends security headers: a CSP of the app’s own files only, nosniff, no framing', async () => {
      const res = await app.inject({ method: 'GET', url: '/health' });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });
  });
}

suite(
  'PGlite',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncf-profiles-'));
    const db = await openDb(join(dir, 'db'));
    return {
      a: db,
      b: db,
      done: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  null,
);

let pgDatabase: TestDatabase | null = null;
suite(
  'PostgreSQL (two connections, as two servers)',
  async () => {
    pgDatabase = await createDatabase(PG_URL!);
    const a = await openDb(pgDatabase.url);
    const b = await openDb(pgDatabase.url);
    return {
      a,
      b,
      done: async () => {
        await a.close();
        await b.close();
        await pgDatabase?.drop();
      },
    };
  },
  PG_URL ? null : 'NCF_TEST_PG_URL is not set (.ci/run starts a PostgreSQL and sets it)',
);

describe('write limits', () => {
  it('a fourth new profile within the minute from one IP is a 429, reads still answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncf-limits-'));
    const db = await openDb(join(dir, 'db'));
    const app = buildServer(fakeRecommender(), { db, writesPerMinute: 3 });
    try {
      const codes: number[] = [];
      for (let k = 0; k < 4; k++) codes.push((await app.inject({ method: 'POST', url: '/api/profiles' })).statusCode);
      expect(codes).toEqual([201, 201, 201, 429]);
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
