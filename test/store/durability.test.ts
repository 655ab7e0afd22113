/**
 * A rating survives kill -9 of the process that wrote it, once putRating has resolved. The child
 * runs the built store (dist/, which npm test builds first) since plain node cannot load .ts files.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listRatings, openDb } from '../../src/store/index.js';
import { ROOT } from '../helpers/cli.js';

const DIST_STORE = join(ROOT, 'dist/src/store/index.js');
const CHILD = join(ROOT, 'test/store/put-rating-child.mjs');

/** Resolves to the profile id the child printed, once it is dead of SIGKILL sent right after "ok". */
function putThenKill(folder: string): Promise<{ profileId: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, folder, DIST_STORE], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let profileId: string | undefined;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const ok = /^ok (\S+)\n/m.exec(stdout);
      if (ok && profileId === undefined) {
        profileId = ok[1];
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (profileId === undefined) reject(new Error(`the child ended before "ok": ${stderr || stdout}`));
      else resolve({ profileId, signal });
    });
  });
}

describe('PGlite durability', () => {
  const root = mkdtempSync(join(tmpdir(), 'ncf-durable-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('keeps a rating whose putRating resolved before the writer was killed with SIGKILL', async () => {
    expect(existsSync(DIST_STORE), `${DIST_STORE} is missing: build first (npx tsc -p tsconfig.json)`).toBe(true);
    const folder = join(root, 'db');
    const { profileId, signal } = await putThenKill(folder);
    expect(signal).toBe('SIGKILL');
    const db = await openDb(folder);
    try {
      expect((await listRatings(db, profileId)).map(({ movieId, rating, liked }) => ({ movieId, rating, liked }))).toEqual([
        { movieId: 1193, rating: 4, liked: false },
      ]);
    } finally {
      await db.close();
    }
  });
});
