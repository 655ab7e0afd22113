import { describe, expect, it } from 'vitest';
import { buildInteractions } from '../../src/data/interactions.js';
import type { SplitData } from '../../src/data/split.js';
import { evaluateFullRanking, evaluateSampled } from '../../src/eval/evaluate.js';
import { scoringEngine } from '../helpers/fake-engine.js';

// 3 users, 6 items. Train: u0 {0,1}, u1 {2}, u2 {} ; test: u0 → 5, u1 → 3, u2 → none.
function tiny(): SplitData {
  const train = buildInteractions(3, 6, Int32Array.from([0, 0, 1]), Int32Array.from([0, 1, 2]), 3);
  return {
    numUsers: 3,
    numItems: 6,
    train,
    testItems: Int32Array.from([5, 3, -1]),
    testNegatives: null,
    negativesPerUser: 0,
    userIds: Int32Array.from([0, 1, 2]),
    itemIds: Int32Array.from([0, 1, 2, 3, 4, 5]),
    movies: null,
  };
}
const shape = { type: 'gmf' as const, factors: 1, layers: [2, 1], embeddingStd: 0.01, numUsers: 3, numItems: 6 };

describe('evaluateSampled', () => {
  it('ranks the test item among its negatives, ties pessimistic, a copy of the test item no competitor', async () => {
    // score = item id: u0's test item 5 beats negatives [3, 4] → rank 0;
    // u1's test item 3 vs negatives [4, 3]: 4 higher; the other 3 is the test item itself, dropped → rank 1.
    const engine = scoringEngine(shape, (_u, i) => i);
    const negs = Int32Array.from([3, 4, 4, 3, -1, -1]);
    const k1 = await evaluateSampled(engine, tiny(), negs, 2, 1);
    expect(k1.users).toBe(2);
    expect(k1.hr).toBeCloseTo(0.5, 12); // only u0 is in the top 1
    expect(k1.candidates).toBeCloseTo(3 - 1 / 2, 12);
    const k2 = await evaluateSampled(engine, tiny(), negs, 2, 2);
    expect(k2.hr).toBeCloseTo(1, 12);
    expect(k2.ndcg).toBeCloseTo((1 + 1 / Math.log2(3)) / 2, 12);
    // Ties with other items still count against it: item 4 scoring 5 ties u0's test item 5 → rank 1.
    const tying = scoringEngine(shape, (_u, i) => (i === 4 ? 5 : i));
    const tied = await evaluateSampled(tying, tiny(), negs, 2, 1);
    expect(tied.hr).toBe(0);
  });

  it("gives He et al.'s evaluate.py figures where the held-out item is among its own negatives", async () => {
    // 4 users, 10 items, 5 negatives each; u0's and u2's lists hold their held-out item (2 and 7).
    // Expected: evaluate.py's getHitRatio/getNDCG (heapq.nlargest over scores keyed by item) run on
    // these scores: HR@1 0, HR@2 0, HR@3 0.5, NDCG@3 0.25 (counting the copies as ties gives HR@3 0).
    const train = buildInteractions(4, 10, new Int32Array(0), new Int32Array(0), 0);
    const s: SplitData = {
      numUsers: 4,
      numItems: 10,
      train,
      testItems: Int32Array.from([2, 5, 7, 0]),
      testNegatives: null,
      negativesPerUser: 5,
      userIds: Int32Array.from([0, 1, 2, 3]),
      itemIds: Int32Array.from({ length: 10 }, (_, i) => i),
      movies: null,
    };
    const negs = Int32Array.from([1, 2, 3, 4, 6, 5, 0, 1, 2, 3, 8, 9, 7, 6, 4, 0, 1, 2, 3, 9]);
    const engine = scoringEngine({ ...shape, numUsers: 4, numItems: 10 }, (u, i) => ((u * 7 + i * 3) % 10) + i / 100);
    const at = (k: number) => evaluateSampled(engine, s, negs, 5, k);
    expect((await at(1)).hr).toBe(0);
    expect((await at(2)).hr).toBe(0);
    const k3 = await at(3);
    expect(k3.hr).toBeCloseTo(0.5, 12);
    expect(k3.ndcg).toBeCloseTo(0.25, 12);
  });
});

describe('evaluateFullRanking', () => {
  it('ranks among every item the user has not trained on', async () => {
    // score = −item: u0 (train {0,1}, test 5): unseen others 2,3,4 all score higher → rank 3.
    // u1 (train {2}, test 3): unseen others 0,1,4,5; 0 and 1 score higher → rank 2.
    const engine = scoringEngine(shape, (_u, i) => -i);
    const m = await evaluateFullRanking(engine, tiny(), 3);
    expect(m.users).toBe(2);
    expect(m.hr).toBeCloseTo(0.5, 12);
    expect(m.ndcg).toBeCloseTo(0.5 * (1 / Math.log2(4)), 12);
    expect(m.candidates).toBeCloseTo((4 + 5) / 2, 12);
  });
  it('does not let training items push the test item down', async () => {
    // Training items score highest, but they are not candidates: u0 ranks first.
    const engine = scoringEngine(shape, (u, i) => (u === 0 && i < 2 ? 100 : i === 5 ? 50 : 0));
    const m = await evaluateFullRanking(engine, tiny(), 1);
    expect(m.hr).toBeCloseTo(0.5, 12);
  });
});

describe('NaN scores count against the held-out item', () => {
  // Two negatives each, neither a copy of the user's held-out item.
  const negs = Int32Array.from([3, 4, 4, 0, -1, -1]);

  it('a scorer that returns NaN for every pair scores exactly 0 under both protocols', async () => {
    // Every held-out item ranks last: k below the candidate count (3 sampled; 4 and 5 full) gets nothing.
    const engine = scoringEngine(shape, () => NaN);
    for (const k of [1, 2]) {
      const sampled = await evaluateSampled(engine, tiny(), negs, 2, k);
      expect(sampled.users).toBe(2);
      expect(sampled.hr).toBe(0);
      expect(sampled.ndcg).toBe(0);
    }
    for (const k of [1, 3]) {
      const full = await evaluateFullRanking(engine, tiny(), k);
      expect(full.users).toBe(2);
      expect(full.hr).toBe(0);
      expect(full.ndcg).toBe(0);
      expect(full.candidates).toBeCloseTo((4 + 5) / 2, 12);
    }
    // Only a K as large as the candidate list reaches the last place.
    const all = await evaluateSampled(engine, tiny(), negs, 2, 3);
    expect(all.hr).toBe(1);
    expect(all.ndcg).toBeCloseTo(1 / Math.log2(4), 12);
  });

  it('a NaN held-out item ranks last even when every other candidate scores -Infinity', async () => {
    // u0's test item 5, u1's test item 3 score NaN; every other item scores −∞ (or 0).
    for (const other of [Number.NEGATIVE_INFINITY, 0]) {
      const engine = scoringEngine(shape, (u, i) => ((u === 0 && i === 5) || (u === 1 && i === 3) ? NaN : other));
      // Sampled: 3 candidates (test + 2 negatives) → rank 2: in the top 3, out of the top 2.
      const k2 = await evaluateSampled(engine, tiny(), negs, 2, 2);
      expect(k2.hr).toBe(0);
      expect(k2.ndcg).toBe(0);
      const k3 = await evaluateSampled(engine, tiny(), negs, 2, 3);
      expect(k3.hr).toBe(1);
      expect(k3.ndcg).toBeCloseTo(1 / Math.log2(4), 12);
      // Full: u0 has 4 unseen items (rank 3), u1 has 5 (rank 4).
      const f3 = await evaluateFullRanking(engine, tiny(), 3);
      expect(f3.hr).toBe(0);
      expect(f3.ndcg).toBe(0);
      const f4 = await evaluateFullRanking(engine, tiny(), 4);
      expect(f4.hr).toBeCloseTo(0.5, 12);
      expect(f4.ndcg).toBeCloseTo(0.5 / Math.log2(5), 12);
      const f5 = await evaluateFullRanking(engine, tiny(), 5);
      expect(f5.hr).toBe(1);
      expect(f5.ndcg).toBeCloseTo((1 / Math.log2(5) + 1 / Math.log2(6)) / 2, 12);
    }
  });

  it('NaN competitors count against a finite held-out item', async () => {
    // The test items score 1, everything else NaN: ranked last everywhere.
    const engine = scoringEngine(shape, (u, i) => ((u === 0 && i === 5) || (u === 1 && i === 3) ? 1 : NaN));
    const sampled = await evaluateSampled(engine, tiny(), negs, 2, 2);
    expect(sampled.hr).toBe(0);
    expect(sampled.ndcg).toBe(0);
    const full = await evaluateFullRanking(engine, tiny(), 3);
    expect(full.hr).toBe(0);
    expect(full.ndcg).toBe(0);
    // One NaN competitor (item 4) above u0's top-scoring test item 5, training items ignored.
    const one = scoringEngine(shape, (u, i) => (i === 4 ? NaN : i === 5 ? 10 : u === 0 && i < 2 ? NaN : 0));
    const top1 = await evaluateFullRanking(one, tiny(), 1);
    expect(top1.hr).toBe(0); // u0 rank 1 (behind NaN item 4), u1 rank ≥ 1
    const top2 = await evaluateFullRanking(one, tiny(), 2);
    // u0: unseen 2,3,4 vs 10 → only NaN item 4 counts → rank 1; u1 (test 3 scores 0): 0,1,4,5 all count → rank 4.
    expect(top2.hr).toBeCloseTo(0.5, 12);
    expect(top2.ndcg).toBeCloseTo(0.5 / Math.log2(3), 12);
  });
});
