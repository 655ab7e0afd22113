import { describe, expect, it } from 'vitest';
import { hasInteraction } from '../../src/data/interactions.js';
import { allocateInstances, instancesPerEpoch, sampleEvalNegatives, sampleTrainingInstances } from '../../src/data/sampling.js';
import { leaveOneOut, type SplitData } from '../../src/data/split.js';
import { Rng } from '../../src/util/rng.js';

/** 30 users × 50 items, each user with 10 items at random, timestamps increasing. */
function synthetic(): SplitData {
  const rng = new Rng(3);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < 30; u++) {
    const set = new Set<number>();
    while (set.size < 10) set.add(rng.nextInt(50));
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

describe('sampleTrainingInstances under bpr', () => {
  it('emits each positive once per negative, as (positive, negative) pairs of one user, shuffled as pairs', () => {
    const s = synthetic();
    const inst = allocateInstances(instancesPerEpoch(s.train, 3, 'bpr'));
    expect(inst.length).toBe(s.train.items.length * 6);
    sampleTrainingInstances(s.train, 3, new Rng(1), inst, 'bpr');
    const perPositive = new Map<string, number>();
    for (let k = 0; k < inst.length; k += 2) {
      expect(inst.users[k + 1]).toBe(inst.users[k]);
      expect(inst.labels[k]).toBe(1);
      expect(inst.labels[k + 1]).toBe(0);
      expect(hasInteraction(s.train, inst.users[k], inst.items[k])).toBe(true);
      expect(hasInteraction(s.train, inst.users[k + 1], inst.items[k + 1])).toBe(false);
      const key = `${inst.users[k]},${inst.items[k]}`;
      perPositive.set(key, (perPositive.get(key) ?? 0) + 1);
    }
    expect(perPositive.size).toBe(s.train.items.length);
    expect([...perPositive.values()].every((n) => n === 3)).toBe(true);
    // Shuffled: the first pairs are not one user's.
    expect(new Set(Array.from({ length: 10 }, (_, k) => inst.users[2 * k])).size).toBeGreaterThan(1);
  });

  it('draws the same negatives as bce for the same seed', () => {
    const s = synthetic();
    const negatives = (loss: 'bce' | 'bpr'): string[] => {
      const inst = sampleTrainingInstances(s.train, 2, new Rng(4), allocateInstances(instancesPerEpoch(s.train, 2, loss)), loss);
      const out: string[] = [];
      for (let k = 0; k < inst.length; k++) if (inst.labels[k] === 0) out.push(`${inst.users[k]},${inst.items[k]}`);
      return out.sort();
    };
    expect(negatives('bpr')).toEqual(negatives('bce'));
  });
});

describe('sampleTrainingInstances', () => {
  it('emits every positive once and 4 true negatives per positive', () => {
    const s = synthetic();
    const inst = allocateInstances(instancesPerEpoch(s.train, 4));
    sampleTrainingInstances(s.train, 4, new Rng(1), inst);
    expect(inst.length).toBe(s.train.items.length * 5);
    let pos = 0;
    const seen = new Set<string>();
    for (let k = 0; k < inst.length; k++) {
      const inTrain = hasInteraction(s.train, inst.users[k], inst.items[k]);
      if (inst.labels[k] === 1) {
        expect(inTrain).toBe(true);
        seen.add(`${inst.users[k]},${inst.items[k]}`);
        pos++;
      } else {
        expect(inst.labels[k]).toBe(0);
        expect(inTrain).toBe(false);
      }
    }
    expect(pos).toBe(s.train.items.length);
    expect(seen.size).toBe(pos);
  });

  it('is shuffled and deterministic for a seed', () => {
    const s = synthetic();
    const a = sampleTrainingInstances(s.train, 4, new Rng(9), allocateInstances(instancesPerEpoch(s.train, 4)));
    const b = sampleTrainingInstances(s.train, 4, new Rng(9), allocateInstances(instancesPerEpoch(s.train, 4)));
    const c = sampleTrainingInstances(s.train, 4, new Rng(10), allocateInstances(instancesPerEpoch(s.train, 4)));
    expect([...a.items]).toEqual([...b.items]);
    expect([...a.items]).not.toEqual([...c.items]);
    // Not in generation order: the first 5 rows are not one user's positive + its 4 negatives.
    expect(new Set(a.users.subarray(0, 20)).size).toBeGreaterThan(1);
  });

  it('draws negatives roughly uniformly over unseen items', () => {
    const s = synthetic();
    const inst = allocateInstances(instancesPerEpoch(s.train, 4));
    const counts = new Float64Array(50);
    for (let e = 0; e < 40; e++) {
      sampleTrainingInstances(s.train, 4, Rng.derive(5, e), inst);
      for (let k = 0; k < inst.length; k++) if (inst.users[k] === 0 && inst.labels[k] === 0) counts[inst.items[k]]++;
    }
    const unseen = [...counts].filter((_, i) => !hasInteraction(s.train, 0, i));
    const mean = unseen.reduce((a, b) => a + b, 0) / unseen.length;
    // 40 epochs × 9 positives × 4 = 1440 draws over 41 items: ~35 each; every item drawn, none wildly off.
    for (const c of unseen) expect(Math.abs(c - mean)).toBeLessThan(mean * 0.6);
  });
});

describe('sampleEvalNegatives', () => {
  it('draws distinct unseen items other than the test item', () => {
    const s = synthetic();
    const negs = sampleEvalNegatives(s, 20, new Rng(4));
    for (let u = 0; u < s.numUsers; u++) {
      const row = [...negs.subarray(u * 20, u * 20 + 20)];
      expect(new Set(row).size).toBe(20);
      for (const j of row) {
        expect(j).not.toBe(s.testItems[u]);
        expect(hasInteraction(s.train, u, j)).toBe(false);
      }
    }
    expect([...sampleEvalNegatives(s, 20, new Rng(4))]).toEqual([...negs]);
  });
  it('refuses when a user has too few unseen items', () => {
    expect(() => sampleEvalNegatives(synthetic(), 45, new Rng(4))).toThrow(/only 40 items left/);
  });
});
