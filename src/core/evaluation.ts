/** What evaluation needs and gives: a scorer of (user, item) pairs, and ranking metrics. */

/** Scores for (users[k], items[k]): an engine, or a baseline. Higher ranks first. */
export interface Scorer {
  score(users: Int32Array, items: Int32Array): Promise<Float32Array>;
  /** Ranks counted where the scores are made (an engine's GPU), so that no score crosses to the host. */
  readonly ranker?: Ranker;
}

/** Each user's sorted training items, as CSR: user u's are items[offsets[u] … offsets[u + 1]). */
export interface TrainedItems {
  offsets: Int32Array;
  items: Int32Array;
}

/**
 * The held-out item's rank in each row, counted as eval/metrics.ts counts it on the host: the
 * candidates scoring at least as high, ties and NaN against the held-out item (a NaN held-out item
 * ranks last).
 */
export interface Ranker {
  /** Row a: users[a]'s item items[a·width] against items[a·width + 1 … (a + 1)·width), less any copy of that item. */
  rankSampled(users: Int32Array, items: Int32Array, width: number): Promise<Int32Array>;
  /** Row a: users[a]'s item heldOut[a] against every other item the user has not trained on. */
  rankFull(train: TrainedItems, users: Int32Array, heldOut: Int32Array): Promise<Int32Array>;
}

export type ProgressFn = (done: number, total: number) => void;

export type Protocol = 'sampled' | 'full' | 'both';

export interface RankingMetrics {
  protocol: 'sampled' | 'full';
  k: number;
  hr: number;
  ndcg: number;
  /** Users evaluated (those with a held-out item). */
  users: number;
  /** Candidates per user: 1 + negatives for 'sampled'; mean unseen items for 'full'. */
  candidates: number;
}
