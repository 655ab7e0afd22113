import { describe, expect, it } from 'vitest';
import { denseIds } from '../../src/data/ids.js';
import { buildInteractions, hasInteraction } from '../../src/data/interactions.js';
import { assertNoLeak, leaveOneOut } from '../../src/data/split.js';
import type { RatingColumns } from '../../src/data/types.js';

function cols(rows: [user: number, item: number, ts: number][]): RatingColumns {
  return {
    length: rows.length,
    users: Int32Array.from(rows, (r) => r[0]),
    items: Int32Array.from(rows, (r) => r[1]),
    ratings: new Float32Array(rows.length).fill(1),
    timestamps: Uint32Array.from(rows, (r) => r[2]),
  };
}

describe('denseIds', () => {
  it('numbers ids in ascending order of the original id', () => {
    const m = denseIds(Int32Array.from([50, 7, 50, 1000, 7]), 5);
    expect([...m.original]).toEqual([7, 50, 1000]);
    expect([...m.dense]).toEqual([1, 0, 1, 2, 0]);
  });
});

describe('buildInteractions', () => {
  it('sorts, de-duplicates and answers membership', () => {
    const x = buildInteractions(2, 5, Int32Array.from([1, 0, 1, 1, 0]), Int32Array.from([4, 2, 0, 4, 1]), 5);
    expect([...x.offsets]).toEqual([0, 2, 4]);
    expect([...x.items]).toEqual([1, 2, 0, 4]);
    expect(hasInteraction(x, 1, 4)).toBe(true);
    expect(hasInteraction(x, 1, 2)).toBe(false);
    expect(hasInteraction(x, 0, 0)).toBe(false);
  });
});

describe('leaveOneOut', () => {
  it("holds out each user's latest item", () => {
    const s = leaveOneOut(
      cols([
        [10, 100, 5],
        [10, 200, 9],
        [10, 300, 7],
        [20, 100, 1],
        [20, 300, 2],
      ]),
    );
    // users 10→0, 20→1; items 100→0, 200→1, 300→2
    expect([...s.testItems]).toEqual([1, 2]);
    expect([...s.train.items.subarray(s.train.offsets[0], s.train.offsets[1])]).toEqual([0, 2]);
    expect([...s.train.items.subarray(s.train.offsets[1], s.train.offsets[2])]).toEqual([0]);
    assertNoLeak(s);
  });

  it('breaks a timestamp tie by taking the row that comes later in the file', () => {
    const s = leaveOneOut(
      cols([
        [1, 30, 9],
        [1, 10, 9],
        [1, 20, 3],
      ]),
    );
    expect(s.itemIds[s.testItems[0]]).toBe(10);
    const r = leaveOneOut(
      cols([
        [1, 10, 9],
        [1, 30, 9],
        [1, 20, 3],
      ]),
    );
    expect(r.itemIds[r.testItems[0]]).toBe(30);
  });

  it('keeps a single-interaction user for training only', () => {
    const s = leaveOneOut(
      cols([
        [1, 10, 1],
        [2, 10, 1],
        [2, 20, 2],
      ]),
    );
    expect(s.testItems[0]).toBe(-1);
    expect(s.train.offsets[1] - s.train.offsets[0]).toBe(1);
  });

  it('drops a duplicated held-out pair from training (no leak)', () => {
    const s = leaveOneOut(
      cols([
        [1, 10, 1],
        [1, 20, 2],
        [1, 20, 8],
      ]),
    );
    expect(s.itemIds[s.testItems[0]]).toBe(20);
    assertNoLeak(s);
  });
});

describe('recentTrain', () => {
  it("keeps each user's newest training items, newest first, a later row first on a tie, the test item out", () => {
    // User 1: 12 training rows at times 1..12 in shuffled file order, plus the test row at 99.
    const times = [5, 12, 1, 9, 3, 11, 7, 2, 10, 4, 8, 6];
    const rows: [number, number, number][] = times.map((t) => [1, 100 + t, t]);
    rows.push([1, 500, 99]);
    // User 2: two rows at the same time (the later one in the file is newer), then its test row.
    rows.push([2, 100 + 1, 50], [2, 100 + 2, 50], [2, 100 + 3, 60]);
    const s = leaveOneOut(cols(rows));
    const R = 10;
    const itemId = (i: number): number => (i < 0 ? -1 : s.itemIds[i]);
    expect(Array.from(s.recentTrain!.subarray(0, R), itemId)).toEqual([112, 111, 110, 109, 108, 107, 106, 105, 104, 103]);
    expect(Array.from(s.recentTrain!.subarray(R, 2 * R), itemId)).toEqual([102, 101, -1, -1, -1, -1, -1, -1, -1, -1]);
  });
});
