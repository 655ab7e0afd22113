/**
 * Regression: restoring an earlier optimizer state into the same engine must replay exactly.
 * The optimizer once stamped "rows seen this step" with the step number, so after moving the step
 * back, rows stamped during the first pass were taken as already updated and skipped.
 */
import { describe, expect, it } from 'vitest';
import type { Instances } from '../../src/core/training.js';
import { ScratchEngine } from '../../src/engines/scratch/engine.js';
import { initWeights } from '../../src/models/weights.js';
import type { ModelShape } from '../../src/core/model.js';

const shape: ModelShape = { type: 'neumf', factors: 3, layers: [8, 6, 4], embeddingStd: 0.3, numUsers: 9, numItems: 7 };

/** Batches of 16; only batch 4 (instances 64..79) touches users 4..8 and items 3..6. */
function data(): Instances {
  const n = 96;
  const inst: Instances = { length: n, users: new Int32Array(n), items: new Int32Array(n), labels: new Float32Array(n) };
  for (let k = 0; k < n; k++) {
    const rare = k >= 64 && k < 80;
    inst.users[k] = rare ? 4 + (k % 5) : k % 4;
    inst.items[k] = rare ? 3 + (k % 4) : k % 3;
    inst.labels[k] = k % 4 === 0 ? 1 : 0;
  }
  return inst;
}

describe.each(['lazy_adam', 'adam'] as const)('%s: restoring an earlier state into the same engine', (name) => {
  it('replays the same steps bit for bit', async () => {
    const e = await ScratchEngine.create(shape, { settings: { threads: 1 }, optimizer: { name, lr: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } });
    try {
      const inst = data();
      await e.setWeights(initWeights(shape, 4));
      await e.trainSteps(inst, 16, 0, 3);
      const w3 = await e.getWeights();
      const s3 = await e.getOptimizerState();
      await e.trainSteps(inst, 16, 3, 3);
      const first = await e.getWeights();
      await e.setWeights(w3);
      await e.setOptimizerState(s3);
      await e.trainSteps(inst, 16, 3, 3);
      const again = await e.getWeights();
      for (const [k, v] of first) expect([...again.get(k)!], k).toEqual([...v]);
    } finally {
      await e.dispose();
    }
  });
});
