/** A profile's ratings: each write and delete goes to the feedback log in the same transaction. */
import type { Db, Queryable } from './db.js';
import { appendFeedback } from './feedback.js';
import { isoTime } from './time.js';

/** A rating of 1..5, or a like without a rating. */
export type RatingInput = { rating: number } | { like: true };

export interface StoredRating {
  /** MovieLens' own movie id. */
  movieId: number;
  rating: number | null;
  liked: boolean;
  at: string;
}

interface RatingRow {
  movie_id: number;
  rating: number | null;
  liked: boolean;
  at: Date;
}

const RATING_COLUMNS = 'movie_id, rating, liked, at';

/**
 * Inserts or replaces; durable once it resolves. A rating outside 1..5 fails the table's CHECK.
 * origin names the writer in the feedback notice (FeedbackNotice.origin).
 */
export async function putRating(db: Db, profileId: string, movieId: number, input: RatingInput, origin = ''): Promise<StoredRating> {
  const rating = 'rating' in input ? input.rating : null;
  const liked = 'like' in input && input.like;
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<RatingRow>(
      `INSERT INTO ratings (profile_id, movie_id, rating, liked) VALUES ($1, $2, $3, $4)
       ON CONFLICT (profile_id, movie_id) DO UPDATE SET rating = excluded.rating, liked = excluded.liked, at = excluded.at
       RETURNING ${RATING_COLUMNS}`,
      [profileId, movieId, rating, liked],
    );
    await appendFeedback(tx, origin, { profileId, movieId, rating, liked, deleted: false });
    return storedRating(rows[0]);
  });
}

/** Whether there was a rating to delete; only a deletion is logged. origin as for putRating. */
export async function deleteRating(db: Db, profileId: string, movieId: number, origin = ''): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query('DELETE FROM ratings WHERE profile_id = $1 AND movie_id = $2 RETURNING movie_id', [profileId, movieId]);
    if (rows.length === 0) return false;
    await appendFeedback(tx, origin, { profileId, movieId, rating: null, liked: false, deleted: true });
    return true;
  });
}

/** Oldest first. */
export async function listRatings(db: Queryable, profileId: string): Promise<StoredRating[]> {
  const { rows } = await db.query<RatingRow>(`SELECT ${RATING_COLUMNS} FROM ratings WHERE profile_id = $1 ORDER BY at, movie_id`, [profileId]);
  return rows.map(storedRating);
}

function storedRating(row: RatingRow): StoredRating {
  return { movieId: row.movie_id, rating: row.rating, liked: row.liked, at: isoTime(row.at) };
}
