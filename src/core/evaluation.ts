/** What evaluation needs and gives: a scorer of (user, item) pairs, and ranking metrics. */

/** Scores for (users[k], items[k]): an engine, or a baseline. Higher ranks first. */
export interface Scorer {
  score(users: Int32Array, items: Int32Array): Promise<Float32Array>;
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
