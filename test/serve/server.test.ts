/**
 * ncf serve's HTTP API over a fake recommender: every route, every kind of bad input (a 4xx with one
 * line naming the field, and the server keeps answering), recommender errors (NcfError → 400, others
 * → 500 without details), over app.inject and over a real socket on 127.0.0.1; and startServe/runServe:
 * the startup line, SIGTERM/SIGINT shutdown (refuses connections afterwards, closes the recommender
 * once, waits for a request in flight), a port already in use.
 */
import { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe, startServe, type ServeOptions } from '../../src/run/serve.js';
import type { Movie, Recommendations, RecommenderApi, ScoredMovie } from '../../src/recommend/types.js';
import { MAX_K, MAX_LIKES } from '../../src/recommend/types.js';
import { buildServer } from '../../src/serve/server.js';
import { NcfError } from '../../src/util/errors.js';

/*
 * A deterministic RecommenderApi: 943 users, a 5-movie catalogue, and answers that echo what they
 * were asked, so a test can check what the server passed through.
 *   users 1..943         mode model
 *   other users          mode popularity (cold start), reason names the user
 *   user 666 / 667       throws an NcfError / a plain Error
 *   likes                known ones (≤ 5) fold in from 2 on, else popularity+genres
 */
const CATALOGUE: Movie[] = [
  { movieId: 1, title: 'Toy Story (1995)', genres: ['Animation', "Children's", 'Comedy'] },
  { movieId: 2, title: 'GoldenEye (1995)', genres: ['Action', 'Adventure', 'Thriller'] },
  { movieId: 3, title: 'Four Rooms (1995)', genres: ['Thriller'] },
  { movieId: 4, title: 'Get Shorty (1995)', genres: ['Action', 'Comedy', 'Drama'] },
  { movieId: 5, title: 'Toy Soldiers (1991)', genres: ['Action'] },
];

interface FakeRecommender extends RecommenderApi {
  calls: unknown[][];
  closed: number;
  /** When set, forUser waits for it before answering (to hold a request in flight). */
  gate: Promise<void> | null;
}

function top(k: number, exclude: number[] = []): ScoredMovie[] {
  return CATALOGUE.filter((m) => !exclude.includes(m.movieId))
    .slice(0, k)
    .map((m, i) => ({ ...m, score: 10 - i }));
}

function fakeRecommender(): FakeRecommender {
  const fake: FakeRecommender = {
    calls: [],
    closed: 0,
    gate: null,
    info: { model: 'models/fake.ncf', dataset: 'ml-100k', epoch: 3, users: 943, movies: 1682, minLikes: 2 },
    async forUser(userId, k, opts): Promise<Recommendations> {
      fake.calls.push(['forUser', userId, k, opts]);
      if (fake.gate) await fake.gate;
      if (userId === 666) throw new NcfError('user 666 is on holiday');
      if (userId === 667) throw new Error('secret internal detail');
      const known = userId <= 943;
      return {
        mode: known ? 'model' : 'popularity',
        reason: known ? `user ${userId} is in the training data` : `user ${userId} is not in the training data`,
        user: userId,
        likes: [],
        unknownLikes: [],
        items: top(k),
        ...(opts?.explain ? { recent: [CATALOGUE[4]] } : {}),
      };
    },
    async forLikes(movieIds, k): Promise<Recommendations> {
      fake.calls.push(['forLikes', movieIds, k]);
      const likes = movieIds.filter((id) => id <= CATALOGUE.length);
      const foldIn = likes.length >= fake.info.minLikes;
      return {
        mode: foldIn ? 'fold-in' : 'popularity+genres',
        reason: foldIn ? `${likes.length} known likes` : `${likes.length} known likes, fewer than ${fake.info.minLikes}`,
        user: null,
        likes,
        unknownLikes: movieIds.filter((id) => id > CATALOGUE.length),
        items: top(k, likes),
      };
    },
    searchMovies(query, limit): Movie[] {
      fake.calls.push(['searchMovies', query, limit]);
      return CATALOGUE.filter((m) => m.title.toLowerCase().includes(query.toLowerCase())).slice(0, limit);
    },
    // The site's routes are tested against a trained model in site-routes.test.ts.
    movie: () => null,
    genres: () => [],
    userHistory: () => null,
    modelCard: () => {
      throw new Error('the fake has no model card');
    },
    dataStats: () => Promise.reject(new Error('the fake has no data')),
    async close(): Promise<void> {
      fake.closed++;
    },
  };
  return fake;
}

const json = (body: string): unknown => JSON.parse(body);

describe('buildServer over app.inject', () => {
  const rec = fakeRecommender();
  const internalErrors: Error[] = [];
  let app: FastifyInstance;
  beforeAll(async () => {
    app = buildServer(rec, { onInternalError: (err) => internalErrors.push(err) });
    await app.ready();
  });
  afterAll(() => app.close());

  const get = (url: string) => app.inject({ method: 'GET', url });
  const post = (payload: unknown, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/recommend',
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: { 'content-type': contentType },
    });
  async function expectError(res: Awaited<ReturnType<typeof get>>, status: number, message: string | RegExp): Promise<void> {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = json(res.body) as { error: string; message: string };
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    if (typeof message === 'string') expect(body.message).toBe(message);
    else expect(body.message).toMatch(message);
  }

  it('GET /health: status ok and the recommender info', async () => {
    const res = await get('/health');
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toEqual({ status: 'ok', model: 'models/fake.ncf', dataset: 'ml-100k', epoch: 3, users: 943, movies: 1682, minLikes: 2 });
  });

  it('GET /recommend: user and k reach forUser as numbers; the answer comes back as is', async () => {
    rec.calls.length = 0;
    const res = await get('/recommend?user=42&k=3');
    expect(res.statusCode).toBe(200);
    expect(rec.calls).toEqual([['forUser', 42, 3, undefined]]);
    expect(json(res.body)).toEqual({
      mode: 'model',
      reason: 'user 42 is in the training data',
      user: 42,
      likes: [],
      unknownLikes: [],
      items: [
        { ...CATALOGUE[0], score: 10 },
        { ...CATALOGUE[1], score: 9 },
        { ...CATALOGUE[2], score: 8 },
      ],
    });
  });

  it('GET /recommend: k defaults to 10, explain=true/false reaches forUser as a boolean', async () => {
    rec.calls.length = 0;
    await get('/recommend?user=7');
    const res = await get('/recommend?user=7&k=2&explain=true');
    await get('/recommend?user=7&explain=false');
    expect(rec.calls).toEqual([
      ['forUser', 7, 10, undefined],
      ['forUser', 7, 2, { explain: true }],
      ['forUser', 7, 10, { explain: false }],
    ]);
    expect((json(res.body) as Recommendations).recent).toEqual([CATALOGUE[4]]);
  });

  it('GET /recommend: an unknown user is a 200 with the cold-start mode and reason', async () => {
    const res = await get('/recommend?user=99999&k=2');
    expect(res.statusCode).toBe(200);
    const body = json(res.body) as Recommendations;
    expect(body.mode).toBe('popularity');
    expect(body.reason).toBe('user 99999 is not in the training data');
    expect(body.items.map((m) => m.movieId)).toEqual([1, 2]);
  });

  it('GET /recommend: k = MAX_K is accepted, the bounds just outside are not', async () => {
    expect((await get(`/recommend?user=1&k=${MAX_K}`)).statusCode).toBe(200);
    await expectError(await get(`/recommend?user=1&k=${MAX_K + 1}`), 400, `query parameter k must be <= ${MAX_K}`);
    await expectError(await get('/recommend?user=1&k=0'), 400, 'query parameter k must be >= 1');
  });

  it('GET /recommend: bad or missing user is a 400 naming the parameter', async () => {
    await expectError(await get('/recommend'), 400, 'query parameter user is required');
    await expectError(await get('/recommend?user=abc'), 400, 'query parameter user must be integer');
    await expectError(await get('/recommend?user=1.5'), 400, 'query parameter user must be integer');
    await expectError(await get('/recommend?user=0'), 400, 'query parameter user must be >= 1');
    await expectError(await get('/recommend?user=-3'), 400, 'query parameter user must be >= 1');
    await expectError(await get('/recommend?user=99999999999'), 400, 'query parameter user must be <= 2147483647');
    await expectError(await get('/recommend?user=1e20'), 400, 'query parameter user must be integer');
    await expectError(await get('/recommend?user=1&user=2'), 400, 'query parameter user must be integer');
    await expectError(await get('/recommend?user=1&k=ten'), 400, 'query parameter k must be integer');
    await expectError(await get('/recommend?user=1&explain=maybe'), 400, 'query parameter explain must be boolean');
    await expectError(await get('/recommend?usr=1'), 400, 'query parameter user is required');
    await expectError(await get('/recommend?user=1&kk=5'), 400, 'unknown query parameter kk');
  });

  it('POST /recommend: likes and k reach forLikes; fold-in and the cold-start mode pass through', async () => {
    rec.calls.length = 0;
    const warm = await post({ likes: [1, 2, 999], k: 2 });
    expect(warm.statusCode).toBe(200);
    expect(json(warm.body)).toEqual({
      mode: 'fold-in',
      reason: '2 known likes',
      user: null,
      likes: [1, 2],
      unknownLikes: [999],
      items: [
        { ...CATALOGUE[2], score: 10 },
        { ...CATALOGUE[3], score: 9 },
      ],
    });
    const cold = json((await post({ likes: [3] })).body) as Recommendations;
    expect(cold.mode).toBe('popularity+genres');
    expect(cold.reason).toBe('1 known likes, fewer than 2');
    expect(rec.calls).toEqual([
      ['forLikes', [1, 2, 999], 2],
      ['forLikes', [3], 10],
    ]);
  });

  it('POST /recommend: MAX_LIKES likes are accepted, one more is not', async () => {
    const ids = Array.from({ length: MAX_LIKES }, (_, i) => i + 1);
    expect((await post({ likes: ids })).statusCode).toBe(200);
    await expectError(await post({ likes: [...ids, 501] }), 400, `body field likes must NOT have more than ${MAX_LIKES} items`);
  });

  it('POST /recommend: a bad body is a 400 naming the field', async () => {
    await expectError(await post({}), 400, 'body field likes is required');
    await expectError(await post({ likes: [] }), 400, 'body field likes must NOT have fewer than 1 items');
    await expectError(await post({ likes: [1, 'x', 3] }), 400, 'body field likes[1] must be integer');
    await expectError(await post({ likes: [1, 0] }), 400, 'body field likes[1] must be >= 1');
    await expectError(await post({ likes: 5 }), 400, 'body field likes must be array');
    await expectError(await post({ likes: [1], k: 101 }), 400, `body field k must be <= ${MAX_K}`);
    await expectError(await post({ likes: [1], user: 3 }), 400, 'unknown body field user');
    await expectError(await post([1, 2]), 400, 'request body must be a JSON object');
  });

  it('POST /recommend: malformed JSON, an empty body, no body, a wrong content-type', async () => {
    await expectError(await post('{"likes": [1, 2'), 400, 'request body is not valid JSON');
    await expectError(await post(''), 400, 'request body is empty; send a JSON object');
    await expectError(await app.inject({ method: 'POST', url: '/recommend' }), 400, 'request body must be a JSON object');
    await expectError(await post('{"likes": [1]}', 'text/plain'), 415, 'content-type must be application/json');
    await expectError(await post('likes=1', 'application/x-www-form-urlencoded'), 415, 'content-type must be application/json');
    expect((await post('{"likes": [1]}', 'application/json; charset=utf-8')).statusCode).toBe(200);
  });

  it('a body over the limit is a 413 giving the limit', async () => {
    const small = buildServer(rec, { bodyLimit: 100 });
    try {
      const res = await small.inject({
        method: 'POST',
        url: '/recommend',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ likes: Array.from({ length: 60 }, (_, i) => i + 1) }),
      });
      await expectError(res, 413, 'request body is larger than 100 bytes');
    } finally {
      await small.close();
    }
    await expectError(await post(`{"likes": [${'1,'.repeat(40_000)}1]}`), 413, 'request body is larger than 65536 bytes');
  });

  it('GET /movies: search and limit reach searchMovies; limit defaults to 10', async () => {
    rec.calls.length = 0;
    const res = await get('/movies?search=toy%20so&limit=5');
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toEqual({ movies: [CATALOGUE[4]] });
    expect(json((await get('/movies?search=TOY')).body)).toEqual({ movies: [CATALOGUE[0], CATALOGUE[4]] });
    expect(rec.calls).toEqual([
      ['searchMovies', 'toy so', 5],
      ['searchMovies', 'TOY', 10],
    ]);
  });

  it('GET /movies: bad search or limit is a 400 naming the parameter', async () => {
    await expectError(await get('/movies'), 400, 'query parameter search is required');
    await expectError(await get('/movies?search='), 400, 'query parameter search must NOT have fewer than 1 characters');
    await expectError(await get(`/movies?search=${'a'.repeat(101)}`), 400, 'query parameter search must NOT have more than 100 characters');
    await expectError(await get('/movies?search=a&limit=51'), 400, 'query parameter limit must be <= 50');
    await expectError(await get('/movies?search=a&limit=x'), 400, 'query parameter limit must be integer');
  });

  it('an unknown route is a 404 listing the routes; a known one with another method a 405 naming those allowed', async () => {
    await expectError(
      await get('/recommendations?user=1'),
      404,
      /^no route GET \/recommendations; routes: GET \/health, GET \/recommend\?user=, POST \/recommend, GET \/movies\?search=, GET \/api\/openapi\.json \(the \/api routes\)$/,
    );
    const wrong = await app.inject({ method: 'DELETE', url: '/recommend?user=1' });
    await expectError(wrong, 405, 'DELETE is not allowed on /recommend; use GET or POST');
    expect(wrong.headers.allow).toBe('GET, POST');
    await expectError(await app.inject({ method: 'POST', url: '/health' }), 405, 'POST is not allowed on /health; use GET');
  });

  it('query values are numbers only as plain decimals, and bodies are not coerced', async () => {
    for (const user of ['1e400', '0x10', '+16', '%2016', '16.0', '1e3', '016', '0b1']) {
      await expectError(await get(`/recommend?user=${user}`), 400, 'query parameter user must be integer');
    }
    await expectError(await get('/recommend?user=16&k=0x5'), 400, 'query parameter k must be integer');
    await expectError(await post({ likes: ['5'] }), 400, 'body field likes[0] must be integer');
    await expectError(await post({ likes: [1], k: '5' }), 400, 'body field k must be integer');
    // A title search of digits stays a string.
    expect(json((await get('/movies?search=1995&limit=2')).body)).toEqual({ movies: [CATALOGUE[0], CATALOGUE[1]] });
    const before = rec.calls.length;
    expect((await get('/recommend?user=16&k=3&explain=true')).statusCode).toBe(200);
    expect(rec.calls.slice(before)).toEqual([['forUser', 16, 3, { explain: true }]]);
  });

  it('an NcfError from the recommender is a 400 with its message', async () => {
    await expectError(await get('/recommend?user=666'), 400, 'user 666 is on holiday');
  });

  it('any other error is a 500 that keeps its details in the log, not the answer', async () => {
    internalErrors.length = 0;
    const res = await get('/recommend?user=667');
    await expectError(res, 500, 'internal error; see the server log');
    expect(res.body).not.toContain('secret');
    expect(internalErrors.map((e) => e.message)).toEqual(['secret internal detail']);
  });
});

describe('buildServer over a socket on 127.0.0.1', () => {
  const rec = fakeRecommender();
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    app = buildServer(rec, { bodyLimit: 1024 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  const postJson = (body: string) => fetch(`${base}/recommend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('listens on an ephemeral port and answers every route', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(base).port)).toBeGreaterThan(0);
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'ok', users: 943 });
    const byUser = (await (await fetch(`${base}/recommend?user=5&k=1`)).json()) as Recommendations;
    expect(byUser).toMatchObject({ mode: 'model', user: 5, items: [{ movieId: 1, score: 10 }] });
    const byLikes = await postJson('{"likes": [4, 5], "k": 1}');
    expect(byLikes.status).toBe(200);
    expect(await byLikes.json()).toMatchObject({ mode: 'fold-in', likes: [4, 5], items: [{ movieId: 1 }] });
    expect(await (await fetch(`${base}/movies?search=rooms`)).json()).toEqual({ movies: [CATALOGUE[2]] });
  });

  it('keeps answering after bad requests of every kind', async () => {
    const bad: Array<[Promise<Response>, number]> = [
      [fetch(`${base}/recommend?user=abc`), 400],
      [fetch(`${base}/recommend?user=1&k=1000`), 400],
      [postJson('{"likes": [1,'), 400],
      [fetch(`${base}/recommend`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }), 415],
      [postJson(`{"likes": [${'1,'.repeat(1000)}1]}`), 413],
      [fetch(`${base}/nope`), 404],
      [fetch(`${base}/recommend?user=667`), 500],
    ];
    for (const [pending, status] of bad) {
      const res = await pending;
      expect(res.status).toBe(status);
      expect(Object.keys((await res.json()) as object).sort()).toEqual(['error', 'message']);
    }
    const good = await fetch(`${base}/recommend?user=12&k=2`);
    expect(good.status).toBe(200);
    expect(((await good.json()) as Recommendations).items.map((m: ScoredMovie) => m.movieId)).toEqual([1, 2]);
  });
});

describe('startServe / runServe', () => {
  function options(rec: FakeRecommender, signals: EventEmitter, port = 0) {
    const lines: string[] = [];
    const opts: ServeOptions = {
      host: '127.0.0.1',
      port,
      dataDir: '/data/ml-100k',
      webRoot: null,
      log: (l) => lines.push(l),
      load: async (path, o) => {
        rec.calls.push(['load', path, o.dataDir]);
        return rec;
      },
      signals,
    };
    return { opts, lines };
  }

  it('loads once, logs where it listens, and on SIGTERM stops taking connections and closes the recommender', async () => {
    const rec = fakeRecommender();
    const signals = new EventEmitter();
    const { opts, lines } = options(rec, signals);
    const server = await startServe('models/fake.ncf', opts);
    expect(rec.calls).toEqual([['load', 'models/fake.ncf', '/data/ml-100k']]);
    expect(lines).toEqual([
      `ncf serve: models/fake.ncf on ${server.url} (943 users, 1,682 movies)`,
      'ncf serve: no built web app (run npm run build): the API alone',
    ]);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    expect(signals.listenerCount('SIGINT')).toBe(1);

    signals.emit('SIGTERM', 'SIGTERM');
    await server.stopped;
    expect(rec.closed).toBe(1);
    expect(lines.slice(2)).toEqual(['ncf serve: SIGTERM, stopping', 'ncf serve: stopped']);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
    await server.stop(); // a second stop is harmless
    expect(rec.closed).toBe(1);
  });

  it('runServe resolves after SIGINT', async () => {
    const rec = fakeRecommender();
    const signals = new EventEmitter();
    const { opts, lines } = options(rec, signals);
    let resolved = false;
    const done = runServe('models/fake.ncf', opts).then(() => (resolved = true));
    await expect.poll(() => lines.length).toBe(2);
    const url = /on (http:\S+)/.exec(lines[0])![1];
    expect((await fetch(`${url}/recommend?user=3&k=1`)).status).toBe(200);
    expect(resolved).toBe(false);
    signals.emit('SIGINT', 'SIGINT');
    await done;
    expect(rec.closed).toBe(1);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('lets a request in flight finish before closing', async () => {
    const rec = fakeRecommender();
    let release!: () => void;
    rec.gate = new Promise((r) => (release = r));
    const { opts } = options(rec, new EventEmitter());
    const server = await startServe('models/fake.ncf', opts);
    const inFlight = fetch(`${server.url}/recommend?user=9&k=1`);
    await expect.poll(() => rec.calls.some((c) => c[0] === 'forUser')).toBe(true);
    const stopping = server.stop();
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as Recommendations).user).toBe(9);
    await stopping;
    expect(rec.closed).toBe(1);
  });

  it('a port in use is one NcfError naming --port, and the recommender is closed', async () => {
    const first = fakeRecommender();
    const server = await startServe('models/fake.ncf', options(first, new EventEmitter()).opts);
    const second = fakeRecommender();
    const port = Number(new URL(server.url).port);
    try {
      const attempt = startServe('models/fake.ncf', options(second, new EventEmitter(), port).opts);
      await expect(attempt).rejects.toThrow(NcfError);
      await expect(attempt).rejects.toThrow(`port ${port} on 127.0.0.1 is in use: pick another with --port`);
      expect(second.closed).toBe(1);
    } finally {
      await server.stop();
    }
  });
});
