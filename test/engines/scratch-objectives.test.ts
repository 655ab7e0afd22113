/**
 * MF with biases, BPR and L2 in the scratch engine: gradients against central finite differences
 * of the reference objective, scores against the reference logits, one SGD step against Rendle
 * et al.'s update written out by hand, and 2 threads against 1.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ScratchEngine } from '../../src/engines/scratch/engine.js';
import type { Instances, Objective, OptimizerConfig } from '../../src/core/training.js';
import { initWeights } from '../../src/models/weights.js';
import { paramSpecs, type ModelType } from '../../src/models/index.js';
import type { ModelShape, Weights } from '../../src/core/model.js';
import { Rng } from '../../src/util/rng.js';
import {
  makeInstances,
  randomInstances,
  randomWeights,
  referenceLogit,
  referenceObjective,
  toWeights64,
  type Weights64,
} from '../helpers/scratch-reference.js';

const SGD: OptimizerConfig = { name: 'sgd', lr: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

const engines: ScratchEngine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
});
async function engineWith(shape: ModelShape, w: Weights, objective: Objective, threads = 1, optimizer = SGD): Promise<ScratchEngine> {
  const e = await ScratchEngine.create(shape, { optimizer, objective, settings: { threads } });
  engines.push(e);
  await e.setWeights(w);
  return e;
}

function tinyShape(type: ModelType): ModelShape {
  return { type, factors: 3, layers: [8, 6, 4], embeddingStd: 0.3, numUsers: 5, numItems: 7 };
}

const TOUCHED_USERS = [0, 1, 3];
const TOUCHED_ITEMS = [0, 2, 3, 5];

/** `n` BPR pairs over the touched users and items: (u, i, 1) then (u, j, 0) with j ≠ i. */
function randomPairs(n: number, seed: number): Instances {
  const rng = new Rng(seed);
  const u: number[] = [];
  const i: number[] = [];
  const y: number[] = [];
  for (let k = 0; k < n; k++) {
    const user = TOUCHED_USERS[rng.nextInt(TOUCHED_USERS.length)];
    const pos = TOUCHED_ITEMS[rng.nextInt(TOUCHED_ITEMS.length)];
    let neg = pos;
    while (neg === pos) neg = TOUCHED_ITEMS[rng.nextInt(TOUCHED_ITEMS.length)];
    u.push(user, user);
    i.push(pos, neg);
    y.push(1, 0);
  }
  return makeInstances(u, i, y);
}

function fdGrad(shape: ModelShape, w64: Weights64, inst: Instances, start: number, end: number, obj: Objective, name: string, k: number): number {
  const t = w64.get(name)!;
  const orig = t[k];
  const h = 1e-6;
  t[k] = orig + h;
  const lp = referenceObjective(shape, w64, inst, start, end, obj);
  t[k] = orig - h;
  const lm = referenceObjective(shape, w64, inst, start, end, obj);
  t[k] = orig;
  return (lp - lm) / (2 * h);
}

function maxAbs(grads: Weights): number {
  let m = 0;
  for (const g of grads.values()) for (const x of g) m = Math.max(m, Math.abs(x));
  return m;
}

const CASES: [ModelType, Objective][] = [
  ['mf', { loss: 'bce', l2: 0 }],
  ['mf', { loss: 'bce', l2: 0.1 }],
  ['mf', { loss: 'bpr', l2: 0 }],
  ['mf', { loss: 'bpr', l2: 0.05 }],
  ['gmf', { loss: 'bpr', l2: 0.1 }],
  ['neumf', { loss: 'bpr', l2: 0.1 }],
  ['neumf', { loss: 'bce', l2: 0.1 }],
];

describe.each(CASES)('%s with %o', (type, obj) => {
  const shape = tinyShape(type);
  const w = randomWeights(shape, 17 + type.length, 0.3);
  const w64 = toWeights64(w);
  // 12 pairs (bpr) or 24 single instances (bce), touching users {0,1,3} and items {0,2,3,5} only.
  const inst = obj.loss === 'bpr' ? randomPairs(12, 8) : randomInstances(24, TOUCHED_USERS, TOUCHED_ITEMS, 8);

  for (const [start, end] of [
    [0, 24],
    [4, 10],
    [6, 8],
  ]) {
    it(`gradients over [${start}, ${end}) match finite differences of the objective; untouched rows are 0`, async () => {
      const e = await engineWith(shape, w, obj);
      const { loss, grads } = await e.gradients(inst, start, end);
      // The reported loss is the data term alone.
      expect(loss).toBeCloseTo(referenceObjective(shape, w64, inst, start, end, { ...obj, l2: 0 }), 9);
      const scale = maxAbs(grads);
      expect(scale).toBeGreaterThan(1e-3);
      let checked = 0;
      for (const p of paramSpecs(shape)) {
        const g = grads.get(p.name)!;
        const isUser = p.rows === 'users';
        const isItem = p.rows === 'items';
        const touched = new Set<number>();
        for (let s = start; s < end; s++) touched.add(isUser ? inst.users[s] : inst.items[s]);
        for (let k = 0; k < g.length; k++) {
          const row = Math.floor(k / (p.shape[1] ?? 1));
          if ((isUser || isItem) && !touched.has(row)) {
            expect(g[k], `${p.name}[${k}] (row ${row} untouched)`).toBe(0);
            continue;
          }
          const want = fdGrad(shape, w64, inst, start, end, obj, p.name, k);
          const tol = 2e-5 * scale + 1e-3 * Math.abs(want);
          if (!(Math.abs(g[k] - want) <= tol)) throw new Error(`${type} ${p.name}[${k}]: analytic ${g[k]}, finite difference ${want}`);
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(10);
    });
  }
});

describe('mf', () => {
  const shape = tinyShape('mf');

  it('has the parameters b, b_u, b_i, P, Q and initialises the biases to 0', () => {
    expect(paramSpecs(shape).map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual([
      'mf_user:5x3',
      'mf_item:7x3',
      'user_bias:5x1',
      'item_bias:7x1',
      'out_bias:1',
    ]);
    const w = initWeights({ ...shape, embeddingStd: 0.1 }, 1);
    expect([...w.get('user_bias')!, ...w.get('item_bias')!, ...w.get('out_bias')!].every((x) => x === 0)).toBe(true);
    const f = w.get('mf_user')!;
    expect(Math.max(...f.map(Math.abs))).toBeGreaterThan(0.01);
  });

  it('scores every pair as b + b_u + b_i + p_u·q_i', async () => {
    const w = randomWeights(shape, 3, 0.5);
    const w64 = toWeights64(w);
    const e = await engineWith(shape, w, { loss: 'bce', l2: 0 });
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < 5; u++) {
      for (let i = 0; i < 7; i++) {
        users.push(u);
        items.push(i);
      }
    }
    const z = await e.score(Int32Array.from(users), Int32Array.from(items));
    for (let k = 0; k < users.length; k++) expect(z[k]).toBeCloseTo(referenceLogit(shape, w64, users[k], items[k]), 5);
  });

  it("one SGD step on one instance is Rendle et al.'s update: θ += lr·((y − σ(ŷ))·∂ŷ/∂θ − λ·θ)", async () => {
    const w = randomWeights(shape, 4, 0.5);
    const lambda = 0.2;
    const lr = 0.05;
    const e = await engineWith(shape, w, { loss: 'bce', l2: lambda });
    const [u, i, y] = [3, 5, 1];
    await e.trainSteps(makeInstances([u], [i], [y]), 1, 0, 1);
    const after = await e.getWeights();
    const P = w.get('mf_user')!;
    const Q = w.get('mf_item')!;
    let zhat = w.get('out_bias')![0] + w.get('user_bias')![u] + w.get('item_bias')![i];
    for (let k = 0; k < 3; k++) zhat += P[u * 3 + k] * Q[i * 3 + k];
    const g = y - 1 / (1 + Math.exp(-zhat));
    for (let k = 0; k < 3; k++) {
      expect(after.get('mf_user')![u * 3 + k]).toBeCloseTo(P[u * 3 + k] + lr * (g * Q[i * 3 + k] - lambda * P[u * 3 + k]), 6);
      expect(after.get('mf_item')![i * 3 + k]).toBeCloseTo(Q[i * 3 + k] + lr * (g * P[u * 3 + k] - lambda * Q[i * 3 + k]), 6);
    }
    expect(after.get('user_bias')![u]).toBeCloseTo(w.get('user_bias')![u] + lr * (g - lambda * w.get('user_bias')![u]), 6);
    expect(after.get('item_bias')![i]).toBeCloseTo(w.get('item_bias')![i] + lr * (g - lambda * w.get('item_bias')![i]), 6);
    expect(after.get('out_bias')![0]).toBeCloseTo(w.get('out_bias')![0] + lr * (g - lambda * w.get('out_bias')![0]), 6);
    // Rows the instance did not read are untouched (no decay either).
    expect(after.get('mf_user')![0]).toBe(P[0]);
    expect(after.get('item_bias')![0]).toBe(w.get('item_bias')![0]);
  });
});

describe('bpr on 2 threads', () => {
  it('gives the same weights as 1 thread to rounding, with every shard holding whole pairs', async () => {
    const shape: ModelShape = { ...tinyShape('mf'), numUsers: 30, numItems: 40 };
    const rng = new Rng(2);
    const u: number[] = [];
    const i: number[] = [];
    const y: number[] = [];
    // 12 steps of 5 pairs and a short last one of 2: a batch of 10 instances split per instance
    // would cut the third pair in two; per pair it is 2 + 3 pairs.
    for (let k = 0; k < 62; k++) {
      const user = rng.nextInt(30);
      u.push(user, user);
      i.push(rng.nextInt(40), rng.nextInt(40));
      y.push(1, 0);
    }
    const inst = makeInstances(u, i, y);
    const w = initWeights({ ...shape, embeddingStd: 0.1 }, 9);
    const obj: Objective = { loss: 'bpr', l2: 0.01 };
    const sgd: OptimizerConfig = { ...SGD, lr: 0.5 };
    const one = await engineWith(shape, w, obj, 1, sgd);
    const two = await engineWith(shape, w, obj, 2, sgd);
    const l1 = await one.trainSteps(inst, 10, 0, 13);
    const l2 = await two.trainSteps(inst, 10, 0, 13);
    for (let k = 0; k < 13; k++) expect(l2[k]).toBeCloseTo(l1[k], 6);
    const a = await one.getWeights();
    const b = await two.getWeights();
    for (const [name, x] of a) {
      const yv = b.get(name)!;
      for (let k = 0; k < x.length; k++) expect(Math.abs(x[k] - yv[k])).toBeLessThan(1e-6);
    }
    // And training moved the weights.
    expect(a.get('mf_user')).not.toEqual(w.get('mf_user'));
  });
});
