/**
 * Fold-in's engine calls (the userRows capability), on every registered engine that has it:
 * set + gradients must give exactly what setWeights + gradients give (one user's row of them),
 * leave no gradient behind for the next call, and keep whatever the engine scores through (the
 * scratch engine's first-layer tables) in step with the rewritten row. And fold-in itself
 * (src/recommend/fold-in.ts) gives the same scores on each of them as on the reference engine.
 * Engines without the capability are skipped with the reason printed.
 */
import { describe, expect, it } from 'vitest';
import type { ModelShape, Weights } from '../../src/core/model.js';
import { NO_OPTIMIZER, type Instances, type Objective } from '../../src/core/training.js';
import { createEngine, ENGINE_NAMES, engineEntry, referenceEngine, type Engine, type UserRows } from '../../src/engines/index.js';
import { MODEL_TYPES, paramSpecs, type ModelType } from '../../src/models/index.js';
import { initWeights } from '../../src/models/weights.js';
import { FOLD_IN, FoldIn } from '../../src/recommend/fold-in.js';

/**
 * An engine with variants runs on one that needs nothing installed (tfjs: its cpu backend; the
 * backends themselves are compared in tfjs-backends.test.ts); any other uses its defaults.
 */
const VARIANT: Record<string, string> = { tfjs: 'cpu' };

function settingsOf(name: string): object {
  const e = engineEntry(name);
  const v = VARIANT[name];
  return v !== undefined && e.variants.includes(v) ? e.withVariant(e.defaults, v) : e.defaults;
}

function makeEngine(name: string, shape: ModelShape, objective?: Objective): Promise<Engine> {
  return createEngine(name, shape, { optimizer: NO_OPTIMIZER, objective, settings: settingsOf(name) });
}

function tinyShape(type: ModelType): ModelShape {
  return { type, factors: 3, layers: [8, 6, 4], embeddingStd: 0.3, numUsers: 5, numItems: 7 };
}

/** Which engines can fit one user's rows: null, or why not. Asked of a made engine, since it is a capability of the engine, not of its name. */
const lacks = new Map<string, string | null>();
for (const name of ENGINE_NAMES) {
  const e = await makeEngine(name, tinyShape(MODEL_TYPES[0]));
  lacks.set(name, e.userRows ? null : `${name} (${e.info.label}) has no userRows capability, so fold-in cannot run on it`);
  await e.dispose();
}
const capable = ENGINE_NAMES.filter((n) => lacks.get(n) === null);
for (const [name, why] of lacks) if (why) console.log(`user rows on ${name}: skipped — ${why}`);

/** Every model, with the plain objective and with each loss under L2. */
const cases: [string, ModelShape, Objective | undefined][] = MODEL_TYPES.flatMap((type): [string, ModelShape, Objective | undefined][] => [
  [type, tinyShape(type), undefined],
  [`${type} + bpr + L2`, tinyShape(type), { loss: 'bpr', l2: 0.01 }],
  [`${type} + bce + L2`, tinyShape(type), { loss: 'bce', l2: 0.02 }],
]);

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

for (const engine of ENGINE_NAMES) {
  /** Two scoring engines of one model, disposed after `body`; `rows` is b's userRows. */
  const withTwoEngines = async (
    shape: ModelShape,
    objective: Objective | undefined,
    body: (a: Engine, b: Engine, rows: UserRows) => Promise<void>,
  ): Promise<void> => {
    const a = await makeEngine(engine, shape, objective);
    const b = await makeEngine(engine, shape, objective);
    try {
      expect(b.userRows, `${b.info.label}: userRows`).toBeDefined();
      await body(a, b, b.userRows!);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  };

  describe.skipIf(lacks.get(engine) !== null).each(cases)(`${engine}: %s, one user row at a time`, (_label, shape, objective) => {
    const user = 4;
    const names = paramSpecs(shape)
      .filter((p) => p.rows === 'users')
      .map((p) => p.name);

    it('userRows.gradients is that row of gradients(), and leaves no gradient behind', () =>
      withTwoEngines(shape, objective, async (a, b, rows) => {
        const w = initWeights(shape, 7);
        await a.setWeights(w);
        await b.setWeights(w);
        const inst = instancesOf(user, true);
        const full = await a.gradients(inst, 0, inst.length);
        const got = await rows.gradients(inst, 0, inst.length, user);
        expect(got.loss).toBe(full.loss);
        expect([...got.grads.keys()]).toEqual(names);
        for (const name of names) expect(got.grads.get(name)).toEqual(rowOf(full.grads, name, user, shape.numUsers));
        // A second, different call on b must see a clean buffer: same as a fresh gradients() on a.
        const other = instancesOf(2, false);
        const again = await b.gradients(other, 0, other.length);
        const fresh = await a.gradients(other, 0, other.length);
        for (const [name, g] of fresh.grads) expect(again.grads.get(name)).toEqual(g);
      }));

    it('userRows.set then score equals setWeights with that row (first-layer tables included)', () =>
      withTwoEngines(shape, objective, async (a, b, rows) => {
        const w = initWeights(shape, 9);
        await b.setWeights(w);
        const users = Int32Array.from({ length: shape.numUsers * shape.numItems }, (_, k) => Math.floor(k / shape.numItems));
        const items = Int32Array.from({ length: users.length }, (_, k) => k % shape.numItems);
        const before = await b.score(users, items); // the scratch engine builds its tables for w
        for (let round = 1; round <= 2; round++) {
          const row = new Map(names.map((name) => [name, rowOf(initWeights(shape, 100 + round), name, 0, shape.numUsers)]));
          await rows.set(user, row);
          const changed: Weights = new Map([...w].map(([name, t]) => [name, t.slice()]));
          for (const [name, r] of row) changed.get(name)!.set(r, user * r.length);
          await a.setWeights(changed);
          const want = await a.score(users, items);
          const got = await b.score(users, items);
          expect(got).toEqual(want);
          // Only that user's scores moved.
          for (let k = 0; k < users.length; k++) if (users[k] !== user) expect(got[k]).toBe(before[k]);
        }
        await expect(rows.set(user, new Map([['item_bias', new Float32Array(1)]]))).rejects.toThrow(/not a per-user table/);
      }));
  });
}

describe('fold-in gives the same scores on every engine with userRows as on the reference engine', () => {
  const ref = referenceEngine();
  for (const type of ['neumf', 'mf'] as ModelType[]) {
    it.skipIf(capable.length < 2 || !capable.includes(ref))(`${type}: ${capable.join(', ')} agree within 1e-4 relative`, async () => {
      const shape: ModelShape = { type, factors: 4, layers: [16, 8, 4], embeddingStd: 0.3, numUsers: 30, numItems: 40 };
      const weights = initWeights(shape, 3);
      const likes = Int32Array.from([3, 8, 11, 25, 31]);
      const foldIn = async (name: string, settings = FOLD_IN): Promise<Float32Array> => {
        const f = await FoldIn.create(shape, weights, (s) => makeEngine(name, s), settings);
        try {
          return await f.scoresFor(likes, 5);
        } finally {
          await f.dispose();
        }
      };
      const scores = new Map<string, Float32Array>();
      for (const name of capable) scores.set(name, await foldIn(name));
      const want = scores.get(ref)!;
      expect(want.length).toBe(shape.numItems);
      // The fit moved the row towards the likes (compared with its start, no steps): the
      // engines agree on a real fit, not on a row left as drawn.
      const start = await foldIn(ref, { ...FOLD_IN, steps: 0 });
      const margin = (z: Float32Array): number => [...likes].reduce((s, i) => s + z[i], 0) / likes.length - z.reduce((s, x) => s + x, 0) / z.length;
      expect(margin(want)).toBeGreaterThan(margin(start) + 0.05);
      for (const [name, got] of scores) {
        let num = 0;
        let den = 0;
        let worst = 0;
        for (let i = 0; i < want.length; i++) {
          num += (got[i] - want[i]) ** 2;
          den += want[i] ** 2;
          worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
        }
        expect(Math.sqrt(num / den), `${name} vs ${ref}: ‖Δ‖/‖scores‖`).toBeLessThanOrEqual(1e-4);
        expect(worst, `${name} vs ${ref}: worst item, relative (absolute below 1)`).toBeLessThanOrEqual(1e-4);
      }
    });
  }
});
