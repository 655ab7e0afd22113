/** openDb: a postgres:// URL opens a PostgreSQL server, anything else a PGlite folder; either way migrated to the latest schema. */
import { NcfError } from '../util/errors.js';
import type { Db } from './db.js';
import { errorText } from './error-text.js';
import { migrate } from './migrations.js';
import { openPglite } from './pglite-db.js';
import { openPostgres, redacted } from './postgres-db.js';

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//.test(target);
}

export async function openDb(target: string): Promise<Db> {
  const postgres = isPostgresUrl(target);
  const db = postgres ? await openPostgres(target) : await openPglite(target);
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw new NcfError(`Cannot bring the database at ${postgres ? redacted(target) : target} to the current schema: ${errorText(err)}`);
  }
  return db;
}
