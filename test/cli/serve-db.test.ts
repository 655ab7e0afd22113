/**
 * `ncf serve --db` as its own process: every rating acknowledged with a 200 is in the database
 * after the server is killed with SIGKILL right after the last answer (PGlite), and two servers on
 * one PostgreSQL database agree: a rating made through one shows in the other's recommendations.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRatings, openDb } from '../../src/store/index.js';
import { BIN, ncf, ROOT } from '../helpers/cli.js';
import { createDatabase, PG_URL } from '../store/postgres.js';

interface Served {
  child: ChildProcess;
  url: string;
}

/** `ncf serve` on a free port with `db`, once it has said where it listens and where the ratings are. */
async function serve(model: string, db: string): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--model', model, '--db', db, '--port', '0'], { cwd: ROOT });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await expect.poll(() => /profiles and ratings in /.test(out) || err, { timeout: 60_000, interval: 100 }).toBe(true);
  return { child, url: /on (http:\/\/\S+)/.exec(out)![1] };
}

const killed = async (s: Served): Promise<void> => {
  if (s.child.exitCode !== null) return;
  const exit = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGKILL');
  await exit;
};

async function newProfile(url: string): Promise<{ id: string; headers: Record<string, string> }> {
  const { id, token } = (await (await fetch(`${url}/api/profiles`, { method: 'POST' })).json()) as { id: string; token: string };
  return { id, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
}

describe('ncf serve --db', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ncf-serve-db-'));
  const model = join(dir, 'models', 'smoke.ncf');
  let movies: number[];
  beforeAll(async () => {
    const r = ncf([
      'train',
      '--config',
      'configs/smoke.json',
      '--set',
      `output.models=${join(dir, 'models')}`,
      '--set',
      `output.reports=${join(dir, 'reports')}`,
    ]);
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged rating through kill -9', async () => {
    const db = join(dir, 'db');
    const s = await serve(model, db);
    const acked = new Map<string, Map<number, number>>();
    try {
      movies = ((await (await fetch(`${s.url}/recommend?user=1&k=10`)).json()) as { items: { movieId: number }[] }).items.map((m) => m.movieId);
      const profiles = await Promise.all(Array.from({ length: 4 }, () => newProfile(s.url)));
      // 4 profiles × 10 movies, all at once.
      const puts = profiles.flatMap((p, a) =>
        movies.map(async (movieId, b) => {
          const rating = 1 + ((a + b) % 5);
          const res = await fetch(`${s.url}/api/profiles/${p.id}/ratings/${movieId}`, { method: 'PUT', headers: p.headers, body: JSON.stringify({ rating }) });
          if (res.status !== 200) return;
          if (!acked.has(p.id)) acked.set(p.id, new Map());
          acked.get(p.id)!.set(movieId, rating);
        }),
      );
      await Promise.all(puts);
    } finally {
      await killed(s);
    }
    expect([...acked.values()].reduce((n, m) => n + m.size, 0)).toBe(40);
    const reopened = await openDb(db);
    try {
      for (const [id, want] of acked) {
        const stored = await listRatings(reopened, id);
        expect(new Map(stored.map((r) => [r.movieId, r.rating]))).toEqual(want);
      }
    } finally {
      await reopened.close();
    }
  }, 120_000);

  const skip = PG_URL ? null : 'NCF_TEST_PG_URL is not set (.ci/run starts a PostgreSQL and sets it)';
  if (skip) console.log(`two servers on one PostgreSQL skipped: ${skip}`);
  it.skipIf(skip !== null)(
    'two servers on one PostgreSQL agree: a rating through one shows in the other at once',
    async () => {
      const database = await createDatabase(PG_URL!);
      const a = await serve(model, database.url);
      const b = await serve(model, database.url);
      try {
        const p = await newProfile(a.url);
        const recsOn = async (s: Served) =>
          (await (await fetch(`${s.url}/api/profiles/${p.id}/recommendations?k=5`, { headers: p.headers })).json()) as {
            mode: string;
            items: { movieId: number }[];
          };
        const like = (s: Served, movieId: number) =>
          fetch(`${s.url}/api/profiles/${p.id}/ratings/${movieId}`, { method: 'PUT', headers: p.headers, body: JSON.stringify({ like: true }) });
        const [m1, m2] = movies;
        expect((await like(a, m1)).status).toBe(200);
        expect((await like(a, m2)).status).toBe(200);
        const before = await recsOn(b); // cached on b
        expect(before.items.map((m) => m.movieId)).not.toContain(m1);
        expect((await recsOn(a)).items).toEqual(before.items);
        // A like through a of b's cached first movie: b's next answer leaves it out and equals a's.
        const m3 = before.items[0].movieId;
        expect((await like(a, m3)).status).toBe(200);
        await expect.poll(async () => (await recsOn(b)).items.map((m) => m.movieId).includes(m3), { timeout: 5000 }).toBe(false);
        expect((await recsOn(b)).items).toEqual((await recsOn(a)).items);
        // The ratings are one list, whichever server is asked.
        const list = async (s: Served) =>
          ((await (await fetch(`${s.url}/api/profiles/${p.id}/ratings`, { headers: p.headers })).json()) as { ratings: unknown[] }).ratings;
        expect(await list(b)).toEqual(await list(a));
        expect(await list(b)).toHaveLength(3);
      } finally {
        await killed(a);
        await killed(b);
        await database.drop();
      }
    },
    120_000,
  );
});
