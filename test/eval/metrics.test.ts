import { describe, expect, it } from 'vitest';
import { hitRatioAt, ndcgAt, rankAgainst, summarizeRanks } from '../../src/eval/metrics.js';

describe('rankAgainst (0-based, ties against the held-out item)', () => {
  it('counts candidates scoring at least as high', () => {
    // held-out 0.5 vs [0.9, 0.5, 0.1, 0.7]: 0.9, 0.7 higher and 0.5 tied → rank 3
    expect(rankAgainst(0.5, Float32Array.from([0.9, 0.5, 0.1, 0.7]), 0, 4)).toBe(3);
    expect(rankAgainst(1, Float32Array.from([0.9, 0.5]), 0, 2)).toBe(0);
  });
  it('gives a constant model the worst rank', () => {
    expect(rankAgainst(0, new Float32Array(99), 0, 99)).toBe(99);
  });
  it('respects the range', () => {
    expect(rankAgainst(0.5, Float32Array.from([9, 9, 0.1, 0.7, 9]), 2, 4)).toBe(1);
  });
});

describe('HR@K and NDCG@K', () => {
  it('match the formulas', () => {
    expect(hitRatioAt(0, 10)).toBe(1);
    expect(hitRatioAt(9, 10)).toBe(1);
    expect(hitRatioAt(10, 10)).toBe(0);
    expect(ndcgAt(0, 10)).toBe(1); // 1/log2(2)
    expect(ndcgAt(1, 10)).toBeCloseTo(1 / Math.log2(3), 12); // 0.6309
    expect(ndcgAt(2, 10)).toBeCloseTo(0.5, 12); // 1/log2(4)
    expect(ndcgAt(6, 10)).toBeCloseTo(1 / 3, 12); // 1/log2(8)
    expect(ndcgAt(10, 10)).toBe(0);
  });
  it('average over evaluated users only', () => {
    // ranks 0, 2, 15 and one user without a test item (−1):
    // HR = (1 + 1 + 0) / 3; NDCG = (1 + 1/2 + 0) / 3
    const m = summarizeRanks(Int32Array.from([0, 2, -1, 15]), 10, 'sampled', 100);
    expect(m.users).toBe(3);
    expect(m.hr).toBeCloseTo(2 / 3, 12);
    expect(m.ndcg).toBeCloseTo(1.5 / 3, 12);
  });
});
