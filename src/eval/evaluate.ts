/**
 * Leave-one-out evaluation of an engine's scores under two protocols, always labelled:
 *   sampled — the held-out item ranked among N negatives (He et al.: N = 99, their fixed file);
 *   full    — the held-out item ranked among every item the user has not trained on
 *             (Krichene & Rendle, KDD 2020: lower, and orders models more honestly).
 * An engine with a ranker (a GPU engine) counts the ranks beside its scores, which then never
 * come back to the host; the others' scores are ranked here.
 */
import type { ProgressFn, Ranker, RankingMetrics, Scorer } from '../core/evaluation.js';
import type { SplitData } from '../data/split.js';
import { rankAmongSampled, summarizeRanks } from './metrics.js';

/** `negatives` is (U × n) with rows of users without a test item ignored. */
export async function evaluateSampled(
  engine: Scorer,
  s: SplitData,
  negatives: Int32Array,
  n: number,
  k: number,
  onProgress?: ProgressFn,
): Promise<RankingMetrics> {
  const ranks = new Int32Array(s.numUsers).fill(-1);
  const evalUsers = usersWithTest(s);
  const chunk = 2048;
  const width = n + 1;
  const users = new Int32Array(chunk * width);
  const items = new Int32Array(chunk * width);
  const ranker = engine.ranker;
  for (let c = 0; c < evalUsers.length; c += chunk) {
    const part = evalUsers.subarray(c, Math.min(c + chunk, evalUsers.length));
    // Row layout per user: [test item, negative_1 .. negative_n].
    for (let a = 0; a < part.length; a++) {
      const u = part[a];
      const row = a * width;
      users.fill(u, row, row + width);
      items[row] = s.testItems[u];
      items.set(negatives.subarray(u * n, u * n + n), row + 1);
    }
    const m = part.length * width;
    if (ranker) {
      const r = await ranker.rankSampled(part, items.subarray(0, m), width);
      for (let a = 0; a < part.length; a++) ranks[part[a]] = r[a];
    } else {
      const scores = await engine.score(users.subarray(0, m), items.subarray(0, m));
      for (let a = 0; a < part.length; a++) {
        const row = a * width;
        ranks[part[a]] = rankAmongSampled(scores[row], items[row], scores, items, row + 1, row + width);
      }
    }
    onProgress?.(Math.min(c + chunk, evalUsers.length), evalUsers.length);
  }
  // Candidates per user: the held-out item and its negatives, less any copy of it among them.
  let copies = 0;
  for (const u of evalUsers) for (let j = 0; j < n; j++) if (negatives[u * n + j] === s.testItems[u]) copies++;
  return summarizeRanks(ranks, k, 'sampled', evalUsers.length ? width - copies / evalUsers.length : width);
}

export async function evaluateFullRanking(engine: Scorer, s: SplitData, k: number, onProgress?: ProgressFn): Promise<RankingMetrics> {
  const evalUsers = usersWithTest(s);
  let candidates = 0;
  for (const u of evalUsers) candidates += s.numItems - (s.train.offsets[u + 1] - s.train.offsets[u]);
  const ranks = engine.ranker ? await rankFullOnDevice(engine.ranker, s, evalUsers, onProgress) : await rankFullOnHost(engine, s, evalUsers, onProgress);
  const evaluated = evalUsers.length;
  return summarizeRanks(ranks, k, 'full', evaluated ? candidates / evaluated : 0);
}

async function rankFullOnDevice(ranker: Ranker, s: SplitData, evalUsers: Int32Array, onProgress?: ProgressFn): Promise<Int32Array> {
  const ranks = new Int32Array(s.numUsers).fill(-1);
  const chunk = 4096;
  for (let c = 0; c < evalUsers.length; c += chunk) {
    const part = evalUsers.subarray(c, Math.min(c + chunk, evalUsers.length));
    const r = await ranker.rankFull(
      s.train,
      part,
      part.map((u) => s.testItems[u]),
    );
    for (let a = 0; a < part.length; a++) ranks[part[a]] = r[a];
    onProgress?.(Math.min(c + chunk, evalUsers.length), evalUsers.length);
  }
  return ranks;
}

async function rankFullOnHost(engine: Scorer, s: SplitData, evalUsers: Int32Array, onProgress?: ProgressFn): Promise<Int32Array> {
  const ranks = new Int32Array(s.numUsers).fill(-1);
  const I = s.numItems;
  const chunk = Math.max(1, Math.floor(262144 / I));
  const users = new Int32Array(chunk * I);
  const items = new Int32Array(chunk * I);
  for (let a = 0; a < chunk; a++) for (let j = 0; j < I; j++) items[a * I + j] = j;
  for (let c = 0; c < evalUsers.length; c += chunk) {
    const part = evalUsers.subarray(c, Math.min(c + chunk, evalUsers.length));
    for (let a = 0; a < part.length; a++) users.fill(part[a], a * I, (a + 1) * I);
    const m = part.length * I;
    const scores = await engine.score(users.subarray(0, m), items.subarray(0, m));
    for (let a = 0; a < part.length; a++) {
      const u = part[a];
      const row = a * I;
      const test = s.testItems[u];
      const target = scores[row + test];
      // Count unseen items (not trained on, not the test item) scoring ≥ the test item: walk
      // the user's sorted training items alongside j to skip them. NaN counts against the test
      // item, as in rankAgainst: !(x < target) is false only when x < target holds, so it is
      // true for x ≥ target, for NaN x, and for every x when the target is NaN (any comparison
      // with NaN is false) — a NaN test item ranks last among the unseen items.
      let p = s.train.offsets[u];
      const pEnd = s.train.offsets[u + 1];
      const train = s.train.items;
      let r = 0;
      for (let j = 0; j < I; j++) {
        if (p < pEnd && train[p] === j) {
          p++;
          continue;
        }
        if (j !== test && !(scores[row + j] < target)) r++;
      }
      ranks[u] = r;
    }
    onProgress?.(Math.min(c + chunk, evalUsers.length), evalUsers.length);
  }
  return ranks;
}

function usersWithTest(s: SplitData): Int32Array {
  const out: number[] = [];
  for (let u = 0; u < s.numUsers; u++) if (s.testItems[u] >= 0) out.push(u);
  return Int32Array.from(out);
}
