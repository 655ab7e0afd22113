/**
 * The one interface the store's queries run on, implemented for an embedded PGlite folder
 * (pglite-db.ts) and for a PostgreSQL server (postgres-db.ts); openDb (open.ts) picks one.
 */

/** Something a query runs on: the database itself or one open transaction. */
export interface Queryable {
  /** One statement; `$1`, `$2`, … are bound to params. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface Db extends Queryable {
  /** Runs fn in one transaction: committed once fn resolves, rolled back if it throws. */
  transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R>;
  /** Calls onPayload with the payload of each notification on channel; resolves to the function that stops listening. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/** pg_notify takes any channel, LISTEN an identifier: plain lower-case names need no quoting in either. */
export function checkChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Channel ${JSON.stringify(channel)} is not a lower-case identifier`);
  return channel;
}

export const NOTIFY_SQL = 'SELECT pg_notify($1, $2)';
