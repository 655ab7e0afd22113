/**
 * The fused WebGPU path (tfjs.kernels "fused") against the scratch engine, where a WebGPU
 * adapter is found (SwiftShader here): for every loss × optimizer, the same gradients,
 * the same weights, moments and losses after steps spread over two chunks, the same scores, two
 * dispatches per step, and what it does not cover yet refused in one line. The fixed-point sums:
 * row gradients that do not depend on the order instances arrive in, the towers' dense chunks,
 * and out-of-range or NaN steps read back as Infinity or NaN.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelShape } from '../../src/core/model.js';
import type { Instances, Objective, OptimizerConfig } from '../../src/core/training.js';
import { createEngine, type Engine } from '../../src/engines/index.js';
import { flatLayout } from '../../src/engines/flat-layout.js';
import { MODEL_TYPES } from '../../src/models/index.js';
import { initWeights } from '../../src/models/weights.js';
import { NcfError } from '../../src/util/errors.js';
import { backendUnavailable } from '../helpers/backend-probe.js';
import { maxAbsDiff, relError } from '../helpers/compare.js';

const skip = backendUnavailable('webgpu');
if (skip) console.log(`fused WebGPU tests skipped: ${skip}`);

const shapeOf = (type: string): ModelShape => ({ type, factors: 4, layers: [12, 8, 4], embeddingStd: 0.3, numUsers: 23, numItems: 17 });
const shape = shapeOf('mf');
const fused = { backend: 'webgpu', kernels: 'fused' } as const;

/** 96 instances with repeated users and items (so row gradients must sum); under bpr, pairs of one user. */
function batch(pairs: boolean): Instances {
  const n = 96;
  const inst: Instances = { length: n, users: new Int32Array(n), items: new Int32Array(n), labels: new Float32Array(n) };
  for (let k = 0; k < n; k++) {
    inst.users[k] = pairs ? ((k >> 1) * 7) % 23 : (k * 7) % 23;
    inst.items[k] = pairs && k % 2 === 1 ? (k * 3 + 1) % 17 : (k * 5) % 17;
    inst.labels[k] = pairs ? 1 - (k % 2) : k % 3 === 0 ? 1 : 0;
  }
  return inst;
}

describe.skipIf(skip !== null)('tfjs.kernels "fused" on webgpu vs the scratch engine', () => {
  const made: Engine[] = [];
  afterAll(async () => {
    for (const e of made) await e.dispose();
  });
  const pair = async (optimizer: OptimizerConfig, objective: Objective, of = shape): Promise<[Engine, Engine]> => {
    const f = await createEngine('tfjs', of, { optimizer, objective, settings: fused });
    const s = await createEngine('scratch', of, { optimizer, objective, settings: { threads: 1 } });
    made.push(f, s);
    const w = initWeights(of, 11);
    await f.setWeights(w);
    await s.setWeights(w);
    return [f, s];
  };

  const objectives: Objective[] = [
    { loss: 'bce', l2: 0 },
    { loss: 'bce', l2: 0.05 },
    { loss: 'bpr', l2: 0.05 },
  ];
  const optimizers: OptimizerConfig[] = [
    { name: 'sgd', lr: 0.5, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    { name: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    { name: 'lazy_adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  ];
  for (const type of MODEL_TYPES) {
    for (const objective of objectives) {
      for (const optimizer of optimizers) {
        it(`${type}, ${objective.loss} L2 ${objective.l2}, ${optimizer.name}: gradients, 6 steps over two chunks, moments and scores as scratch`, async () => {
          const [f, s] = await pair(optimizer, objective, shapeOf(type));
          const inst = batch(objective.loss === 'bpr');
          const gf = await f.gradients(inst, 0, inst.length);
          const gs = await s.gradients(inst, 0, inst.length);
          expect(Math.abs(gf.loss - gs.loss) / gs.loss).toBeLessThan(1e-6);
          for (const [name, g] of gs.grads) expect(relError(gf.grads.get(name)!, g), name).toBeLessThan(1e-5);
          const lf = [...(await f.trainSteps(inst, 32, 0, 3)), ...(await f.trainSteps(inst, 16, 3, 3))];
          const ls = [...(await s.trainSteps(inst, 32, 0, 3)), ...(await s.trainSteps(inst, 16, 3, 3))];
          for (let k = 0; k < 6; k++) expect(Math.abs(lf[k] - ls[k]), `step ${k}`).toBeLessThan(1e-5);
          expect(maxAbsDiff(await f.getWeights(), await s.getWeights())).toBeLessThan(1e-5);
          const of = await f.getOptimizerState();
          const os = await s.getOptimizerState();
          expect(of.step).toBe(6);
          expect([...of.slots.keys()]).toEqual([...os.slots.keys()]);
          expect(maxAbsDiff(of.slots, os.slots)).toBeLessThan(1e-5);
          expect(relError(await f.score(inst.users, inst.items), await s.score(inst.users, inst.items))).toBeLessThan(1e-5);
        });
      }
    }
  }

  /** 512 instances on 3 users and 5 items, so every row gradient is a sum of ~100 adds from many workgroups. */
  function crowded(pairs: boolean): Instances {
    const n = 512;
    const inst: Instances = { length: n, users: new Int32Array(n), items: new Int32Array(n), labels: new Float32Array(n) };
    for (let k = 0; k < n; k++) {
      inst.users[k] = pairs ? (k >> 1) % 3 : k % 3;
      inst.items[k] = (k * 3 + (k >> 4)) % 5;
      inst.labels[k] = pairs ? 1 - (k % 2) : (k >> 2) % 2;
    }
    return inst;
  }
  /** The same instances (pairs kept together under bpr) in another order. */
  function shuffled(inst: Instances, pairs: boolean): Instances {
    const per = pairs ? 2 : 1;
    const units = inst.length / per;
    const out: Instances = {
      length: inst.length,
      users: new Int32Array(inst.length),
      items: new Int32Array(inst.length),
      labels: new Float32Array(inst.length),
    };
    for (let t = 0; t < units; t++) {
      const from = (t * 37 + 11) % units; // 37 is prime to 256 and 512: a permutation
      for (let j = 0; j < per; j++) {
        out.users[t * per + j] = inst.users[from * per + j];
        out.items[t * per + j] = inst.items[from * per + j];
        out.labels[t * per + j] = inst.labels[from * per + j];
      }
    }
    return out;
  }
  for (const type of MODEL_TYPES) {
    for (const loss of ['bce', 'bpr'] as const) {
      it(`${type}, ${loss}: the rows' gradients do not depend on the order the instances arrive in, to the bit`, async () => {
        const of = shapeOf(type);
        const [f] = await pair(optimizers[1], { loss, l2: 0.05 }, of);
        const inst = crowded(loss === 'bpr');
        const a = await f.gradients(inst, 0, inst.length);
        const b = await f.gradients(shuffled(inst, loss === 'bpr'), 0, inst.length);
        const rows = flatLayout(of).rowTables.map((t) => t.name);
        expect(rows.length).toBeGreaterThan(0);
        for (const name of rows) {
          // Under bpr a pair's user-bias terms cancel, leaving only L2 on biases that start at 0.
          if (!(loss === 'bpr' && name === 'user_bias'))
            expect(
              a.grads.get(name)!.some((x) => x !== 0),
              name,
            ).toBe(true);
          expect([...b.grads.get(name)!], name).toEqual([...a.grads.get(name)!]);
        }
      });
    }
  }

  for (const type of ['mlp', 'neumf']) {
    for (const loss of ['bce', 'bpr'] as const) {
      it(`${type}, ${loss}: a batch of three dense chunks (2,600 rows, summed in parallel) has scratch's gradients and step`, async () => {
        const of = shapeOf(type);
        const [f, s] = await pair(optimizers[1], { loss, l2: 0.05 }, of);
        const n = 2600;
        const inst: Instances = { length: n, users: new Int32Array(n), items: new Int32Array(n), labels: new Float32Array(n) };
        for (let k = 0; k < n; k++) {
          inst.users[k] = loss === 'bpr' ? ((k >> 1) * 7) % 23 : (k * 7) % 23;
          inst.items[k] = (k * 5 + (k >> 3)) % 17;
          inst.labels[k] = loss === 'bpr' ? 1 - (k % 2) : k % 3 === 0 ? 1 : 0;
        }
        const gf = await f.gradients(inst, 0, n);
        const gs = await s.gradients(inst, 0, n);
        for (const [name, g] of gs.grads) expect(relError(gf.grads.get(name)!, g), name).toBeLessThan(1e-5);
        // Two steps of 1,300 rows: two chunks each.
        const lf = await f.trainSteps(inst, n / 2, 0, 2);
        const ls = await s.trainSteps(inst, n / 2, 0, 2);
        for (let k = 0; k < 2; k++) expect(Math.abs(lf[k] - ls[k]), `step ${k}`).toBeLessThan(1e-5);
        expect(maxAbsDiff(await f.getWeights(), await s.getWeights())).toBeLessThan(1e-5);
      });
    }
  }

  it('a step whose loss or gradient leaves the fixed-point range reads Infinity, one with a NaN reads NaN, and the next step is unharmed', async () => {
    for (const type of ['mf', 'neumf']) {
      const of = shapeOf(type);
      const [f] = await pair(optimizers[0], objectives[0], of);
      const inst = batch(false);
      const w = initWeights(of, 11);
      const table = type === 'mf' ? 'mf_user' : 'mlp_user';
      const huge = new Map(w);
      huge.set(
        table,
        w.get(table)!.map(() => 1e7),
      ); // logits near 1e14: losses far past 2^20
      await f.setWeights(huge);
      expect([...(await f.trainSteps(inst, 32, 0, 2))], type).toEqual([Infinity, Infinity]);
      const nan = new Map(w);
      nan.set(
        table,
        w.get(table)!.map((x, k) => (k === 0 ? Number.NaN : x)),
      );
      await f.setWeights(nan);
      const losses = await f.trainSteps(inst, 96, 0, 1);
      expect(losses[0], type).toBeNaN();
      // The flags are per step: the first step from clean weights reads its loss.
      await f.setWeights(w);
      const [s] = await pair(optimizers[0], objectives[0], of);
      expect(Math.abs((await f.trainSteps(inst, 32, 0, 1))[0] - (await s.trainSteps(inst, 32, 0, 1))[0]), type).toBeLessThan(1e-5);
    }
  });

  it('issues two dispatches per step (forward + backward, then the optimizer), and re-uploads instances resampled in place', async () => {
    const [f, s] = await pair(optimizers[1], objectives[0]);
    const inst = batch(false);
    expect(await f.countStep!(inst, 16, 0)).toEqual({ count: 2, unit: 'dispatches' });
    await s.trainSteps(inst, 16, 0, 2);
    inst.labels.fill(1);
    inst.version = (inst.version ?? 0) + 1;
    const lf = await f.trainSteps(inst, 16, 2, 1);
    const ls = await s.trainSteps(inst, 16, 2, 1);
    expect(Math.abs(lf[0] - ls[0])).toBeLessThan(1e-5);
  });

  it('moments set from the scratch engine continue there exactly as on scratch', async () => {
    const [f, s] = await pair(optimizers[1], objectives[1]);
    const inst = batch(false);
    await s.trainSteps(inst, 32, 0, 2);
    await f.setWeights(await s.getWeights());
    await f.setOptimizerState(await s.getOptimizerState());
    await s.trainSteps(inst, 32, 2, 1);
    await f.trainSteps(inst, 32, 2, 1);
    expect(maxAbsDiff(await f.getWeights(), await s.getWeights())).toBeLessThan(1e-5);
  });

  it('covers every registered model, and refuses one without kernels in one line naming the way out', async () => {
    const adam = optimizers[1];
    for (const type of MODEL_TYPES) {
      const [f] = await pair(adam, objectives[0], shapeOf(type));
      // Two dispatches a step (the step kernel, the optimizer); the towers add one for their dense gradients.
      expect(await f.countStep!(batch(false), 16, 0), type).toEqual({ count: type === 'mlp' || type === 'neumf' ? 3 : 2, unit: 'dispatches' });
    }
    const other = createEngine('tfjs', shapeOf('nokernels'), { optimizer: adam, settings: fused });
    await expect(other).rejects.toThrow(
      new NcfError('tfjs.kernels "fused" covers models gmf, mlp, neumf, mf, ials so far, not nokernels: use tfjs.kernels "graph"'),
    );
  });

  it('lazy_adam and sgd leave the rows no batch touched, and their moments, as they were', async () => {
    for (const optimizer of [optimizers[2], optimizers[0]]) {
      const [f] = await pair(optimizer, objectives[1]);
      const inst = batch(false);
      for (let k = 0; k < inst.length; k++) inst.users[k] %= 20;
      await f.trainSteps(inst, 16, 0, 4);
      const w0 = initWeights(shape, 11);
      const w = await f.getWeights();
      // Users 20–22 never occur: their factor rows and biases keep their values (and, under lazy_adam, zero moments).
      expect([...w.get('mf_user')!.subarray(20 * 4)], optimizer.name).toEqual([...w0.get('mf_user')!.subarray(20 * 4)]);
      expect([...w.get('user_bias')!.subarray(20)], optimizer.name).toEqual([...w0.get('user_bias')!.subarray(20)]);
      if (optimizer.name === 'lazy_adam') expect([...(await f.getOptimizerState()).slots.get('m:mf_user')!.subarray(20 * 4)].every((x) => x === 0)).toBe(true);
    }
  });
});
