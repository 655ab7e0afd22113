/**
 * Every engine with a device sampler (the fused WebGPU path) makes, for train.sampler "philox",
 * exactly the instances the host reference makes: the same bits, under bce and bpr, for any
 * seed (one past 2^32) and epoch; and it trains on them as the scratch engine trains on the host's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelShape } from '../../src/core/model.js';
import type { Instances } from '../../src/core/training.js';
import { sampleCounterInstances } from '../../src/data/counter-sampling.js';
import { buildInteractions, type Interactions } from '../../src/data/interactions.js';
import { allocateInstances, instancesPerEpoch, sampleEvalNegatives } from '../../src/data/sampling.js';
import { leaveOneOut } from '../../src/data/split.js';
import { trainEpochs, type LoopOptions } from '../../src/train/loop.js';
import type { EpochRecord } from '../../src/core/records.js';
import { createEngine, type Engine } from '../../src/engines/index.js';
import { initWeights } from '../../src/models/weights.js';
import { Rng } from '../../src/util/rng.js';
import { backendUnavailable } from '../helpers/backend-probe.js';
import { maxAbsDiff } from '../helpers/compare.js';

const skip = backendUnavailable('webgpu');
if (skip) console.log(`device sampler tests skipped: ${skip}`);

/** 150 users over 97 items, 0–40 training items each. */
function interactions(): Interactions {
  const rng = new Rng(5);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < 150; u++) {
    const n = rng.nextInt(41);
    for (let k = 0; k < n; k++) {
      users.push(u);
      items.push(rng.nextInt(97));
    }
  }
  return buildInteractions(150, 97, Int32Array.from(users), Int32Array.from(items), users.length);
}

const shape: ModelShape = { type: 'neumf', factors: 4, layers: [8, 4], embeddingStd: 0.1, numUsers: 150, numItems: 97 };
const adam = { name: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

describe.skipIf(skip !== null)('the device sampler', () => {
  const made: Engine[] = [];
  afterAll(async () => {
    for (const e of made) await e.dispose();
  });
  const engine = async (name: 'tfjs' | 'scratch', loss: 'bce' | 'bpr' = 'bce'): Promise<Engine> => {
    const settings = name === 'tfjs' ? { backend: 'webgpu', kernels: 'fused' } : { threads: 1 };
    const e = await createEngine(name, shape, { optimizer: adam, objective: { loss, l2: 0 }, settings });
    made.push(e);
    return e;
  };
  const host = (train: Interactions, K: number, seed: number, epoch: number, loss: 'bce' | 'bpr'): Instances =>
    sampleCounterInstances(train, K, seed, epoch, allocateInstances(instancesPerEpoch(train, K, loss)), loss);

  for (const loss of ['bce', 'bpr'] as const) {
    it(`makes the host reference's instances bit for bit (${loss})`, async () => {
      const e = await engine('tfjs', loss);
      const sampler = e.sampler!;
      const train = interactions();
      await sampler.prepare(train, 4, loss);
      for (const [seed, epoch] of [
        [42, 1],
        [42, 2],
        [7 + 2 ** 32, 1],
      ]) {
        const resident = await sampler.sample(seed, epoch);
        expect(resident.users.length).toBe(0);
        const got = await sampler.download(resident);
        const want = host(train, 4, seed, epoch, loss);
        expect(got.length).toBe(want.length);
        expect([...got.users], `users, seed ${seed} epoch ${epoch}`).toEqual([...want.users]);
        expect([...got.items], `items, seed ${seed} epoch ${epoch}`).toEqual([...want.items]);
        expect([...got.labels], `labels, seed ${seed} epoch ${epoch}`).toEqual([...want.labels]);
      }
    });
  }

  it('trains on its resident epoch as scratch trains on the host reference’s, and host engines refuse resident instances', async () => {
    const f = await engine('tfjs');
    const s = await engine('scratch');
    const w = initWeights(shape, 3);
    await f.setWeights(w);
    await s.setWeights(w);
    const train = interactions();
    await f.sampler!.prepare(train, 4, 'bce');
    for (const epoch of [1, 2]) {
      const resident = await f.sampler!.sample(42, epoch);
      const inst = host(train, 4, 42, epoch, 'bce');
      const steps = Math.ceil(inst.length / 512);
      const lf = await f.trainSteps(resident, 512, 0, steps);
      const ls = await s.trainSteps(inst, 512, 0, steps);
      for (let k = 0; k < steps; k++) expect(Math.abs(lf[k] - ls[k]), `epoch ${epoch} step ${k}`).toBeLessThan(1e-4);
      await expect(s.trainSteps(resident, 512, 0, 1)).rejects.toThrow('these instances live on a device');
    }
    expect(maxAbsDiff(await f.getWeights(), await s.getWeights())).toBeLessThan(1e-4);
  });

  it('trains a run with train.sampler "philox" on the GPU to the loss and HR@10 the scratch engine reaches sampling on the host', async () => {
    const rng = new Rng(8);
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < 150; u++) {
      const set = new Set<number>();
      while (set.size < 12) set.add(rng.nextInt(97));
      for (const i of set) {
        users.push(u);
        items.push(i);
      }
    }
    const n = users.length;
    const data = leaveOneOut({
      length: n,
      users: Int32Array.from(users),
      items: Int32Array.from(items),
      ratings: new Float32Array(n),
      timestamps: Uint32Array.from({ length: n }, (_, k) => k),
    });
    const options: LoopOptions = {
      epochs: 3,
      startEpoch: 0,
      batchSize: 256,
      negatives: 4,
      loss: 'bce',
      sampler: 'philox',
      seed: 9,
      k: 10,
      evalNegatives: sampleEvalNegatives(data, 20, new Rng(2)),
      evalN: 20,
      fullRanking: 'never',
      lossBlock: 10,
    };
    const run = async (e: Engine): Promise<EpochRecord[]> => {
      await e.setWeights(initWeights(shape, 4));
      const records: EpochRecord[] = [];
      await trainEpochs(e, data, options, { onEpochEnd: (r) => void records.push(r) });
      return records;
    };
    const f = await run(await engine('tfjs'));
    const s = await run(await engine('scratch'));
    expect(f.map((r) => r.instances)).toEqual(s.map((r) => r.instances));
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(f[k].loss - s[k].loss), `epoch ${k + 1}`).toBeLessThan(1e-5);
      expect(f[k].sampled.hr, `epoch ${k + 1}`).toBe(s[k].sampled.hr);
    }
    // The sampler is the run's: its instances differ from the sequential sampler's, so the losses do too.
    const sequential = await (async () => {
      const e = await engine('scratch');
      await e.setWeights(initWeights(shape, 4));
      const records: EpochRecord[] = [];
      await trainEpochs(e, data, { ...options, sampler: 'sequential' }, { onEpochEnd: (r) => void records.push(r) });
      return records;
    })();
    expect(sequential[0].loss).not.toBe(s[0].loss);
  });
});
