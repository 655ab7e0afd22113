/**
 * This browser's anonymous profile: made on the first rating and kept in localStorage, so a reload
 * (or a new tab) finds the same ratings. The token is the only key to them; nothing else is stored.
 */
import { ApiError, api, type Profile } from './api.js';

const KEY = 'ncf.profile';

export function storedProfile(): Profile | null {
  try {
    const p = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Profile | null;
    return p && typeof p.id === 'string' && typeof p.token === 'string' ? p : null;
  } catch {
    return null;
  }
}

export async function ensureProfile(): Promise<Profile> {
  const p = storedProfile();
  if (p) return p;
  const made = await api.createProfile();
  localStorage.setItem(KEY, JSON.stringify(made));
  return made;
}

/** Forgets a profile the server no longer knows (a new database); the next rating makes another. */
export function forgetIfUnknown(err: unknown): void {
  if (err instanceof ApiError && err.status === 401) localStorage.removeItem(KEY);
}
