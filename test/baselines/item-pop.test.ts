/** ItemPop: scores are training counts, and evaluation ranks by them (ties against the held-out item). */
import { describe, expect, it } from 'vitest';
import { ItemPop } from '../../src/baselines/item-pop.js';
import { buildInteractions } from '../../src/data/interactions.js';
import type { SplitData } from '../../src/data/split.js';
import { evaluateSampled } from '../../src/eval/evaluate.js';

// 4 users, 4 items. Training counts: item 0 ×3, item 1 ×1, item 2 ×2, item 3 ×2.
const users = Int32Array.from([0, 1, 2, 0, 1, 3, 2, 3]);
const items = Int32Array.from([0, 0, 0, 1, 2, 2, 3, 3]);
const train = buildInteractions(4, 4, users, items, users.length);

describe('ItemPop', () => {
  it("scores every pair by the item's training count", async () => {
    const pop = new ItemPop(train);
    expect([...pop.counts]).toEqual([3, 1, 2, 2]);
    expect([...(await pop.score(Int32Array.from([0, 3, 1]), Int32Array.from([2, 0, 1])))]).toEqual([2, 3, 1]);
  });

  it('ranks held-out items by popularity, ties counting against them', async () => {
    // Candidates per user: held-out item, then 2 negatives.
    const split: SplitData = {
      numUsers: 4,
      numItems: 4,
      train,
      negativesPerUser: 2,
      testItems: Int32Array.from([2, 0, 1, -1]), // user 3 has no test item
      testNegatives: Int32Array.from([3, 1, 1, 2, 0, 3, 0, 0]),
      userIds: Int32Array.from([1, 2, 3, 4]),
      itemIds: Int32Array.from([1, 2, 3, 4]),
      movies: null,
    };
    // user 0: item 2 (2) vs 3 (2), 1 (1) → rank 1 (the tie counts against it); user 1: item 0 (3) vs 1, 2 → rank 0;
    // user 2: item 1 (1) vs 0 (3), 3 (2) → rank 2.
    const at1 = await evaluateSampled(new ItemPop(train), split, split.testNegatives!, 2, 1);
    expect(at1).toMatchObject({ users: 3, hr: 1 / 3 });
    const at2 = await evaluateSampled(new ItemPop(train), split, split.testNegatives!, 2, 2);
    expect(at2.hr).toBeCloseTo(2 / 3, 12);
    expect(at2.ndcg).toBeCloseTo((1 / Math.log2(3) + 1) / 3, 12);
  });
});
