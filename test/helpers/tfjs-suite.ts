/**
 * The tfjs engine checked against the scratch engine on one backend: from the same weights and
 * batch, the same loss and gradients (relative error ≤ 1e-4) for every registered model, the
 * same Adam steps, the same scores, optimizer state that crosses engines, and no tensor growth
 * across steps. TensorFlow.js keeps one global backend per process: each backend's suite makes
 * and disposes its own engines, and backends run one after another (tfjs-backends.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instances, Objective, OptimizerConfig } from '../../src/core/training.js';
import { createEngine, ENGINES, type Engine } from '../../src/engines/index.js';
import { ScratchEngine } from '../../src/engines/scratch/engine.js';
import { initWeights } from '../../src/models/weights.js';
import type { ModelShape } from '../../src/core/model.js';
import { MODEL_TYPES, type ModelType } from '../../src/models/index.js';
import { maxAbsDiff, relError } from './compare.js';

const adam: OptimizerConfig = { name: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

function shapeOf(type: ModelType): ModelShape {
  return { type, factors: 4, layers: [12, 8, 4], embeddingStd: 0.3, numUsers: 23, numItems: 17 };
}

/** 96 instances with repeated users and items, so scattered gradients must sum duplicates. */
function batch(): Instances {
  const n = 96;
  const inst: Instances = { length: n, users: new Int32Array(n), items: new Int32Array(n), labels: new Float32Array(n) };
  for (let k = 0; k < n; k++) {
    inst.users[k] = (k * 7) % 23;
    inst.items[k] = (k * 5) % 17;
    inst.labels[k] = k % 3 === 0 ? 1 : 0;
  }
  return inst;
}

/** Names of the tfjs variables that ncf's engines hold (each engine's are `ncf<k>/<param>`). */
function engineVariables(): string[] {
  return Object.keys(tf.engine().registeredVariables).filter((name) => name.startsWith('ncf'));
}

/** The tfjs engine on `backend` (a variant of the registry's tfjs entry) against the scratch engine; skipped, with the reason printed, when `skipReason` is given. */
export function tfjsParitySuite(backend: string, skipReason: string | null): void {
  const tfjs = ENGINES.tfjs;
  // The graph path: the fused WebGPU kernels have a suite of their own (tfjs-fused.test.ts).
  const settings = { ...tfjs.withVariant(tfjs.defaults, backend), kernels: 'graph' as const };
  describe.skipIf(skipReason !== null)(`tfjs engine on ${backend} vs scratch engine`, () => {
    const made: Engine[] = [];
    const engines = async (type: ModelType, opt = adam, objective?: Objective): Promise<[Engine, ScratchEngine]> => {
      const shape = shapeOf(type);
      const t = await createEngine('tfjs', shape, { optimizer: opt, objective, settings });
      made.push(t);
      expect(tf.getBackend()).toBe(backend);
      const s = await ScratchEngine.create(shape, { optimizer: opt, objective, settings: { threads: 1 } });
      made.push(s);
      const w = initWeights(shape, 11);
      await t.setWeights(w);
      await s.setWeights(w);
      return [t, s];
    };
    beforeAll(async () => {
      // Another backend's suite may have run in this process: it must have left no engine behind.
      expect(engineVariables()).toEqual([]);
      await createEngine('tfjs', shapeOf('gmf'), { optimizer: adam, settings }).then((e) => e.dispose());
    });
    afterAll(async () => {
      for (const e of made) await e.dispose();
      expect(engineVariables(), 'tfjs variables left after disposing every engine').toEqual([]);
    });

    it('runs on the backend it was asked for', async () => {
      const [t] = await engines('gmf');
      expect(t.info.backend).toBe(backend);
      expect(tf.getBackend()).toBe(backend);
    });

    // Every registered model, with the plain objective and with each loss under L2.
    const cases: [ModelType, Objective | undefined][] = MODEL_TYPES.flatMap((type): [ModelType, Objective | undefined][] => [
      [type, undefined],
      [type, { loss: 'bpr', l2: 0.05 }],
      [type, { loss: 'bce', l2: 0.05 }],
    ]);
    for (const [type, objective] of cases) {
      it(`${type}${objective ? ` (${objective.loss}, L2 ${objective.l2})` : ''}: same loss and gradients for every parameter (relative error ≤ 1e-4)`, async () => {
        const [t, s] = await engines(type, adam, objective);
        const inst = batch();
        const gt = await t.gradients(inst, 0, inst.length);
        const gs = await s.gradients(inst, 0, inst.length);
        expect(Math.abs(gt.loss - gs.loss) / gs.loss).toBeLessThan(1e-5);
        expect([...gt.grads.keys()]).toEqual([...gs.grads.keys()]);
        for (const [name, g] of gs.grads) {
          const err = relError(gt.grads.get(name)!, g);
          expect(err, `${name}: relative error ${err}`).toBeLessThanOrEqual(1e-4);
        }
      });
    }

    it('neumf: the same Adam steps, losses and scores', async () => {
      const [t, s] = await engines('neumf');
      const inst = batch();
      const lt = await t.trainSteps(inst, 32, 0, 3);
      const ls = await s.trainSteps(inst, 32, 0, 3);
      for (let k = 0; k < 3; k++) expect(Math.abs(lt[k] - ls[k])).toBeLessThan(1e-5);
      expect(maxAbsDiff(await t.getWeights(), await s.getWeights())).toBeLessThan(1e-5);
      const st = await t.score(inst.users, inst.items);
      const ss = await s.score(inst.users, inst.items);
      expect(relError(st, ss)).toBeLessThan(1e-4);
    });

    it('mf with bpr and L2 under lazy_adam: the same steps (bias rows included) and scores', async () => {
      const [t, s] = await engines('mf', { ...adam, name: 'lazy_adam' }, { loss: 'bpr', l2: 0.05 });
      const inst = batch();
      const lt = await t.trainSteps(inst, 32, 0, 3);
      const ls = await s.trainSteps(inst, 32, 0, 3);
      for (let k = 0; k < 3; k++) expect(Math.abs(lt[k] - ls[k])).toBeLessThan(1e-5);
      expect(maxAbsDiff(await t.getWeights(), await s.getWeights())).toBeLessThan(1e-5);
      expect(relError(await t.score(inst.users, inst.items), await s.score(inst.users, inst.items))).toBeLessThan(1e-4);
    });

    it('optimizer state crosses engines: scratch moments continue on tfjs exactly as on scratch', async () => {
      const [t, s] = await engines('neumf');
      const inst = batch();
      await s.trainSteps(inst, 32, 0, 2);
      await t.setWeights(await s.getWeights());
      await t.setOptimizerState(await s.getOptimizerState());
      expect((await t.getOptimizerState()).step).toBe(2);
      await s.trainSteps(inst, 32, 2, 1);
      await t.trainSteps(inst, 32, 2, 1);
      expect(maxAbsDiff(await t.getWeights(), await s.getWeights())).toBeLessThan(1e-5);
    });

    it('lazy_adam: the same steps as the scratch engine (touched rows and moments only)', async () => {
      const lazy: OptimizerConfig = { ...adam, name: 'lazy_adam' };
      const [t, s] = await engines('neumf', lazy);
      const inst = batch();
      for (let k = 0; k < inst.length; k++) inst.users[k] %= 20;
      const lt = await t.trainSteps(inst, 16, 0, 4);
      const ls = await s.trainSteps(inst, 16, 0, 4);
      for (let k = 0; k < 4; k++) expect(Math.abs(lt[k] - ls[k])).toBeLessThan(1e-5);
      expect(maxAbsDiff(await t.getWeights(), await s.getWeights())).toBeLessThan(1e-5);
      const ot = await t.getOptimizerState();
      const os = await s.getOptimizerState();
      expect(ot.step).toBe(4);
      expect(maxAbsDiff(ot.slots, os.slots)).toBeLessThan(1e-5);
      // Users 20–22 never occur in the batch: their rows and moments must not move.
      const w0 = initWeights(shapeOf('neumf'), 11).get('gmf_user')!;
      const w = (await t.getWeights()).get('gmf_user')!;
      const m = ot.slots.get('m:gmf_user')!;
      expect([...w.subarray(20 * 4)]).toEqual([...w0.subarray(20 * 4)]);
      expect([...m.subarray(20 * 4)].every((x) => x === 0)).toBe(true);
    });

    it('sgd: the same step', async () => {
      const sgd: OptimizerConfig = { ...adam, name: 'sgd', lr: 0.5 };
      const [t, s] = await engines('neumf', sgd);
      const inst = batch();
      await t.trainSteps(inst, 48, 0, 2);
      await s.trainSteps(inst, 48, 0, 2);
      expect(maxAbsDiff(await t.getWeights(), await s.getWeights())).toBeLessThan(1e-5);
    });

    it('counts what a step issues: the same at every step, dispatches on webgpu and kernels elsewhere, sgd < adam < lazy_adam', async () => {
      const inst = batch();
      const counts: number[] = [];
      for (const opt of [{ ...adam, name: 'sgd' }, adam, { ...adam, name: 'lazy_adam' }] as OptimizerConfig[]) {
        const [t, s] = await engines('neumf', opt);
        const first = await t.countStep!(inst, 8, 0);
        const later = await t.countStep!(inst, 8, 4);
        expect(first.unit).toBe(backend === 'webgpu' ? 'dispatches' : 'kernels');
        expect(later).toEqual(first);
        counts.push(first.count);
        // countStep trains steps [step, step + 4) like trainSteps: both engines agree after it.
        await s.trainSteps(inst, 8, 0, 8);
        expect(maxAbsDiff(await t.getWeights(), await s.getWeights()), opt.name).toBeLessThan(1e-5);
      }
      expect(counts[0]).toBeGreaterThan(10);
      expect(counts[0]).toBeLessThan(counts[1]);
      expect(counts[1]).toBeLessThan(counts[2]);
    });

    it('holds the tensor count steady across steps (no leak)', async () => {
      const [t] = await engines('neumf');
      const inst = batch();
      await t.trainSteps(inst, 16, 0, 2); // creates the optimizer's slots and uploads the epoch
      const before = tf.memory().numTensors;
      await t.trainSteps(inst, 16, 2, 4);
      await t.score(inst.users, inst.items);
      await t.gradients(inst, 0, 16);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('adam, lazy_adam and sgd make no tensors from host data per step, only per chunk (on webgpu each costs a staging buffer)', async () => {
      for (const opt of [adam, { ...adam, name: 'lazy_adam' }, { ...adam, name: 'sgd' }] as OptimizerConfig[]) {
        const [t] = await engines('neumf', opt);
        const inst = batch();
        await t.trainSteps(inst, 16, 0, 2); // uploads the epoch and makes the optimizer's constants
        const engine = tf.engine() as unknown as { makeTensor: (...a: unknown[]) => unknown };
        const original = engine.makeTensor;
        let made = 0;
        engine.makeTensor = function (this: unknown, ...a: unknown[]) {
          made++;
          return original.apply(this, a);
        };
        try {
          await t.trainSteps(inst, 16, 2, 4);
        } finally {
          engine.makeTensor = original;
        }
        // The chunk's step sizes, and for lazy_adam its touched users and items.
        expect(made, opt.name).toBeLessThanOrEqual(opt.name === 'lazy_adam' ? 3 : 1);
      }
    });

    it('uploads again when the instances are resampled in place', async () => {
      const [t, s] = await engines('neumf');
      const inst = batch();
      await t.trainSteps(inst, 32, 0, 1);
      await s.trainSteps(inst, 32, 0, 1);
      inst.labels.fill(1);
      inst.version = (inst.version ?? 0) + 1;
      const lt = await t.trainSteps(inst, 32, 1, 1);
      const ls = await s.trainSteps(inst, 32, 1, 1);
      expect(Math.abs(lt[0] - ls[0])).toBeLessThan(1e-5);
    });
  });
  if (skipReason) console.log(`tfjs engine on ${backend}: skipped — ${skipReason}`);
}
