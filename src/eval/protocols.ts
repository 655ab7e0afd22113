/** The two evaluation protocols over a split: the sampled one's candidates, and scoring either or both with progress. */
import type { Config } from '../config/schema.js';
import { sampleEvalNegatives } from '../data/sampling.js';
import type { SplitData } from '../data/split.js';
import type { Protocol, RankingMetrics, Scorer } from '../core/evaluation.js';
import { evaluateFullRanking, evaluateSampled } from './evaluate.js';
import type { Progress } from '../util/progress.js';
import { Rng } from '../util/rng.js';

/** The sampled protocol's negatives: the dataset's own file where it has one, else drawn once from the seed. */
export function evalCandidates(c: Config, data: SplitData): { negatives: Int32Array; n: number } {
  if (data.testNegatives) return { negatives: data.testNegatives, n: data.negativesPerUser };
  const n = c.data.evalNegatives;
  return { negatives: sampleEvalNegatives(data, n, Rng.derive(c.seed, 0xe7a1)), n };
}

/** HR@K and NDCG@K of `scorer` under the protocols asked for, sampled first (with the config's candidates). */
export async function scoreProtocols(scorer: Scorer, c: Config, data: SplitData, protocol: Protocol, progress: Progress): Promise<RankingMetrics[]> {
  const metrics: RankingMetrics[] = [];
  const step = (d: number): void => progress.update(d);
  try {
    if (protocol !== 'full') {
      const { negatives, n } = evalCandidates(c, data);
      progress.start('sampled evaluation', data.numUsers, 'users');
      metrics.push(await evaluateSampled(scorer, data, negatives, n, c.eval.k, step));
    }
    if (protocol !== 'sampled') {
      progress.start('full-ranking evaluation', data.numUsers, 'users');
      metrics.push(await evaluateFullRanking(scorer, data, c.eval.k, step));
    }
    return metrics;
  } finally {
    progress.stop();
  }
}
