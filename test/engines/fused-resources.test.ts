/**
 * The fused WebGPU path holds the same GPU buffers and tfjs tensors after every epoch as after the
 * first: training (both samplers), sampled evaluation and full ranking on the device each free
 * what they make per call. Buffers are counted on tfjs' GPUDevice itself (every createBuffer after
 * the engine is made, less those destroyed), so a buffer the engine forgets is counted too.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelShape } from '../../src/core/model.js';
import { sampleEvalNegatives } from '../../src/data/sampling.js';
import { leaveOneOut } from '../../src/data/split.js';
import { createEngine, type Engine } from '../../src/engines/index.js';
import { MODEL_TYPES } from '../../src/models/index.js';
import { initWeights } from '../../src/models/weights.js';
import { trainEpochs, type LoopOptions } from '../../src/train/loop.js';
import { Rng } from '../../src/util/rng.js';
import { backendUnavailable } from '../helpers/backend-probe.js';

const skip = backendUnavailable('webgpu');
if (skip) console.log(`fused resource tests skipped: ${skip}`);

/** Live buffers made on `device` from now on: created less destroyed. */
function countBuffers(device: GPUDevice): { live: () => number; restore: () => void } {
  const create = device.createBuffer.bind(device);
  let live = 0;
  device.createBuffer = (d: GPUBufferDescriptor): GPUBuffer => {
    const b = create(d);
    live++;
    const destroy = b.destroy.bind(b);
    let gone = false;
    b.destroy = () => {
      if (!gone) live--;
      gone = true;
      destroy();
    };
    return b;
  };
  const restore = (): void => {
    device.createBuffer = create;
  };
  return { live: () => live, restore };
}

describe.skipIf(skip !== null)('the fused path over epochs', () => {
  const made: Engine[] = [];
  afterAll(async () => {
    for (const e of made) await e.dispose();
  });
  const rng = new Rng(6);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < 60; u++) {
    const set = new Set<number>();
    while (set.size < 8 + rng.nextInt(8)) set.add(rng.nextInt(53));
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

  for (const type of MODEL_TYPES) {
    for (const sampler of ['sequential', 'philox'] as const) {
      it(`${type}, sampler ${sampler}: the same live GPU buffers and tensors after epochs 1 to 4, sampled and full ranking each epoch`, async () => {
        const shape: ModelShape = { type, factors: 4, layers: [8, 4], embeddingStd: 0.1, numUsers: data.numUsers, numItems: data.numItems };
        const e = await createEngine('tfjs', shape, {
          optimizer: { name: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
          settings: { backend: 'webgpu', kernels: 'fused' },
        });
        made.push(e);
        expect(e.ranker).toBeDefined();
        const device = (tf.backend() as unknown as { device: GPUDevice }).device;
        await e.setWeights(initWeights(shape, 3));
        const options: LoopOptions = {
          epochs: 4,
          startEpoch: 0,
          batchSize: 64,
          negatives: 4,
          loss: 'bce',
          sampler,
          seed: 5,
          k: 10,
          evalNegatives: sampleEvalNegatives(data, 20, new Rng(2)),
          evalN: 20,
          fullRanking: 'every',
          lossBlock: 10,
        };
        const buffers = countBuffers(device);
        const held: { buffers: number; tensors: number }[] = [];
        try {
          await trainEpochs(e, data, options, {
            onEpochEnd: () => void held.push({ buffers: buffers.live(), tensors: tf.memory().numTensors }),
          });
        } finally {
          buffers.restore();
        }
        expect(held).toHaveLength(4);
        // Epoch 1 makes what stays (the epoch buffer, the sampler's and ranker's CSR); none after.
        for (const h of held.slice(1)) expect(h).toEqual(held[0]);
        // The epoch's made buffers are counted: the run must have made some that live on.
        expect(held[0].buffers).toBeGreaterThan(0);
      });
    }
  }
});
