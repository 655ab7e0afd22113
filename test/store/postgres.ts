/** A PostgreSQL database of its own per test run, on the server NCF_TEST_PG_URL names. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.NCF_TEST_PG_URL;

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `ncf_test_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(serverUrl, `DROP DATABASE ${name} WITH (FORCE)`) };
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
