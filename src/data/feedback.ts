/**
 * People's ratings (the site's feedback log) as training data: each profile becomes a user after
 * the dataset's own, with the movies it likes as its interactions. Only training: such users hold
 * no held-out item, so the evaluation of the dataset's users is unchanged.
 */
import type { SplitData } from './split.js';

/** 1 and 2 stars say "not for me": such a rating is not an interaction to learn from or fold in. */
export const POSITIVE_RATING = 3;

export function isPositive(r: { rating: number | null; liked: boolean }): boolean {
  return r.liked || (r.rating ?? 0) >= POSITIVE_RATING;
}

export interface FeedbackUsers {
  /** Profiles added as users (those with at least one liked movie the dataset knows). */
  users: number;
  interactions: number;
  /** Liked movie ids the dataset does not hold, left out. */
  unknownMovies: number;
}

/**
 * `s` with a user per entry of `likes` (original movie ids), in that order, after the dataset's
 * users. Their ids in `userIds` are −1, −2, …: no MovieLens UserID, so no one can ask for their rows.
 */
export function withFeedbackUsers(s: SplitData, likes: number[][]): { data: SplitData; added: FeedbackUsers } {
  const dense = new Map<number, number>();
  for (const [i, id] of s.itemIds.entries()) dense.set(id, i);
  let unknownMovies = 0;
  const rows: Int32Array[] = [];
  for (const movies of likes) {
    const items = new Set<number>();
    for (const id of movies) {
      const i = dense.get(id);
      if (i === undefined) unknownMovies++;
      else items.add(i);
    }
    if (items.size > 0) rows.push(Int32Array.from(items).sort());
  }
  const U = s.numUsers;
  const P = rows.length;
  const interactions = rows.reduce((n, r) => n + r.length, 0);
  const offsets = new Int32Array(U + P + 1);
  offsets.set(s.train.offsets);
  const items = new Int32Array(s.train.items.length + interactions);
  items.set(s.train.items);
  let at = s.train.items.length;
  rows.forEach((r, k) => {
    items.set(r, at);
    at += r.length;
    offsets[U + k + 1] = at;
  });
  const padded = (a: Int32Array, per: number, fill: number): Int32Array => {
    const out = new Int32Array(a.length + P * per).fill(fill);
    out.set(a);
    return out;
  };
  const userIds = padded(s.userIds, 1, 0);
  for (let k = 0; k < P; k++) userIds[U + k] = -(k + 1);
  const data: SplitData = {
    ...s,
    numUsers: U + P,
    train: { numUsers: U + P, numItems: s.numItems, offsets, items },
    testItems: padded(s.testItems, 1, -1),
    // Never read (these users hold no held-out item); item 0 keeps the array well-formed.
    testNegatives: s.testNegatives && padded(s.testNegatives, s.negativesPerUser, 0),
    userIds,
    recentTrain: s.recentTrain && padded(s.recentTrain, s.recentTrain.length / U, -1),
  };
  return { data, added: { users: P, interactions, unknownMovies } };
}
