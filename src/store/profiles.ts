/** Profiles: a random id and a bearer token, of which only the SHA-256 is stored. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from './db.js';

export interface NewProfile {
  id: string;
  /** Shown once: the database keeps only its hash. */
  token: string;
}

export async function createProfile(db: Queryable): Promise<NewProfile> {
  const id = randomBytes(16).toString('base64url');
  const token = randomBytes(32).toString('base64url');
  await db.query('INSERT INTO profiles (id, token_hash) VALUES ($1, $2)', [id, tokenHash(token)]);
  return { id, token };
}

/** Whether token is profile id's; false for an unknown id. */
export async function authenticate(db: Queryable, id: string, token: string): Promise<boolean> {
  const { rows } = await db.query<{ token_hash: string }>('SELECT token_hash FROM profiles WHERE id = $1', [id]);
  if (rows.length === 0) return false;
  return timingSafeEqual(Buffer.from(tokenHash(token), 'hex'), Buffer.from(rows[0].token_hash, 'hex'));
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
