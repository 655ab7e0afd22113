/** openDb on bad targets: one line that says what is wrong, as an NcfError. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPostgresUrl, openDb } from '../../src/store/index.js';
import { NcfError } from '../../src/util/errors.js';

async function openError(target: string): Promise<NcfError> {
  const err = await openDb(target).then(
    async (db) => {
      await db.close();
      throw new Error(`${target} opened`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NcfError);
  expect((err as NcfError).message).not.toContain('\n');
  return err as NcfError;
}

describe('openDb', () => {
  const root = mkdtempSync(join(tmpdir(), 'ncf-open-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('takes postgres:// and postgresql:// URLs for a server and anything else for a folder', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@h:5432/db')).toBe(true);
    expect(isPostgresUrl('data/ncf-db')).toBe(false);
    expect(isPostgresUrl('./postgres://x')).toBe(false);
  });

  it('refuses a file where the folder should be', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a database');
    expect((await openError(file)).message).toBe(`${file} is a file: the database needs a folder (or a postgres:// URL)`);
    expect((await openError(join(file, 'db'))).message).toMatch(/^Cannot create the database folder .*a-file\/db: ENOTDIR/);
  });

  it('refuses a folder holding other files rather than writing a database among them', async () => {
    const folder = join(root, 'photos');
    mkdirSync(folder);
    writeFileSync(join(folder, 'cat.jpg'), '');
    expect((await openError(folder)).message).toMatch(/photos holds other files and no database/);
  });

  it('says which server it could not reach, without the password', async () => {
    const err = await openError('postgres://ncf:s3cret@127.0.0.1:1/ncf');
    expect(err.message).toMatch(
      /^Cannot connect to the PostgreSQL server at postgres:\/\/ncf:\*\*\*@127\.0\.0\.1:1\/ncf: connect ECONNREFUSED 127\.0\.0\.1:1$/,
    );
    expect(err.message).not.toContain('s3cret');
    // localhost may resolve to ::1 and 127.0.0.1: Node reports both refusals as one AggregateError without a message.
    expect((await openError('postgres://ncf@localhost:1/ncf')).message).toMatch(/^Cannot connect .*localhost:1\/ncf: .*ECONNREFUSED/);
  });
});
