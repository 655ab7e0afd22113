/**
 * The same cases on an embedded PGlite folder and on a PostgreSQL server (NCF_TEST_PG_URL; .ci/run
 * starts a throwaway PostgreSQL 15 and sets it, elsewhere those cases are skipped with the reason).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticate,
  createProfile,
  type Db,
  deleteRating,
  FEEDBACK_CHANNEL,
  parseFeedbackNotice,
  feedbackSince,
  listRatings,
  MIGRATIONS,
  migrate,
  openDb,
  putRating,
} from '../../src/store/index.js';
import { createDatabase, PG_URL } from './postgres.js';

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Target {
  /** A new, empty database: a folder or a URL. */
  fresh(): Promise<string>;
  /** Where a NOTIFY is listened for: a second openDb on a server, the same instance for PGlite (one process per folder). */
  listener(db: Db, target: string): Promise<Db>;
  cleanUp(): Promise<void>;
}

function pgliteTarget(): Target {
  const root = mkdtempSync(join(tmpdir(), 'ncf-store-'));
  let n = 0;
  return {
    fresh: async () => join(root, `db-${n++}`),
    listener: async (db) => db,
    cleanUp: async () => rmSync(root, { recursive: true, force: true }),
  };
}

function postgresTarget(serverUrl: string): Target {
  const drops: (() => Promise<void>)[] = [];
  return {
    fresh: async () => {
      const database = await createDatabase(serverUrl);
      drops.push(database.drop);
      return database.url;
    },
    listener: (_db, target) => openDb(target),
    cleanUp: async () => {
      for (const drop of drops) await drop();
    },
  };
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function storeCases(makeTarget: () => Target): void {
  let target: Target;
  let url: string;
  let db: Db;

  beforeAll(async () => {
    target = makeTarget();
    url = await target.fresh();
    db = await openDb(url);
  });

  afterAll(async () => {
    await db?.close();
    await target?.cleanUp();
  });

  const lastFeedbackId = async (): Promise<number> => (await feedbackSince(db, 0, 1_000_000)).at(-1)?.id ?? 0;

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const insert = "INSERT INTO profiles (id, token_hash) VALUES ($1, repeat('0', 64))";
    await expect(
      db.transaction(async (tx) => {
        await tx.query(insert, ['rolled-back']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.transaction(async (tx) => (await tx.query(insert, ['committed'])).rows.length)).toBe(0);
    const { rows } = await db.query<{ id: string }>("SELECT id FROM profiles WHERE id IN ('rolled-back', 'committed')");
    expect(rows).toEqual([{ id: 'committed' }]);
  });

  it("authenticates a profile's own token and no other", async () => {
    const a = await createProfile(db);
    const b = await createProfile(db);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
    expect(b.id).not.toBe(a.id);
    expect(await authenticate(db, a.id, a.token)).toBe(true);
    expect(await authenticate(db, b.id, b.token)).toBe(true);
    expect(await authenticate(db, a.id, b.token)).toBe(false);
    expect(await authenticate(db, b.id, a.token)).toBe(false);
    const oneCharOff = `${a.token.slice(0, -1)}${a.token.endsWith('A') ? 'B' : 'A'}`;
    expect(await authenticate(db, a.id, oneCharOff)).toBe(false);
    expect(await authenticate(db, a.id, '')).toBe(false);
    expect(await authenticate(db, 'no-such-profile', a.token)).toBe(false);
  });

  it("stores the token's SHA-256 and never the token", async () => {
    const { id, token } = await createProfile(db);
    const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM profiles WHERE id = $1', [id]);
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]).sort()).toEqual(['created_at', 'id', 'token_hash']);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    const values = Object.values(rows[0]).map((v) => (v instanceof Date ? v.toISOString() : String(v)));
    expect(values.filter((v) => v.includes(token))).toEqual([]);
  });

  it('upserts a rating, replaces it with a like, and deletes it', async () => {
    const { id } = await createProfile(db);
    const rated = await putRating(db, id, 2571, { rating: 4 });
    expect(rated).toEqual({ movieId: 2571, rating: 4, liked: false, at: expect.stringMatching(ISO_TIME) });
    expect(await listRatings(db, id)).toEqual([rated]);

    const liked = await putRating(db, id, 2571, { like: true });
    expect(liked).toEqual({ movieId: 2571, rating: null, liked: true, at: expect.stringMatching(ISO_TIME) });
    expect(liked.at >= rated.at).toBe(true);
    expect(await listRatings(db, id)).toEqual([liked]);

    const rerated = await putRating(db, id, 2571, { rating: 5 });
    expect(await listRatings(db, id)).toEqual([{ ...rerated, rating: 5, liked: false }]);

    expect(await deleteRating(db, id, 2571)).toBe(true);
    expect(await deleteRating(db, id, 2571)).toBe(false);
    expect(await listRatings(db, id)).toEqual([]);
  });

  it('rejects ratings outside 1..5 by CHECK, and rolls back their feedback', async () => {
    const { id } = await createProfile(db);
    const before = await lastFeedbackId();
    for (const rating of [0, 6, -1]) {
      await expect(putRating(db, id, 1, { rating })).rejects.toMatchObject({ code: '23514' }); // check_violation
    }
    const insert = 'INSERT INTO ratings (profile_id, movie_id, rating, liked) VALUES ($1, $2, $3, $4)';
    await expect(db.query(insert, [id, 1, null, false])).rejects.toMatchObject({ code: '23514' });
    await expect(db.query(insert, [id, 1, 0, true])).rejects.toMatchObject({ code: '23514' });
    expect(await listRatings(db, id)).toEqual([]);
    expect(await feedbackSince(db, before, 100)).toEqual([]);
    for (const rating of [1, 5]) expect((await putRating(db, id, rating, { rating })).rating).toBe(rating);
  });

  it("keeps two profiles' ratings apart, each oldest first", async () => {
    const a = await createProfile(db);
    const b = await createProfile(db);
    await putRating(db, a.id, 50, { rating: 5 });
    await putRating(db, b.id, 296, { rating: 2 });
    await putRating(db, a.id, 296, { like: true });
    await putRating(db, b.id, 1, { rating: 3 });
    const view = async (id: string) => (await listRatings(db, id)).map(({ movieId, rating, liked }) => ({ movieId, rating, liked }));
    expect(await view(a.id)).toEqual([
      { movieId: 50, rating: 5, liked: false },
      { movieId: 296, rating: null, liked: true },
    ]);
    expect(await view(b.id)).toEqual([
      { movieId: 296, rating: 2, liked: false },
      { movieId: 1, rating: 3, liked: false },
    ]);
    expect(await deleteRating(db, a.id, 296)).toBe(true);
    expect(await deleteRating(db, a.id, 1)).toBe(false);
    expect((await view(a.id)).map((r) => r.movieId)).toEqual([50]);
    expect((await view(b.id)).map((r) => r.movieId)).toEqual([296, 1]);
  });

  it('appends every write and delete to the feedback log, in order, with deletion markers', async () => {
    const { id } = await createProfile(db);
    const before = await lastFeedbackId();
    await putRating(db, id, 10, { rating: 5 });
    await putRating(db, id, 10, { like: true });
    await putRating(db, id, 11, { rating: 2 });
    await deleteRating(db, id, 10);
    await deleteRating(db, id, 99); // nothing to delete: nothing logged
    const log = await feedbackSince(db, before, 100);
    expect(log.map(({ id: _, at: __, ...entry }) => entry)).toEqual([
      { profileId: id, movieId: 10, rating: 5, liked: false, deleted: false },
      { profileId: id, movieId: 10, rating: null, liked: true, deleted: false },
      { profileId: id, movieId: 11, rating: 2, liked: false, deleted: false },
      { profileId: id, movieId: 10, rating: null, liked: false, deleted: true },
    ]);
    for (const entry of log) {
      expect(typeof entry.id).toBe('number');
      expect(entry.at).toMatch(ISO_TIME);
    }
    expect(log.map((e) => e.id)).toEqual([...log.map((e) => e.id)].sort((x, y) => x - y));
    expect(new Set(log.map((e) => e.id)).size).toBe(4);
    expect(await feedbackSince(db, before, 2)).toEqual(log.slice(0, 2));
    expect(await feedbackSince(db, log[1].id, 100)).toEqual(log.slice(2));
  });

  it('notifies ncf_feedback with the profile id and the writer’s origin on commit, and not for a rolled-back write', async () => {
    const listener = await target.listener(db, url);
    const payloads: string[] = [];
    const unlisten = await listener.listen(FEEDBACK_CHANNEL, (payload) => payloads.push(payload));
    try {
      const { id } = await createProfile(db);
      const notice = { profileId: id, origin: 'writer a' };
      await expect(putRating(db, id, 1, { rating: 9 }, 'writer a')).rejects.toThrow();
      await putRating(db, id, 1, { rating: 3 }, 'writer a');
      await until(() => payloads.length >= 1);
      expect(payloads.map(parseFeedbackNotice)).toEqual([notice]);
      await deleteRating(db, id, 1, 'writer a');
      await until(() => payloads.length >= 2);
      expect(payloads.map(parseFeedbackNotice)).toEqual([notice, notice]);
      await unlisten();
      await putRating(db, id, 2, { rating: 3 });
      await db.notify(FEEDBACK_CHANNEL, 'after unlisten');
      await new Promise((r) => setTimeout(r, 100));
      expect(payloads.length).toBe(2);
      for (const other of ['after unlisten', 'null', '{"profileId":"x"}', '{"profileId":1,"origin":"o"}']) expect(parseFeedbackNotice(other), other).toBeNull();
    } finally {
      if (listener !== db) await listener.close();
    }
  });

  it('applies each migration once: reopening applies none and keeps the data', async () => {
    const fresh = await target.fresh();
    const first = await openDb(fresh);
    const { id, token } = await createProfile(first);
    await putRating(first, id, 7, { rating: 1 });
    await first.close();
    const again = await openDb(fresh);
    try {
      expect(await migrate(again)).toEqual([]);
      const { rows } = await again.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
      expect(await authenticate(again, id, token)).toBe(true);
      expect((await listRatings(again, id)).map((r) => r.rating)).toEqual([1]);
    } finally {
      await again.close();
    }
  });
}

describe('the store on PGlite (a temporary folder)', () => storeCases(pgliteTarget));

if (PG_URL === undefined) {
  console.log('Skipping the store on PostgreSQL: set NCF_TEST_PG_URL=postgres://user@host:port/db (a user who may CREATE DATABASE); .ci/run starts one');
}

describe.skipIf(PG_URL === undefined)('the store on PostgreSQL (NCF_TEST_PG_URL)', () => {
  storeCases(() => postgresTarget(PG_URL!));

  it('lets several processes open one fresh database at once, migrating it once', async () => {
    const target = postgresTarget(PG_URL!);
    try {
      const url = await target.fresh();
      const dbs = await Promise.all(Array.from({ length: 4 }, () => openDb(url)));
      const { rows } = await dbs[0].query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      await Promise.all(dbs.map((db) => db.close()));
    } finally {
      await target.cleanUp();
    }
  });
});
