/**
 * Training converges on synthetic data with an exact answer: the label is 1 when user and item
 * have the same parity. A GMF with G ≥ 2 represents it exactly: with p_u = a(1, σ_u),
 * q_i = a(1, σ_i), σ = ±1 by parity, and h = (0, c), the logit is c·a²·σ_u·σ_i, so the log loss
 * can be driven towards its infimum 0. NeuMF contains that GMF and must get there too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ScratchEngine } from '../../src/engines/scratch/engine.js';
import type { Instances } from '../../src/core/training.js';
import { initWeights } from '../../src/models/weights.js';
import type { ModelShape } from '../../src/core/model.js';
import type { ModelType } from '../../src/models/index.js';
import { Rng } from '../../src/util/rng.js';

const U = 24;
const I = 18;

/** Every (u, i) pair, `epochs` times, each epoch shuffled. */
function parityData(epochs: number, seed: number): Instances {
  const n = U * I * epochs;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const labels = new Float32Array(n);
  const rng = new Rng(seed);
  const order = Array.from({ length: U * I }, (_, k) => k);
  for (let e = 0; e < epochs; e++) {
    for (let k = order.length - 1; k > 0; k--) {
      const j = rng.nextInt(k + 1);
      [order[k], order[j]] = [order[j], order[k]];
    }
    for (let k = 0; k < order.length; k++) {
      const s = e * order.length + k;
      users[s] = Math.floor(order[k] / I);
      items[s] = order[k] % I;
      labels[s] = users[s] % 2 === items[s] % 2 ? 1 : 0;
    }
  }
  return { length: n, users, items, labels };
}

const engines: ScratchEngine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
});

describe.each([
  ['gmf', 1],
  ['neumf', 2],
] as [ModelType, number][])('%s, %i thread(s), on parity labels', (type, threads) => {
  it('loss falls to near its optimum (0) and every pair is classified correctly', async () => {
    const shape: ModelShape = { type, factors: 4, layers: [16, 8, 4], embeddingStd: 0.1, numUsers: U, numItems: I };
    const e = await ScratchEngine.create(shape, {
      optimizer: { name: 'lazy_adam', lr: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      settings: { threads },
    });
    engines.push(e);
    await e.setWeights(initWeights(shape, 1));
    const epochs = 150;
    const data = parityData(epochs, 2);
    const batch = 32;
    const steps = Math.ceil(data.length / batch);
    const losses = await e.trainSteps(data, batch, 0, steps);
    const perEpoch = Math.ceil((U * I) / batch);
    const mean = (a: number, b: number): number => losses.slice(a, b).reduce((x, y) => x + y, 0) / (b - a);
    expect(mean(0, perEpoch)).toBeGreaterThan(0.6); // starts at chance: log 2 ≈ 0.693
    expect(mean(steps - perEpoch, steps)).toBeLessThan(0.02);

    const users = Int32Array.from({ length: U * I }, (_, k) => Math.floor(k / I));
    const items = Int32Array.from({ length: U * I }, (_, k) => k % I);
    const z = await e.score(users, items);
    let wrong = 0;
    for (let k = 0; k < z.length; k++) if (z[k] > 0 !== (users[k] % 2 === items[k] % 2)) wrong++;
    expect(wrong).toBe(0);
  });
});
