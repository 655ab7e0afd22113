/**
 * The schema as an ordered list of migrations. Each is applied once, in its own transaction,
 * under an advisory lock, so two processes opening one fresh PostgreSQL database at once
 * apply it once between them. Append new migrations; never edit one that has shipped.
 */
import type { Db, Queryable } from './db.js';
import { errorText } from './error-text.js';

export interface Migration {
  version: number;
  name: string;
  /** One statement each (a query cannot hold several on PGlite). */
  sql: string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'profiles, ratings and the feedback log',
    sql: [
      `CREATE TABLE profiles (
        id text PRIMARY KEY,
        token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      // rated_or_liked: a rating of 1..5, or no rating and a like (coalesce, since a CHECK that is NULL passes).
      `CREATE TABLE ratings (
        profile_id text NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
        movie_id int NOT NULL,
        rating smallint,
        liked boolean NOT NULL DEFAULT false,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (profile_id, movie_id),
        CONSTRAINT rated_or_liked CHECK (coalesce(rating BETWEEN 1 AND 5, liked))
      )`,
      // feedback is append-only: a row per rating write or delete, for trainers reading it in id order.
      `CREATE TABLE feedback (
        id bigserial PRIMARY KEY,
        profile_id text NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
        movie_id int NOT NULL,
        rating smallint,
        liked boolean NOT NULL DEFAULT false,
        deleted boolean NOT NULL DEFAULT false,
        at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT write_or_delete CHECK (
          CASE WHEN deleted THEN rating IS NULL AND NOT liked ELSE coalesce(rating BETWEEN 1 AND 5, liked) END
        )
      )`,
    ],
  },
];

/** Any constant, the same in every process: pg_advisory_xact_lock's key for migrating. */
const MIGRATION_LOCK = 7_312_004_001;

/** Applies the migrations not yet applied, in order; resolves to the versions it applied. */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await db
      .transaction(async (tx) => {
        await lockMigrations(tx);
        if (await isApplied(tx, migration.version)) return true;
        for (const statement of migration.sql) await tx.query(statement);
        await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        return false;
      })
      .catch((err: unknown) => {
        throw new Error(`migration ${migration.version} (${migration.name}): ${errorText(err)}`);
      });
    if (!done) applied.push(migration.version);
  }
  return applied;
}

/** Held until the transaction ends; creating schema_migrations under it keeps concurrent CREATE TABLE IF NOT EXISTS from colliding. */
async function lockMigrations(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
  await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version int PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

async function isApplied(tx: Queryable, version: number): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version]);
  return rows.length > 0;
}
