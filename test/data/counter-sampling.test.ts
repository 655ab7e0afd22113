/**
 * The counter-based sampler's reference (train.sampler "philox"): the epoch He et al. describe
 * (every positive once, K negatives each from outside the user's training items, uniform over
 * them), a true shuffle, the same draws under bce and bpr, and a pure function of (seed, epoch).
 */
import { describe, expect, it } from 'vitest';
import { counterPlan, sampleCounterInstances, shuffledBlock } from '../../src/data/counter-sampling.js';
import { buildInteractions, hasInteraction, type Interactions } from '../../src/data/interactions.js';
import { allocateInstances, instancesPerEpoch } from '../../src/data/sampling.js';
import type { Instances } from '../../src/core/training.js';

/** 7 users over 13 items, 0–5 items each (user 3 has none). */
function fixture(): Interactions {
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < 7; u++) {
    if (u === 3) continue;
    for (let k = 0; k <= u % 6; k++) {
      users.push(u);
      items.push((u * 5 + k * 3) % 13);
    }
  }
  return buildInteractions(7, 13, Int32Array.from(users), Int32Array.from(items), users.length);
}

const sample = (train: Interactions, K: number, seed: number, epoch: number, loss: 'bce' | 'bpr' = 'bce'): Instances =>
  sampleCounterInstances(train, K, seed, epoch, allocateInstances(instancesPerEpoch(train, K, loss)), loss);

const rows = (x: Instances): string[] => [...x.users].map((u, k) => `${u}:${x.items[k]}:${x.labels[k]}`);

/** χ² of observed counts against equal expectation. */
function chiSquare(counts: number[]): number {
  const e = counts.reduce((a, b) => a + b, 0) / counts.length;
  return counts.reduce((a, c) => a + (c - e) ** 2 / e, 0);
}

describe('the counter-based sampler', () => {
  it('shuffles with a bijection of the blocks, for any count', () => {
    const train = fixture();
    for (const blocks of [1, 2, 3, 5, 64, 1000, 4097]) {
      const plan = { ...counterPlan(train, 1, 'bce', 9, 2), blocks };
      const bits = Math.max(2, Math.ceil(Math.log2(Math.max(2, blocks))));
      plan.hiBits = bits >> 1;
      plan.loBits = bits - plan.hiBits;
      const seen = new Uint8Array(blocks);
      for (let q = 0; q < blocks; q++) seen[shuffledBlock(plan, q)]++;
      expect(
        seen.every((c) => c === 1),
        `${blocks} blocks`,
      ).toBe(true);
    }
  });

  it('puts every block first equally often across seeds, and moves most blocks', () => {
    const train = fixture();
    const counts = new Array(10).fill(0);
    let fixed = 0;
    for (let seed = 0; seed < 4000; seed++) {
      const plan = { ...counterPlan(train, 1, 'bce', seed, 1), blocks: 10 };
      plan.hiBits = 2;
      plan.loBits = 2;
      counts[shuffledBlock(plan, 0)]++;
      for (let q = 0; q < 10; q++) if (shuffledBlock(plan, q) === q) fixed++;
    }
    // 9 degrees of freedom: χ² above 27.9 has probability 0.001.
    expect(chiSquare(counts)).toBeLessThan(27.9);
    // A uniform permutation fixes one point on average.
    expect(fixed / 4000).toBeGreaterThan(0.8);
    expect(fixed / 4000).toBeLessThan(1.2);
  });

  it('emits every training positive once, and K negatives per positive from outside the user’s training items', () => {
    const train = fixture();
    const K = 4;
    const x = sample(train, K, 42, 3);
    const positives: string[] = [];
    const negativesPerUser = new Array(7).fill(0);
    for (let k = 0; k < x.length; k++) {
      if (x.labels[k] === 1) positives.push(`${x.users[k]}:${x.items[k]}`);
      else {
        expect(hasInteraction(train, x.users[k], x.items[k]), `instance ${k}`).toBe(false);
        negativesPerUser[x.users[k]]++;
      }
    }
    const expected: string[] = [];
    for (let u = 0; u < 7; u++) for (let p = train.offsets[u]; p < train.offsets[u + 1]; p++) expected.push(`${u}:${train.items[p]}`);
    expect(positives.sort()).toEqual(expected.sort());
    for (let u = 0; u < 7; u++) expect(negativesPerUser[u]).toBe(K * (train.offsets[u + 1] - train.offsets[u]));
  });

  it('draws negatives uniformly over the items the user has not trained on', () => {
    const train = buildInteractions(1, 12, Int32Array.of(0, 0, 0), Int32Array.of(2, 5, 11), 3);
    const x = sample(train, 3000, 7, 1);
    const counts = new Map<number, number>();
    for (let k = 0; k < x.length; k++) if (x.labels[k] === 0) counts.set(x.items[k], (counts.get(x.items[k]) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([0, 1, 3, 4, 6, 7, 8, 9, 10]);
    // 8 degrees of freedom: χ² above 26.1 has probability 0.001.
    expect(chiSquare([...counts.values()])).toBeLessThan(26.1);
  });

  it('is a function of (seed, epoch): the same twice, another order and other negatives for another epoch or seed', () => {
    const train = fixture();
    const a = rows(sample(train, 4, 42, 3));
    expect(rows(sample(train, 4, 42, 3))).toEqual(a);
    expect(rows(sample(train, 4, 42, 4))).not.toEqual(a);
    expect(rows(sample(train, 4, 43, 3))).not.toEqual(a);
    expect(rows(sample(train, 4, 42 + 2 ** 32, 3))).not.toEqual(a);
  });

  it('makes the same draws under bpr as under bce, as (positive, negative) pairs of one user', () => {
    const train = fixture();
    const bce = sample(train, 3, 5, 2);
    const bpr = sample(train, 3, 5, 2, 'bpr');
    const negatives = (x: Instances) =>
      [...x.users]
        .map((u, k) => `${u}:${x.items[k]}`)
        .filter((_, k) => x.labels[k] === 0)
        .sort();
    expect(negatives(bpr)).toEqual(negatives(bce));
    for (let k = 0; k < bpr.length; k += 2) {
      expect(bpr.labels[k]).toBe(1);
      expect(bpr.labels[k + 1]).toBe(0);
      expect(bpr.users[k + 1]).toBe(bpr.users[k]);
    }
  });

  it('refuses a user who has trained on every item, in one line', () => {
    const train = buildInteractions(1, 2, Int32Array.of(0, 0), Int32Array.of(0, 1), 2);
    expect(() => sample(train, 1, 1, 1)).toThrow('user 0 has interacted with every item: no negatives can be sampled');
  });
});
