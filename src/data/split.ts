/**
 * Leave-one-out by timestamp (He et al. 2017, §4.1): each user's latest interaction is held out
 * for testing, everything else is training.
 *
 * Tie-break, deterministic and documented: among a user's interactions with the largest
 * timestamp, the one that comes LAST in the file is held out. Users with a single interaction
 * keep it for training and have no test item.
 */
import type { MovieInfo, RatingColumns } from './types.js';
import { denseIds } from './ids.js';
import { buildInteractions, hasInteraction, type Interactions } from './interactions.js';

/** Everything training and evaluation need, in dense ids. */
export interface SplitData {
  numUsers: number;
  numItems: number;
  train: Interactions;
  /** (U) the held-out item per user, −1 where the user has none. */
  testItems: Int32Array;
  /** (U × negativesPerUser) fixed evaluation negatives (He et al.'s file), or null to sample them. */
  testNegatives: Int32Array | null;
  negativesPerUser: number;
  /** dense → original ids. */
  userIds: Int32Array;
  itemIds: Int32Array;
  /** Metadata per dense item, where the dataset has it. */
  movies: (MovieInfo | undefined)[] | null;
  /**
   * (U × RECENT_TRAIN) each user's latest training items, newest first (a later row first on a
   * timestamp tie), −1 where the user has fewer; null where the files have no timestamps.
   */
  recentTrain?: Int32Array | null;
}

export const RECENT_TRAIN = 10;

export function leaveOneOut(cols: RatingColumns): SplitData {
  const n = cols.length;
  const users = denseIds(cols.users, n);
  const items = denseIds(cols.items, n);
  const U = users.original.length;
  const I = items.original.length;
  const ts = cols.timestamps;
  const latest = new Int32Array(U).fill(-1);
  const count = new Int32Array(U);
  for (let r = 0; r < n; r++) {
    const u = users.dense[r];
    count[u]++;
    const best = latest[u];
    if (best < 0 || ts[r] >= ts[best]) latest[u] = r; // ">=": a later row wins a tie
  }
  const testItems = new Int32Array(U).fill(-1);
  for (let u = 0; u < U; u++) if (count[u] >= 2) testItems[u] = items.dense[latest[u]];
  const isTestRow = (r: number): boolean => {
    const u = users.dense[r];
    // Drop every row of the held-out pair, so a duplicated rating cannot leak it into training.
    return testItems[u] >= 0 && items.dense[r] === testItems[u];
  };
  const train = buildInteractions(U, I, users.dense, items.dense, n, isTestRow);
  return {
    numUsers: U,
    numItems: I,
    train,
    testItems,
    testNegatives: null,
    negativesPerUser: 0,
    userIds: users.original,
    itemIds: items.original,
    movies: null,
    recentTrain: latestTrainItems(U, users.dense, items.dense, ts, n, isTestRow),
  };
}

/** Each user's RECENT_TRAIN newest training rows' items, kept sorted by insertion (rows are few per slot). */
export function latestTrainItems(U: number, users: Int32Array, items: Int32Array, ts: Uint32Array, n: number, skip: (r: number) => boolean): Int32Array {
  const R = RECENT_TRAIN;
  const rows = new Int32Array(U * R).fill(-1);
  // Row r is newer than row q when its timestamp is larger, or equal and it comes later in the file.
  const newer = (r: number, q: number): boolean => ts[r] > ts[q] || (ts[r] === ts[q] && r > q);
  for (let r = 0; r < n; r++) {
    if (skip(r)) continue;
    const base = users[r] * R;
    if (rows[base + R - 1] >= 0 && !newer(r, rows[base + R - 1])) continue;
    let p = R - 1;
    while (p > 0 && (rows[base + p - 1] < 0 || newer(r, rows[base + p - 1]))) {
      rows[base + p] = rows[base + p - 1];
      p--;
    }
    rows[base + p] = r;
  }
  const out = new Int32Array(U * R);
  for (let k = 0; k < out.length; k++) out[k] = rows[k] < 0 ? -1 : items[rows[k]];
  return out;
}

/** The test item must not be a training positive (used by tests and by NCF-file loading). */
export function assertNoLeak(s: SplitData): void {
  for (let u = 0; u < s.numUsers; u++) {
    if (s.testItems[u] >= 0 && hasInteraction(s.train, u, s.testItems[u])) {
      throw new Error(`user ${u}: test item ${s.testItems[u]} is also a training positive`);
    }
  }
}
