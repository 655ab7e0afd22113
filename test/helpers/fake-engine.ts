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
