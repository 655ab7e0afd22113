/**
 * The validation split: one training item per user held out (the latest where there are
 * timestamps, else one drawn from the seed), trained on the rest, its negatives never a positive
 * of the user (the test item included), and nothing of the test split touched.
 */
import { describe, expect, it } from 'vitest';
import { hasInteraction } from '../../src/data/interactions.js';
import { leaveOneOut, type SplitData } from '../../src/data/split.js';
import { validationSplit } from '../../src/data/validation.js';
import { Rng } from '../../src/util/rng.js';

/** 40 users × 60 items, 1–12 ratings each at increasing times; user 3 rates twice (1 training item). */
function split(): SplitData {
  const rng = new Rng(4);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < 40; u++) {
    const set = new Set<number>();
    const n = u === 3 ? 2 : 2 + rng.nextInt(11);
    while (set.size < n) set.add(rng.nextInt(60));
    for (const i of set) {
      users.push(u);
      items.push(i);
    }
  }
  const n = users.length;
  return leaveOneOut({
    length: n,
    users: Int32Array.from(users),
    items: Int32Array.from(items),
    ratings: new Float32Array(n),
    timestamps: Uint32Array.from({ length: n }, (_, k) => k),
  });
}

const trainOf = (s: SplitData, u: number): number[] => [...s.train.items.subarray(s.train.offsets[u], s.train.offsets[u + 1])];

describe('the validation split', () => {
  const s = split();
  const v = validationSplit(s, 5, 7);

  it('holds out each user’s latest training item and trains on the rest', () => {
    for (let u = 0; u < s.numUsers; u++) {
      const before = trainOf(s, u);
      if (before.length < 2) {
        expect(v.testItems[u], `user ${u}`).toBe(-1);
        expect(trainOf(v, u)).toEqual(before);
        continue;
      }
      // Rows come in time order per user, so the latest training item is the last one rated before the test row.
      expect(v.testItems[u], `user ${u}`).toBe(s.recentTrain![u * 10]);
      expect(trainOf(v, u)).toEqual(before.filter((i) => i !== v.testItems[u]));
    }
    expect(v.testItems[3]).toBe(-1);
    expect(v.train.items.length).toBe(s.train.items.length - [...v.testItems].filter((t) => t >= 0).length);
  });

  it('draws negatives the user never interacted with: not trained, not validation, not the test item', () => {
    for (let u = 0; u < s.numUsers; u++) {
      if (v.testItems[u] < 0) continue;
      const negs = [...v.testNegatives!.subarray(u * 5, (u + 1) * 5)];
      expect(new Set(negs).size).toBe(5);
      for (const j of negs) {
        expect(j).not.toBe(v.testItems[u]);
        expect(j).not.toBe(s.testItems[u]);
        expect(hasInteraction(s.train, u, j)).toBe(false);
      }
    }
  });

  it('leaves the dataset’s split as it was, and is a function of the seed', () => {
    expect(split()).toEqual(s);
    expect(validationSplit(s, 5, 7)).toEqual(v);
    expect(validationSplit(s, 5, 8).testNegatives).not.toEqual(v.testNegatives);
  });

  it('without timestamps holds out a training item drawn from the seed', () => {
    const plain: SplitData = { ...s, recentTrain: null };
    const a = validationSplit(plain, 5, 1);
    const b = validationSplit(plain, 5, 2);
    let differ = 0;
    for (let u = 0; u < s.numUsers; u++) {
      if (a.testItems[u] < 0) continue;
      expect(trainOf(s, u)).toContain(a.testItems[u]);
      expect(trainOf(a, u)).not.toContain(a.testItems[u]);
      if (a.testItems[u] !== b.testItems[u]) differ++;
    }
    expect(differ).toBeGreaterThan(10);
    expect(validationSplit(plain, 5, 1)).toEqual(a);
  });
});
