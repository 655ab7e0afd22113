/**
 * Ranking metrics for one held-out item (He et al. 2017, §4.1). Ranks are 0-based: rank r means
 * r candidates scored at least as high as the held-out item. Ties count AGAINST the held-out item
 * (pessimistic), so a model that scores everything equally gets no credit. NaN scores count
 * against it too, so a diverged model scores 0 rather than a perfect 1: a held-out item scoring
 * NaN ranks last (every candidate counts as scoring at least as high), and a candidate scoring
 * NaN counts as scoring at least as high as the held-out item.
 */
import type { RankingMetrics } from '../core/evaluation.js';

/**
 * Number of scores in `scores[from..to)` that are ≥ `target` or NaN; every one of them when
 * `target` is NaN (the held-out item ranks last).
 */
export function rankAgainst(target: number, scores: Float32Array, from: number, to: number): number {
  // The target is tested once: a NaN one ranks last, behind every candidate.
  if (Number.isNaN(target)) return Math.max(0, to - from);
  let r = 0;
  // `!(s < target)`, not `s >= target`: both are true for s ≥ target, but `s < target` is false
  // when s is NaN (every comparison with NaN is false), so a NaN candidate counts as well. Same
  // cost per candidate.
  for (let k = from; k < to; k++) if (!(scores[k] < target)) r++;
  return r;
}

/**
 * rankAgainst over the sampled protocol's candidates: items[from … to) are the candidates' ids,
 * and one equal to the held-out item `targetItem` is no competitor — He et al.'s test.negative
 * lists the held-out item among a user's 99 negatives in 156 of ML-1M's 6,040 lines, and their
 * evaluate.py, keying scores by item, collapses such a copy into the held-out item. So it is
 * dropped, not counted as a tie.
 */
export function rankAmongSampled(target: number, targetItem: number, scores: Float32Array, items: Int32Array, from: number, to: number): number {
  let r = 0;
  for (let k = from; k < to; k++) if (items[k] !== targetItem && (Number.isNaN(target) || !(scores[k] < target))) r++;
  return r;
}

/** HR@K = 1 if the held-out item is among the top K (rank < K), else 0. */
export function hitRatioAt(rank: number, k: number): number {
  return rank < k ? 1 : 0;
}

/** NDCG@K with one relevant item = 1 / log2(rank + 2) if rank < K, else 0. */
export function ndcgAt(rank: number, k: number): number {
  return rank < k ? 1 / Math.log2(rank + 2) : 0;
}

/** Averages HR@K and NDCG@K over per-user ranks (−1 = user not evaluated). */
export function summarizeRanks(ranks: Int32Array, k: number, protocol: 'sampled' | 'full', candidates: number): RankingMetrics {
  let hr = 0;
  let ndcg = 0;
  let users = 0;
  for (const r of ranks) {
    if (r < 0) continue;
    hr += hitRatioAt(r, k);
    ndcg += ndcgAt(r, k);
    users++;
  }
  return { protocol, k, hr: users ? hr / users : 0, ndcg: users ? ndcg / users : 0, users, candidates };
}
