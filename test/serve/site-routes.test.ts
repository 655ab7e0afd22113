/**
 * The site's routes on a model trained on the smoke fixture (60 users, 80 movies, genres Action
 * and Comedy): the web app's files with a CSP of its own files only, and the read-only /api
 * routes answering what the recommender answers, with one-line 4xx for bad input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRecommender, type Recommender } from '../../src/recommend/recommender.js';
import type { ModelCard, MovieDetails, Recommendations, UserHistory } from '../../src/recommend/types.js';
import { buildServer } from '../../src/serve/server.js';
import { builtWebRoot } from '../../src/serve/web-root.js';
import { ncf, ROOT } from '../helpers/cli.js';

const out = mkdtempSync(join(tmpdir(), 'ncf-site-'));
let rec: Recommender;
let app: FastifyInstance;

beforeAll(async () => {
  const r = ncf(['train', '--config', 'configs/smoke.json', '--set', `output.models=${out}`, '--set', `output.reports=${out}`]);
  expect(r.status, r.stderr).toBe(0);
  rec = await loadRecommender(join(out, 'smoke.ncf'), { dataDir: join(ROOT, 'test/fixtures/ml-100k-tiny'), minLikes: 3 });
  const webRoot = builtWebRoot();
  expect(webRoot, 'dist/web is built by npm test (tools/build-web.ts)').not.toBeNull();
  app = buildServer(rec, { webRoot });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await rec?.close();
  rmSync(out, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: 'GET', url });
async function json<T>(url: string, status = 200): Promise<T> {
  const res = await get(url);
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
}

describe('the web app', () => {
  it("GET / is the page, which loads only the app's own script and stylesheet; the CSP allows nothing else", async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<script type="module" src="/app.js"></script>');
    expect(res.body).not.toMatch(/<script>|<style|style="|https?:\/\//);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const js = await get('/app.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect((await get('/style.css')).statusCode).toBe(200);
  });

  it('an unknown path is still a 404 naming the routes, not the page', async () => {
    const res = await get('/no/such/page');
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toMatch(/^no route GET \/no\/such\/page; routes: GET \/health/);
  });
});

describe('GET /api/movies', () => {
  it('by genre: every movie listing it, most watched first; no search matches all titles', async () => {
    const { movies } = await json<{ movies: MovieDetails[] }>('/api/movies?genre=Comedy&limit=50');
    expect(movies).toHaveLength(40);
    expect(movies.every((m) => m.genres.includes('Comedy'))).toBe(true);
    expect(movies).toEqual(rec.searchMovies('', 50, 'Comedy'));
    expect((await json<{ movies: unknown[] }>('/api/movies')).movies).toHaveLength(20);
  });

  it('by title and genre together', async () => {
    const { movies } = await json<{ movies: { title: string; genres: string[] }[] }>('/api/movies?search=movie%201&genre=Action&limit=50');
    expect(movies.length).toBeGreaterThan(0);
    expect(movies).toEqual(rec.searchMovies('movie 1', 50, 'Action'));
  });

  it('bad input is a one-line 400', async () => {
    expect((await json<{ message: string }>('/api/movies?limit=0', 400)).message).toBe('query parameter limit must be >= 1');
    expect((await json<{ message: string }>('/api/movies?limit=0x10', 400)).message).toBe('query parameter limit must be integer');
    expect((await json<{ message: string }>('/api/movies?genre=', 400)).message).toMatch(/^query parameter genre must NOT have fewer than 1 characters/);
    expect((await json<{ message: string }>('/api/movies?serch=x', 400)).message).toBe('unknown query parameter serch');
  });
});

describe('GET /api/movies/{movieId} and /api/genres', () => {
  it('one movie with its interactions; an unknown one is a 404 saying so', async () => {
    expect(await json<MovieDetails>('/api/movies/3')).toEqual(rec.movie(3));
    expect((await json<{ message: string }>('/api/movies/9999', 404)).message).toBe("movie 9999 is not in this model's catalogue");
    expect((await json<{ message: string }>('/api/movies/1e3', 400)).message).toBe('params movieId must be integer');
  });

  it('the genres', async () => {
    expect(await json<{ genres: string[] }>('/api/genres')).toEqual({ genres: ['Action', 'Comedy'] });
  });

  it('a wrong method is a 405 with Allow', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/movies/3' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET');
  });
});

describe('GET /api/users/{userId}', () => {
  it("a MovieLens user's history and the model's recommendations, as the recommender gives them", async () => {
    const page = await json<UserHistory & { recommendations: Recommendations }>('/api/users/7?k=5');
    const { recommendations, ...history } = page;
    expect(history).toEqual(rec.userHistory(7));
    const direct = await rec.forUser(7, 5);
    expect(recommendations.mode).toBe('model');
    expect(recommendations.items).toEqual(direct.items);
  });

  it('a user not in the training data is a 404', async () => {
    expect((await json<{ message: string }>('/api/users/9999', 404)).message).toBe("user 9999 is not in this model's training data");
  });
});

describe('GET /api/model', () => {
  it('the model card and what is serving', async () => {
    const card = await json<ModelCard & { serving: { epoch: number } }>('/api/model');
    expect({ ...card, serving: undefined }).toEqual({ ...JSON.parse(JSON.stringify(rec.modelCard())), serving: undefined });
    expect(card.metrics.sampled?.hr).toBeGreaterThan(0);
    expect(card.serving.epoch).toBe(3);
  });
});

describe('GET /api/dashboard', () => {
  it("the dataset's figures and its charts, each an SVG served beside it", async () => {
    const d = await json<{ stats: { users: number; items: number }; charts: { name: string; url: string }[] }>('/api/dashboard');
    expect(d.stats).toMatchObject({ users: 60, items: 80 });
    const names = d.charts.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['interactions-per-user', 'interactions-per-item', 'movies-per-genre', 'rating-values']));
    const svg = await get(d.charts[0].url);
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(svg.body).toMatch(/^<svg /);
    expect((await json<{ message: string }>('/api/dashboard/charts/nope.svg', 404)).message).toMatch(/^no chart nope\.svg; charts: interactions-per-user\.svg/);
    expect((await get('/api/dashboard/charts/..%2f..%2fetc.svg')).statusCode).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('publishes the site routes and validates', async () => {
    const doc = (await json<{ paths: Record<string, unknown> }>('/api/openapi.json')) as { paths: Record<string, unknown> };
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/movies', '/api/movies/{movieId}', '/api/genres', '/api/users/{userId}', '/api/model', '/api/dashboard']),
    );
    expect(Object.keys(doc.paths).filter((p) => /\.(js|css|html)$/.test(p))).toEqual([]);
  });
});
