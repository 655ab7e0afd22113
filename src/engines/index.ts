/** The engine factory: config → an Engine for a model shape. */
import type { Config } from '../config/schema.js';
import type { ModelShape } from '../model/spec.js';
import type { Engine, OptimizerConfig } from './engine.js';
import { ScratchEngine } from './scratch/engine.js';

export function optimizerConfig(c: Config): OptimizerConfig {
  const t = c.train;
  return { name: t.optimizer, lr: t.lr, beta1: t.beta1, beta2: t.beta2, epsilon: t.epsilon };
}

export async function createEngine(c: Config, shape: ModelShape): Promise<Engine> {
  switch (c.engine) {
    case 'scratch':
      return ScratchEngine.create(shape, { optimizer: optimizerConfig(c), threads: c.scratch.threads });
  }
}
