/**
 * The fused WebGPU path (tfjs.kernels "fused") against the scratch engine, where a WebGPU
 * adapter is found (SwiftShader here): for every loss × optimizer, the same gradients,
 * the same weights, moments and losses after steps spread over two chunks, the same scores, two
 * dispatches per step, and what it does not cover yet refused in one line.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelShape } from '../../src/core/model.js';
import type { Instances, Objective, OptimizerConfig } from '../../src/core/training.js';
import { createEngine, type Engine } from '../../src/engines/index.js';
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
