/** The Db of a PostgreSQL server: queries on a pg.Pool, LISTEN on one client of its own. */
import pg from 'pg';
import { NcfError } from '../util/errors.js';
import { checkChannel, type Db, NOTIFY_SQL } from './db.js';
import { errorText } from './error-text.js';

const CONNECT_TIMEOUT_MS = 10_000;

export async function openPostgres(url: string): Promise<Db> {
  const where = redacted(url);
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client whose server went away emits 'error'; unhandled, it would end the process. The next query reports it.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new NcfError(`Cannot connect to the PostgreSQL server at ${where}: ${errorText(err)}`);
  }
  const notifications = new Notifications(pool);
  return {
    query: (sql, params) => queryOn(pool, sql, params),
    transaction: async (fn) => {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn({ query: (sql, params) => queryOn(client, sql, params) });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        client.release(broken); // true: a connection that cannot roll back is closed, not reused
      }
    },
    listen: (channel, onPayload) => notifications.listen(checkChannel(channel), onPayload),
    notify: async (channel, payload) => {
      await pool.query(NOTIFY_SQL, [checkChannel(channel), payload]);
    },
    close: async () => {
      await notifications.close();
      await pool.end();
    },
  };
}

/** pg types rows as QueryResultRow; the caller names the row type, as with PGlite. */
async function queryOn<T>(on: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]): Promise<{ rows: T[] }> {
  const result = await on.query(sql, params);
  return { rows: result.rows as T[] };
}

/** Every channel listened to shares one client taken from the pool on the first listen; a pooled query could not hold a LISTEN. */
class Notifications {
  readonly #pool: pg.Pool;
  #client: Promise<pg.PoolClient> | undefined;
  readonly #listeners = new Map<string, Set<(payload: string) => void>>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    const client = await this.#connected();
    let listeners = this.#listeners.get(channel);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
      await client.query(`LISTEN ${channel}`);
    }
    listeners.add(onPayload);
    return async () => {
      listeners.delete(onPayload);
      if (listeners.size === 0 && this.#listeners.get(channel) === listeners) {
        this.#listeners.delete(channel);
        await client.query(`UNLISTEN ${channel}`);
      }
    };
  }

  async close(): Promise<void> {
    if (this.#client === undefined) return;
    const client = await this.#client;
    this.#client = undefined;
    this.#listeners.clear();
    client.release(true);
  }

  #connected(): Promise<pg.PoolClient> {
    if (this.#client === undefined) {
      this.#client = this.#pool.connect().then((client) => {
        // A lost connection ends these listeners; the next listen() connects again.
        client.on('error', () => {
          this.#client = undefined;
          this.#listeners.clear();
        });
        client.on('notification', (n) => {
          for (const onPayload of this.#listeners.get(n.channel) ?? []) onPayload(n.payload ?? '');
        });
        return client;
      });
      this.#client.catch(() => {
        this.#client = undefined;
      });
    }
    return this.#client;
  }
}

/** The URL for messages: its password replaced. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}
