import { describe, expect, it } from 'vitest';
import { buildInteractions } from '../../src/data/interactions.js';
import type { SplitData } from '../../src/data/split.js';
import { evaluateFullRanking, evaluateSampled } from '../../src/eval/evaluate.js';
import { scoringEngine } from '../helpers/fake-engine.js';

// 3 users, 6 items. Train: u0 {0,1}, u1 {2}, u2 {} ; test: u0 → 5, u1 → 3, u2 → none.
function tiny(): SplitData {
  const train = buildInteractions(3, 6, Int32Array.from([0, 0, 1]), Int32Array.from([0, 1, 2]), 3);
  return {
    numUsers: 3, numItems: 6, train, testItems: Int32Array.from([5, 3, -1]), testNegatives: null, negativesPerUser: 0,
    userIds: Int32Array.from([0, 1, 2]), itemIds: Int32Array.from([0, 1, 2, 3, 4, 5]), movies: null,
  };
}
const shape = { type: 'gmf' as const, factors: 1, layers: [2, 1], embeddingStd: 0.01, numUsers: 3, numItems: 6 };

describe('evaluateSampled', () => {
  it('ranks the test item among its negatives, ties pessimistic', async () => {
    // score = item id: u0's test item 5 beats negatives [3, 4] → rank 0;
    // u1's test item 3 vs negatives [4, 3]: 4 higher, the other 3 ties → rank 2.
    const engine = scoringEngine(shape, (_u, i) => i);
    const negs = Int32Array.from([3, 4, 4, 3, -1, -1]);
    const k1 = await evaluateSampled(engine, tiny(), negs, 2, 1);
    expect(k1.users).toBe(2);
    expect(k1.hr).toBeCloseTo(0.5, 12); // only u0 is in the top 1
    const k3 = await evaluateSampled(engine, tiny(), negs, 2, 3);
    expect(k3.hr).toBeCloseTo(1, 12);
    expect(k3.ndcg).toBeCloseTo((1 + 1 / Math.log2(4)) / 2, 12);
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
