/**
 * How well each cold-start answer would have done for real users: for a sample of users, hide
 * their history except `likes` random training movies, then rank their held-out test item among
 * the sampled protocol's candidates (the test item and its negatives) by
 *   fold-in        a user embedding fitted to the likes, the rest of the model frozen
 *   popularity     training interactions
 *   popularity+genres  popularity shaped by the likes' genres (the fallback below minLikes)
 *   model          the trained model with the user's whole history (what a known user gets)
 * Caveat: the item weights were trained with these users' interactions, so fold-in is measured on
 * users the items have "seen" — an optimistic setting; popularity is measured under the same one.
 */
import type { RankingMetrics } from '../core/evaluation.js';
import { rankAmongSampled, summarizeRanks } from '../eval/metrics.js';
import { Rng } from '../util/rng.js';
import type { Progress } from '../util/progress.js';
import type { Recommender } from './recommender.js';

export type ColdStartMethod = 'fold-in' | 'popularity' | 'popularity+genres' | 'model';

export interface ColdStartResult {
  likes: number;
  users: number;
  metrics: Record<ColdStartMethod, RankingMetrics>;
}

export async function evaluateColdStart(
  rec: Recommender,
  o: { users: number; likes: number; k: number; seed: number; progress?: Progress },
): Promise<ColdStartResult> {
  const cand = rec.evalCandidates();
  const rng = Rng.derive(o.seed, 0xc01d, o.likes);
  const eligible = cand.users.filter((u) => rec.trainingItems(u).length >= o.likes);
  const chosen = sample(eligible, o.users, rng);
  const width = cand.n + 1;
  const ranks = new Map<ColdStartMethod, Int32Array>(
    (['fold-in', 'popularity', 'popularity+genres', 'model'] as const).map((m) => [m, new Int32Array(chosen.length)]),
  );
  const rankOf = (scoreOf: (i: number) => number, u: number): number => {
    const s = new Float32Array(width);
    const items = Int32Array.of(cand.testItems[u], ...cand.negatives.subarray(u * cand.n, (u + 1) * cand.n));
    for (let j = 0; j < width; j++) s[j] = scoreOf(items[j]);
    return rankAmongSampled(s[0], items[0], s, items, 1, width);
  };
  o.progress?.start(`cold start, ${o.likes} likes`, chosen.length, 'users');
  for (let a = 0; a < chosen.length; a++) {
    const u = chosen[a];
    const likes = Int32Array.from(sample(Array.from(rec.trainingItems(u)), o.likes, rng));
    const folded = await rec.foldInScores(likes, o.seed + a);
    const genreScores = rec.popularityScores(likes);
    const model = await rec.userScores(u);
    ranks.get('fold-in')![a] = rankOf((i) => folded[i], u);
    ranks.get('popularity')![a] = rankOf((i) => rec.popularity[i], u);
    ranks.get('popularity+genres')![a] = rankOf((i) => genreScores[i], u);
    ranks.get('model')![a] = rankOf((i) => model[i], u);
    o.progress?.update(a + 1);
  }
  o.progress?.stop();
  const metrics = Object.fromEntries([...ranks].map(([m, r]) => [m, summarizeRanks(r, o.k, 'sampled', width)])) as ColdStartResult['metrics'];
  return { likes: o.likes, users: chosen.length, metrics };
}

/** `n` distinct elements of `xs` (all of them if fewer), by a partial Fisher–Yates shuffle. */
function sample<T>(xs: ArrayLike<T>, n: number, rng: Rng): T[] {
  const a = Array.from(xs);
  const m = Math.min(n, a.length);
  for (let k = 0; k < m; k++) {
    const j = k + rng.nextInt(a.length - k);
    [a[k], a[j]] = [a[j], a[k]];
  }
  return a.slice(0, m);
}
