/** The Db of an embedded PGlite (Postgres in WebAssembly) whose data lives in a folder. */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { NcfError } from '../util/errors.js';
import { checkChannel, type Db, NOTIFY_SQL } from './db.js';
import { errorText } from './error-text.js';

export async function openPglite(folder: string): Promise<Db> {
  prepareFolder(folder);
  let pg: PGlite;
  try {
    // relaxedDurability off (PGlite's default, spelled out): a query resolves only after its writes reached the folder.
    pg = await PGlite.create(folder, { relaxedDurability: false });
  } catch (err) {
    throw new NcfError(`Cannot open the PGlite database in ${folder}: ${errorText(err)}`);
  }
  return {
    query: (sql, params) => pg.query(sql, params),
    transaction: (fn) => pg.transaction((tx) => fn({ query: (sql, params) => tx.query(sql, params) })),
    listen: async (channel, onPayload) => {
      const unlisten = await pg.listen(checkChannel(channel), onPayload);
      return () => unlisten();
    },
    notify: async (channel, payload) => {
      await pg.query(NOTIFY_SQL, [checkChannel(channel), payload]);
    },
    close: () => pg.close(),
  };
}

/** PGlite would fail on a file with an empty message, and would write a database into a folder holding other files. */
function prepareFolder(folder: string): void {
  if (!existsSync(folder)) {
    try {
      mkdirSync(folder, { recursive: true });
    } catch (err) {
      throw new NcfError(`Cannot create the database folder ${folder}: ${errorText(err)}`);
    }
    return;
  }
  if (!statSync(folder).isDirectory()) throw new NcfError(`${folder} is a file: the database needs a folder (or a postgres:// URL)`);
  const entries = readdirSync(folder);
  if (entries.length > 0 && !entries.includes('PG_VERSION')) {
    throw new NcfError(`${folder} holds other files and no database (no PG_VERSION): give an empty or new folder`);
  }
}
