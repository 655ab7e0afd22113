/** The append-only feedback log: a row per rating write or delete, and a NOTIFY naming the profile and the writer. */
import { NOTIFY_SQL, type Queryable } from './db.js';
import { isoTime } from './time.js';

/** Each notification's payload is a FeedbackNotice as JSON. */
export const FEEDBACK_CHANNEL = 'ncf_feedback';

export interface FeedbackNotice {
  /** The profile whose ratings changed. */
  profileId: string;
  /** Whoever wrote them, as they named themselves to putRating or deleteRating ('' for no name). */
  origin: string;
}

export interface FeedbackEvent {
  id: number;
  profileId: string;
  movieId: number;
  /** null for a like or a deletion. */
  rating: number | null;
  liked: boolean;
  /** The rating was deleted (rating null, liked false). */
  deleted: boolean;
  at: string;
}

export type FeedbackEntry = Omit<FeedbackEvent, 'id' | 'at'>;

/** Inside the rating's transaction: the row and the notification take effect when it commits. */
export async function appendFeedback(tx: Queryable, origin: string, entry: FeedbackEntry): Promise<void> {
  // One writer at a time until commit, so ids become visible in order and a reader resuming after
  // the last id it saw misses none (bigserial ids of concurrent transactions can commit out of order).
  await tx.query('LOCK TABLE feedback IN EXCLUSIVE MODE');
  await tx.query('INSERT INTO feedback (profile_id, movie_id, rating, liked, deleted) VALUES ($1, $2, $3, $4, $5)', [
    entry.profileId,
    entry.movieId,
    entry.rating,
    entry.liked,
    entry.deleted,
  ]);
  const notice: FeedbackNotice = { profileId: entry.profileId, origin };
  await tx.query(NOTIFY_SQL, [FEEDBACK_CHANNEL, JSON.stringify(notice)]);
}

/** The notice in a payload on FEEDBACK_CHANNEL; null for anything else sent there. */
export function parseFeedbackNotice(payload: string): FeedbackNotice | null {
  try {
    const v = JSON.parse(payload) as Partial<FeedbackNotice> | null;
    return typeof v?.profileId === 'string' && typeof v.origin === 'string' ? { profileId: v.profileId, origin: v.origin } : null;
  } catch {
    return null;
  }
}

interface FeedbackRow {
  id: number | string;
  profile_id: string;
  movie_id: number;
  rating: number | null;
  liked: boolean;
  deleted: boolean;
  at: Date;
}

/** Up to limit entries with an id above afterId (0 for the start), oldest first. */
export async function feedbackSince(db: Queryable, afterId: number, limit: number): Promise<FeedbackEvent[]> {
  const { rows } = await db.query<FeedbackRow>('SELECT id, profile_id, movie_id, rating, liked, deleted, at FROM feedback WHERE id > $1 ORDER BY id LIMIT $2', [
    afterId,
    limit,
  ]);
  return rows.map((r) => ({
    id: Number(r.id), // bigserial: pg returns int8 as a string
    profileId: r.profile_id,
    movieId: r.movie_id,
    rating: r.rating,
    liked: r.liked,
    deleted: r.deleted,
    at: isoTime(r.at),
  }));
}

/**
 * Each profile's movies as the feedback log leaves them (its last write per movie, deletions
 * applied), for the profiles in the order they first appear in the log; `keep` picks the ratings
 * that count (e.g. likes). Read in pages of `page` entries.
 */
export async function likesByProfile(
  db: Queryable,
  keep: (r: { rating: number | null; liked: boolean }) => boolean,
  page = 10_000,
): Promise<{ profiles: string[]; movies: number[][]; entries: number }> {
  const state = new Map<string, Map<number, { rating: number | null; liked: boolean }>>();
  let after = 0;
  let entries = 0;
  for (;;) {
    const batch = await feedbackSince(db, after, page);
    for (const e of batch) {
      const mine = state.get(e.profileId) ?? new Map();
      state.set(e.profileId, mine);
      if (e.deleted) mine.delete(e.movieId);
      else mine.set(e.movieId, { rating: e.rating, liked: e.liked });
    }
    entries += batch.length;
    if (batch.length < page) break;
    after = batch[batch.length - 1].id;
  }
  const profiles = [...state.keys()];
  const movies = profiles.map((p) => [...state.get(p)!].filter(([, r]) => keep(r)).map(([movieId]) => movieId));
  return { profiles, movies, entries };
}
