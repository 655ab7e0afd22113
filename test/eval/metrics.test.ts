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

describe('rankAgainst with NaN scores (they count against the held-out item)', () => {
  // A held-out item and 99 negatives: 100 candidates, ranks 0..99.
  const candidates = (negative: (j: number) => number): Float32Array => Float32Array.from({ length: 99 }, (_, j) => negative(j));

  it('a NaN held-out item ranks last among 100 candidates: rank 99, HR@10 = NDCG@10 = 0', () => {
    for (const negative of [(j: number) => j / 100, () => -1e30, () => Number.NEGATIVE_INFINITY, () => NaN]) {
      const r = rankAgainst(NaN, candidates(negative), 0, 99);
      expect(r).toBe(99);
      expect(hitRatioAt(r, 10)).toBe(0);
      expect(ndcgAt(r, 10)).toBe(0);
    }
    const m = summarizeRanks(
      Int32Array.from([
        rankAgainst(
          NaN,
          candidates(() => 0),
          0,
          99,
        ),
      ]),
      10,
      'sampled',
      100,
    );
    expect(m.hr).toBe(0);
    expect(m.ndcg).toBe(0);
  });
  it('a NaN held-out item ranks behind every candidate of its range only', () => {
    expect(rankAgainst(NaN, Float32Array.from([1, 2, 3, 4, 5]), 1, 4)).toBe(3);
    expect(rankAgainst(NaN, new Float32Array(0), 0, 0)).toBe(0);
  });
  it('a NaN competitor counts as scoring at least as high as a finite held-out item', () => {
    // held-out 0.5 vs [0.1, NaN, 0.2]: only NaN counts → rank 1 (was 0 before)
    expect(rankAgainst(0.5, Float32Array.from([0.1, NaN, 0.2]), 0, 3)).toBe(1);
    // Every negative NaN: the held-out item ranks last, whatever its score.
    expect(
      rankAgainst(
        1e30,
        candidates(() => NaN),
        0,
        99,
      ),
    ).toBe(99);
    expect(
      rankAgainst(
        Number.POSITIVE_INFINITY,
        candidates(() => NaN),
        0,
        99,
      ),
    ).toBe(99);
    // Nine NaN negatives above an otherwise top held-out item: still in the top 10, at rank 9.
    const r = rankAgainst(
      2,
      candidates((j) => (j < 9 ? NaN : 0)),
      0,
      99,
    );
    expect(r).toBe(9);
    expect(hitRatioAt(r, 10)).toBe(1);
    expect(ndcgAt(r, 10)).toBeCloseTo(1 / Math.log2(11), 12);
    // Ten: out of the top 10.
    const r10 = rankAgainst(
      2,
      candidates((j) => (j < 10 ? NaN : 0)),
      0,
      99,
    );
    expect(r10).toBe(10);
    expect(hitRatioAt(r10, 10)).toBe(0);
    expect(ndcgAt(r10, 10)).toBe(0);
  });
  it('infinite scores still compare as numbers', () => {
    expect(rankAgainst(Number.POSITIVE_INFINITY, Float32Array.from([Number.POSITIVE_INFINITY, 1e30]), 0, 2)).toBe(1);
    expect(rankAgainst(Number.NEGATIVE_INFINITY, Float32Array.from([Number.NEGATIVE_INFINITY, -1e30]), 0, 2)).toBe(2);
    expect(rankAgainst(0, Float32Array.from([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]), 0, 2)).toBe(1);
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
