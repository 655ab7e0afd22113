/**
 * Worker threads: results depend on the thread count only (bitwise repeatable), 1 and 2 threads
 * agree to rounding, state round-trips exactly, and split scoring equals single-thread scoring.
 * Workers run dist/engines/scratch/worker.js: build first (`npm test` does).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ScratchEngine } from '../../src/engines/scratch/engine.js';
import type { Instances, OptimizerName } from '../../src/core/training.js';
import { initWeights } from '../../src/models/weights.js';
import type { ModelShape, Weights } from '../../src/core/model.js';
import { randomInstances, randomWeights, referenceLogit, toWeights64 } from '../helpers/scratch-reference.js';

const shape: ModelShape = { type: 'neumf', factors: 4, layers: [16, 8, 4], embeddingStd: 0.1, numUsers: 40, numItems: 50 };
const range = (n: number): number[] => Array.from({ length: n }, (_, k) => k);
// 20 steps of 64 and a short last batch of 20.
const inst: Instances = randomInstances(20 * 64 + 20, range(40), range(50), 5);

const engines: ScratchEngine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
});
async function make(threads: number, name: OptimizerName, w: Weights = initWeights(shape, 3)): Promise<ScratchEngine> {
  const e = await ScratchEngine.create(shape, { optimizer: { name, lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, settings: { threads } });
  engines.push(e);
  await e.setWeights(w);
  return e;
}

function maxDiff(a: Weights, b: Weights): number {
  let m = 0;
  for (const [name, x] of a) {
    const y = b.get(name)!;
    for (let k = 0; k < x.length; k++) m = Math.max(m, Math.abs(x[k] - y[k]));
  }
  return m;
}

describe.each(['lazy_adam', 'adam', 'sgd'] as OptimizerName[])('%s', (opt) => {
  it('threads=2 twice gives bitwise the same losses and weights', async () => {
    const a = await make(2, opt);
    const b = await make(2, opt);
    expect(a.info.threads).toBe(2);
    const la = await a.trainSteps(inst, 64, 0, 21);
    const lb = await b.trainSteps(inst, 64, 0, 21);
    expect(Array.from(lb)).toEqual(Array.from(la));
    const wa = await a.getWeights();
    const wb = await b.getWeights();
    for (const [name, x] of wa) expect(wb.get(name), name).toEqual(x);
  });

  it('threads=1 and threads=2 agree to rounding after 21 steps (last one short)', async () => {
    const one = await make(1, opt);
    const two = await make(2, opt);
    const l1 = await one.trainSteps(inst, 64, 0, 21);
    const l2 = await two.trainSteps(inst, 64, 0, 21);
    for (let k = 0; k < 21; k++) expect(Math.abs(l1[k] - l2[k]), `step ${k}`).toBeLessThan(1e-4);
    expect(maxDiff(await one.getWeights(), await two.getWeights())).toBeLessThan(1e-3);
  });
});

it('three threads (shards folded before the update) agree with one thread', async () => {
  const one = await make(1, 'adam');
  const three = await make(3, 'adam');
  const l1 = await one.trainSteps(inst, 64, 0, 21);
  const l3 = await three.trainSteps(inst, 64, 0, 21);
  for (let k = 0; k < 21; k++) expect(Math.abs(l1[k] - l3[k]), `step ${k}`).toBeLessThan(1e-4);
  expect(maxDiff(await one.getWeights(), await three.getWeights())).toBeLessThan(1e-3);
});

describe('state', () => {
  it('getWeights returns what setWeights was given', async () => {
    const w = randomWeights(shape, 12);
    const e = await make(2, 'adam', w);
    const got = await e.getWeights();
    expect([...got.keys()]).toEqual([...w.keys()]);
    for (const [name, x] of w) expect(got.get(name)).toEqual(x);
  });

  it('weights + optimizer state round-trip: a fresh engine continues exactly', async () => {
    const a = await make(2, 'lazy_adam');
    await a.trainSteps(inst, 64, 0, 7);
    const w = await a.getWeights();
    const s = await a.getOptimizerState();
    expect(s.step).toBe(7);
    const b = await make(2, 'lazy_adam', w);
    await b.setOptimizerState(s);
    const s2 = await b.getOptimizerState();
    expect(s2.step).toBe(7);
    for (const [name, x] of s.slots) expect(s2.slots.get(name), name).toEqual(x);
    const la = await a.trainSteps(inst, 64, 7, 6);
    const lb = await b.trainSteps(inst, 64, 7, 6);
    expect(Array.from(lb)).toEqual(Array.from(la));
    const wa = await a.getWeights();
    const wb = await b.getWeights();
    for (const [name, x] of wa) expect(wb.get(name), name).toEqual(x);
  });

  it('sgd has no optimizer slots', async () => {
    const e = await make(2, 'sgd');
    expect((await e.getOptimizerState()).slots.size).toBe(0);
  });
});

describe('score', () => {
  it('split across threads equals one thread, bitwise, and matches the reference; tracks weight updates', async () => {
    const w = randomWeights(shape, 9, 0.3);
    const one = await make(1, 'adam', w);
    const two = await make(2, 'adam', w);
    const n = 3 * 16384 + 3; // above the split threshold, not a multiple of anything
    const users = Int32Array.from({ length: n }, (_, k) => (k * 7) % 40);
    const items = Int32Array.from({ length: n }, (_, k) => (k * 13 + (k >> 5)) % 50);
    const s1 = await one.score(users, items);
    const s2 = await two.score(users, items);
    expect(s2).toEqual(s1);
    const w64 = toWeights64(w);
    for (let k = 0; k < n; k += 997) {
      const want = referenceLogit(shape, w64, users[k], items[k]);
      expect(Math.abs(s1[k] - want)).toBeLessThan(1e-5 * (1 + Math.abs(want)));
    }
    // After training, scores follow the new weights (the precomputed tables are refreshed).
    await one.trainSteps(inst, 64, 0, 3);
    await two.trainSteps(inst, 64, 0, 3);
    const w1 = toWeights64(await one.getWeights());
    const t1 = await one.score(users, items);
    const t2 = await two.score(users, items);
    expect(Math.abs(t1[5] - s1[5])).toBeGreaterThan(1e-6);
    expect(Math.abs(t1[5] - referenceLogit(shape, w1, users[5], items[5]))).toBeLessThan(1e-5);
    let d = 0;
    for (let k = 0; k < n; k++) d = Math.max(d, Math.abs(t1[k] - t2[k]));
    expect(d).toBeLessThan(1e-3);
    // setWeights refreshes them too.
    await two.setWeights(w);
    expect(await two.score(users, items)).toEqual(s1);
  });
});
