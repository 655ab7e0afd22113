/** `ncf train --feedback <db>`: the site's ratings, read from the store's feedback log, added to the training data as users. */
import { type FeedbackUsers, isPositive, withFeedbackUsers } from '../data/feedback.js';
import type { SplitData } from '../data/split.js';
import { isPostgresUrl, likesByProfile, openDb } from '../store/index.js';

export interface FeedbackData {
  data: SplitData;
  added: FeedbackUsers & { entries: number; source: string };
}

export async function withFeedbackFrom(target: string, dataset: SplitData): Promise<FeedbackData> {
  const db = await openDb(target);
  try {
    const { movies, entries } = await likesByProfile(db, isPositive);
    const { data, added } = withFeedbackUsers(dataset, movies);
    return { data, added: { ...added, entries, source: isPostgresUrl(target) ? 'PostgreSQL' : target } };
  } finally {
    await db.close();
  }
}

export function feedbackLine(a: FeedbackData['added']): string {
  return (
    `feedback from ${a.source}: ${a.users} profiles with ${a.interactions} liked movies added as users ` +
    `(${a.entries} log entries${a.unknownMovies ? `; ${a.unknownMovies} movies the dataset does not hold left out` : ''})`
  );
}
