/**
 * Fold-in's engine calls (the userRows capability): set + gradients must give exactly what setWeights +
 * gradients give (one user's row of them), leave the gradient buffer clean, and keep the
 * first-layer scoring tables in step with the rewritten row.
 */
import { describe, expect, it } from 'vitest';
import { NO_OPTIMIZER } from '../../src/core/training.js';
import { ScratchEngine } from '../../src/engines/scratch/engine.js';
import type { Instances, Objective } from '../../src/core/training.js';
import { initWeights } from '../../src/models/weights.js';
import { paramSpecs } from '../../src/models/index.js';
import type { ModelShape, Weights } from '../../src/core/model.js';

const cases: [string, ModelShape, Objective | undefined][] = [
  ['neumf', { type: 'neumf', factors: 3, layers: [8, 6, 4], embeddingStd: 0.3, numUsers: 5, numItems: 7 }, undefined],
  ['neumf + bpr + L2', { type: 'neumf', factors: 3, layers: [8, 6, 4], embeddingStd: 0.3, numUsers: 5, numItems: 7 }, { loss: 'bpr', l2: 0.01 }],
  ['mf + L2', { type: 'mf', factors: 4, layers: [8], embeddingStd: 0.3, numUsers: 5, numItems: 7 }, { loss: 'bce', l2: 0.02 }],
];

/** 10 instances of `user`, then 6 of others (their rows must not leak into the next call). */
function instancesOf(user: number, otherUsers: boolean): Instances {
  const n = otherUsers ? 16 : 10;
  const inst: Instances = { length: n, users: new Int32Array(n), items: new Int32Array(n), labels: new Float32Array(n) };
  for (let k = 0; k < n; k++) {
    inst.users[k] = k < 10 ? user : k % 4;
    inst.items[k] = (k * 3) % 7;
    inst.labels[k] = k % 2 === 0 ? 1 : 0;
  }
  return inst;
}

function rowOf(w: Weights, name: string, user: number, numUsers: number): Float32Array {
  const t = w.get(name)!;
  const width = t.length / numUsers;
  return t.slice(user * width, (user + 1) * width);
}

/** Two scoring engines of one model, disposed after `body`. */
async function withTwoEngines(shape: ModelShape, objective: Objective | undefined, body: (a: ScratchEngine, b: ScratchEngine) => Promise<void>): Promise<void> {
  const a = await ScratchEngine.create(shape, { settings: { threads: 1 }, optimizer: NO_OPTIMIZER, objective });
  const b = await ScratchEngine.create(shape, { settings: { threads: 1 }, optimizer: NO_OPTIMIZER, objective });
  try {
    await body(a, b);
  } finally {
    await a.dispose();
    await b.dispose();
  }
}

describe.each(cases)('%s: one user row at a time', (_label, shape, objective) => {
  const user = 4;
  const names = paramSpecs(shape).filter((p) => p.rows === 'users').map((p) => p.name);

  it('userRowGradients is that row of gradients, and leaves no gradient behind', () =>
    withTwoEngines(shape, objective, async (a, b) => {
      const w = initWeights(shape, 7);
      await a.setWeights(w);
      await b.setWeights(w);
      const inst = instancesOf(user, true);
      const full = await a.gradients(inst, 0, inst.length);
      const rows = await b.userRows.gradients(inst, 0, inst.length, user);
      expect(rows.loss).toBe(full.loss);
      expect([...rows.grads.keys()]).toEqual(names);
      for (const name of names) expect(rows.grads.get(name)).toEqual(rowOf(full.grads, name, user, shape.numUsers));
      // A second, different call on b must see a clean buffer: same as a fresh gradients() on a.
      const other = instancesOf(2, false);
      const again = await b.gradients(other, 0, other.length);
      const fresh = await a.gradients(other, 0, other.length);
      for (const [name, g] of fresh.grads) expect(again.grads.get(name)).toEqual(g);
    }));

  it('setUserRow then score equals setWeights with that row, first-layer tables included', () =>
    withTwoEngines(shape, objective, async (a, b) => {
      const w = initWeights(shape, 9);
      await b.setWeights(w);
      const users = Int32Array.from({ length: shape.numUsers * shape.numItems }, (_, k) => Math.floor(k / shape.numItems));
      const items = Int32Array.from({ length: users.length }, (_, k) => k % shape.numItems);
      const before = await b.score(users, items); // builds the tables for w
      for (let round = 1; round <= 2; round++) {
        const row = new Map(names.map((name) => [name, rowOf(initWeights(shape, 100 + round), name, 0, shape.numUsers)]));
        await b.userRows.set(user, row);
        const changed: Weights = new Map([...w].map(([name, t]) => [name, t.slice()]));
        for (const [name, r] of row) changed.get(name)!.set(r, user * r.length);
        await a.setWeights(changed);
        const want = await a.score(users, items);
        const got = await b.score(users, items);
        expect(got).toEqual(want);
        // Only that user's scores moved.
        for (let k = 0; k < users.length; k++) if (users[k] !== user) expect(got[k]).toBe(before[k]);
      }
      await expect(b.userRows.set(user, new Map([['item_bias', new Float32Array(1)]]))).rejects.toThrow(/not a per-user table/);
    }));
});
