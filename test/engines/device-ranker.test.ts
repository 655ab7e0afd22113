/**
 * Every engine with a ranker (the fused WebGPU path) counts, for each model type, the ranks the
 * host counts from the same engine's scores: under the sampled protocol and the full ranking,
 * with ties (all scores equal) and NaN (a user's or an item's rows) counted against the held-out
 * item, and the metrics evaluation reports equal to the host's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Scorer } from '../../src/core/evaluation.js';
import type { ModelShape, Weights } from '../../src/core/model.js';
import { buildInteractions } from '../../src/data/interactions.js';
import { sampleEvalNegatives } from '../../src/data/sampling.js';
import type { SplitData } from '../../src/data/split.js';
import { createEngine, type Engine } from '../../src/engines/index.js';
import { evaluateFullRanking, evaluateSampled } from '../../src/eval/evaluate.js';
import { MODEL_TYPES } from '../../src/models/index.js';
import { initWeights } from '../../src/models/weights.js';
import { Rng } from '../../src/util/rng.js';
import { backendUnavailable } from '../helpers/backend-probe.js';

const skip = backendUnavailable('webgpu');
if (skip) console.log(`device ranker tests skipped: ${skip}`);

const U = 37;
const I = 211;
const N = 99;
const shapeOf = (type: string): ModelShape => ({ type, factors: 4, layers: [8, 4], embeddingStd: 0.5, numUsers: U, numItems: I });

/** 0–60 training items per user, a held-out item outside them (but for user 11), and users 5 and 20 without one. */
function split(): SplitData {
  const rng = new Rng(13);
  const users: number[] = [];
  const items: number[] = [];
  const testItems = new Int32Array(U);
  for (let u = 0; u < U; u++) {
    const set = new Set<number>();
    const n = rng.nextInt(61);
    while (set.size < n) set.add(rng.nextInt(I));
    for (const i of [...set].sort((a, b) => a - b)) {
      users.push(u);
      items.push(i);
    }
    let t = rng.nextInt(I);
    while (set.has(t)) t = rng.nextInt(I);
    // User 11's held-out item is among its training items (no split makes one, but the count must still skip it once).
    if (u === 11) t = Math.min(...set);
    testItems[u] = u === 5 || u === 20 ? -1 : t;
  }
  const train = buildInteractions(U, I, Int32Array.from(users), Int32Array.from(items), users.length);
  const ids = (n: number) => Int32Array.from({ length: n }, (_, k) => k);
  return { numUsers: U, numItems: I, train, testItems, testNegatives: null, negativesPerUser: N, userIds: ids(U), itemIds: ids(I), movies: null };
}

/** The host's count for one row, written out here: candidates scoring ≥ the held-out item or NaN; all of them when it is NaN. */
function countAgainst(held: number, candidates: Float32Array): number {
  if (Number.isNaN(held)) return candidates.length;
  return candidates.filter((s) => Number.isNaN(s) || s >= held).length;
}

/** `w` with the rows of `row` in every table of `side` ('user' or 'item') set to a NaN of these bits. */
function withNaNRow(w: Weights, side: 'user' | 'item', row: number, rows: number, bits = 0x7fc00000): Weights {
  const out: Weights = new Map([...w].map(([k, v]) => [k, v.slice()]));
  for (const [name, v] of out) {
    if (!name.includes(side)) continue;
    const width = v.length / rows;
    new Uint32Array(v.buffer).fill(bits, row * width, (row + 1) * width);
  }
  return out;
}

describe.skipIf(skip !== null)('the device ranker', () => {
  const made: Engine[] = [];
  afterAll(async () => {
    for (const e of made) await e.dispose();
  });
  const s = split();
  const negatives = sampleEvalNegatives(s, N, new Rng(3));
  const evalUsers = Int32Array.from({ length: U }, (_, u) => u).filter((u) => s.testItems[u] >= 0);
  const trainedBy = (u: number): Int32Array => s.train.items.subarray(s.train.offsets[u], s.train.offsets[u + 1]);
  /** The full ranking's candidates besides user u's held-out item: the items u has not trained on. */
  const others = (u: number): number => I - trainedBy(u).length - (trainedBy(u).includes(s.testItems[u]) ? 0 : 1);

  /** Per evaluated user: the host's sampled and full ranks from the engine's own scores. */
  const hostRanks = async (e: Engine): Promise<{ sampled: number[]; full: number[] }> => {
    const sampled: number[] = [];
    const full: number[] = [];
    for (const u of evalUsers) {
      const t = s.testItems[u];
      const cand = negatives.subarray(u * N, (u + 1) * N);
      const sc = await e.score(new Int32Array(N + 1).fill(u), Int32Array.of(t, ...cand));
      sampled.push(countAgainst(sc[0], sc.subarray(1)));
      const trained = new Set(trainedBy(u));
      const unseen = Int32Array.from({ length: I }, (_, j) => j).filter((j) => j !== t && !trained.has(j));
      const su = await e.score(new Int32Array(unseen.length + 1).fill(u), Int32Array.of(t, ...unseen));
      full.push(countAgainst(su[0], su.subarray(1)));
    }
    return { sampled, full };
  };
  const deviceRanks = async (e: Engine): Promise<{ sampled: number[]; full: number[] }> => {
    const items = new Int32Array(evalUsers.length * (N + 1));
    evalUsers.forEach((u, a) => {
      items[a * (N + 1)] = s.testItems[u];
      items.set(negatives.subarray(u * N, (u + 1) * N), a * (N + 1) + 1);
    });
    const sampled = await e.ranker!.rankSampled(evalUsers, items, N + 1);
    const full = await e.ranker!.rankFull(
      s.train,
      evalUsers,
      evalUsers.map((u) => s.testItems[u]),
    );
    return { sampled: [...sampled], full: [...full] };
  };

  for (const type of MODEL_TYPES) {
    it(`${type}: the host's ranks from the same scores, sampled and full, and the same metrics through evaluation`, async () => {
      const e = await createEngine('tfjs', shapeOf(type), {
        optimizer: { name: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
        settings: { backend: 'webgpu', kernels: 'fused' },
      });
      made.push(e);
      expect(e.ranker).toBeDefined();
      await e.setWeights(initWeights(e.shape, 21));
      const want = await hostRanks(e);
      // A spread of ranks, so that a wrong count cannot hide among ties.
      expect(new Set(want.full).size).toBeGreaterThan(10);
      expect(await deviceRanks(e)).toEqual(want);

      const plain: Scorer = { score: (u, i) => e.score(u, i) };
      for (const k of [1, 10, 50]) {
        expect(await evaluateSampled(e, s, negatives, N, k)).toEqual(await evaluateSampled(plain, s, negatives, N, k));
        expect(await evaluateFullRanking(e, s, k)).toEqual(await evaluateFullRanking(plain, s, k));
      }

      // Every score equal: every candidate ties, and counts against the held-out item.
      const zero: Weights = new Map([...(await e.getWeights())].map(([k, v]) => [k, new Float32Array(v.length)]));
      await e.setWeights(zero);
      const ties = await deviceRanks(e);
      expect(ties.sampled).toEqual(Array.from(evalUsers, () => N));
      expect(ties.full).toEqual(Array.from(evalUsers, others));

      // NaN, of either sign: user 3's rows and user 9's held-out item's rows are NaN (both rank
      // last wherever their score is NaN), and item 7, a negative NaN, counts against the held-out
      // item wherever it is a candidate. A ReLU may turn NaN into 0 (WGSL's max leaves it to the
      // GPU), so the "last" checks hold where the engine's own score is NaN.
      const t9 = s.testItems[9];
      const nan = withNaNRow(withNaNRow(withNaNRow(initWeights(e.shape, 21), 'user', 3, U), 'item', t9, I), 'item', 7, I, 0xffc00000);
      await e.setWeights(nan);
      const got = await deviceRanks(e);
      expect(got).toEqual(await hostRanks(e));
      let nanHeld = 0;
      for (const u of [3, 9]) {
        const a = evalUsers.indexOf(u);
        const [held] = await e.score(Int32Array.of(u), Int32Array.of(s.testItems[u]));
        if (!Number.isNaN(held)) continue;
        nanHeld++;
        expect(got.sampled[a], `user ${u}`).toBe(N);
        expect(got.full[a], `user ${u}`).toBe(others(u));
      }
      const with7 = evalUsers.filter((u) => u !== 3 && u !== 9 && negatives.subarray(u * N, (u + 1) * N).includes(7));
      expect(with7.length).toBeGreaterThan(0);
      const scores7 = await e.score(Int32Array.from(with7), new Int32Array(with7.length).fill(7));
      for (const [k, u] of with7.entries()) {
        if (Number.isNaN(scores7[k])) expect(got.sampled[evalUsers.indexOf(u)]).toBeGreaterThanOrEqual(1);
      }
      // The GMF product and the dot product carry NaN to the logit: those models must meet it.
      if (e.shape.type !== 'mlp') {
        expect(nanHeld).toBe(2);
        expect([...scores7].every(Number.isNaN)).toBe(true);
      }
    });
  }

  it('rows past one dispatch dimension, rows of zero, and copies of the held-out item: every rank in place', async () => {
    const e = await createEngine('tfjs', shapeOf('mf'), {
      optimizer: { name: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      settings: { backend: 'webgpu', kernels: 'fused' },
    });
    made.push(e);
    await e.setWeights(initWeights(e.shape, 2));
    expect([...(await e.ranker!.rankSampled(new Int32Array(0), new Int32Array(0), 3))]).toEqual([]);
    // 70,000 rows of width 2 (more workgroups than 65,535 in x): row a is user a % U with items (a % I, (a * 7) % I).
    const n = 70_000;
    const users = Int32Array.from({ length: n }, (_, a) => a % U);
    const items = new Int32Array(2 * n);
    for (let a = 0; a < n; a++) {
      items[2 * a] = a % I;
      items[2 * a + 1] = (a * 7) % I;
    }
    const got = await e.ranker!.rankSampled(users, items, 2);
    const sc = await e.score(
      Int32Array.from(items, (_, k) => users[k >> 1]),
      items,
    );
    // A candidate that is the held-out item itself (rows a ≡ 0 mod 211 here) is no competitor.
    const want = Int32Array.from({ length: n }, (_, a) => (items[2 * a + 1] === items[2 * a] ? 0 : countAgainst(sc[2 * a], sc.subarray(2 * a + 1, 2 * a + 2))));
    expect(want.filter((_, a) => items[2 * a + 1] === items[2 * a] && countAgainst(sc[2 * a], sc.subarray(2 * a + 1, 2 * a + 2)) === 1).length).toBeGreaterThan(
      300,
    );
    expect(got).toEqual(want);
  });
});
