import type { Engine } from '../../src/engines/engine.js';
import type { Instances, OptimizerState } from '../../src/core/training.js';
import type { ModelShape, Weights } from '../../src/core/model.js';

/** An engine whose score is a given function of (user, item): for evaluation tests. */
export function scoringEngine(shape: ModelShape, f: (u: number, i: number) => number): Engine {
  const no = (): never => {
    throw new Error('not used');
  };
  return {
    info: { name: 'scratch', backend: 'fake', label: 'fake' },
    shape,
    setWeights: async (_w: Weights) => undefined,
    getWeights: async () => new Map(),
    getOptimizerState: async (): Promise<OptimizerState> => ({ step: 0, slots: new Map() }),
    setOptimizerState: async () => undefined,
    trainSteps: async (_i: Instances) => no(),
    gradients: async () => no(),
    score: async (users, items) => Float32Array.from(users, (u, k) => f(u, items[k])),
    dispose: async () => undefined,
  };
}

/** Every call passed to `inner`: what the fakes below start from. */
function passThrough(inner: Engine): Engine {
  return {
    info: inner.info,
    shape: inner.shape,
    setWeights: (w) => inner.setWeights(w),
    getWeights: () => inner.getWeights(),
    getOptimizerState: () => inner.getOptimizerState(),
    setOptimizerState: (s) => inner.setOptimizerState(s),
    trainSteps: (instances, batchSize, firstStep, count) => inner.trainSteps(instances, batchSize, firstStep, count),
    gradients: (instances, start, end) => inner.gradients(instances, start, end),
    score: (users, items) => inner.score(users, items),
    dispose: () => inner.dispose(),
  };
}

/**
 * `inner`, except that from step `fromStep` on its training diverges: every step is taken twice
 * (as if its learning rate had doubled), while its gradients stay `inner`'s.
 */
export function divergingEngine(inner: Engine, fromStep: number): Engine {
  return {
    ...passThrough(inner),
    trainSteps: async (instances, batchSize, firstStep, count) => {
      const losses = new Float32Array(count);
      for (let k = 0; k < count; k++) {
        const s = firstStep + k;
        losses[k] = (await inner.trainSteps(instances, batchSize, s, 1))[0];
        if (s >= fromStep) await inner.trainSteps(instances, batchSize, s, 1);
      }
      return losses;
    },
  };
}

/** `inner`, except that when `nudged` its weights read back with the last bit of each tensor's first value flipped: a run that does not repeat itself to the bit. */
export function nudgedEngine(inner: Engine, nudged: boolean): Engine {
  return {
    ...passThrough(inner),
    getWeights: async () => {
      const w = await inner.getWeights();
      if (!nudged) return w;
      const out: Weights = new Map();
      for (const [name, t] of w) {
        const c = t.slice();
        new Uint32Array(c.buffer)[0] ^= 1;
        out.set(name, c);
      }
      return out;
    },
  };
}
