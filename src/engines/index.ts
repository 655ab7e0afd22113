/** The engine factory: config → an Engine for a model shape. */
import type { Config } from '../config/schema.js';
import type { ModelShape } from '../model/spec.js';
import type { Engine, Objective, OptimizerConfig } from './engine.js';
import { ScratchEngine } from './scratch/engine.js';

export function optimizerConfig(c: Config): OptimizerConfig {
  const t = c.train;
  return { name: t.optimizer, lr: t.lr, beta1: t.beta1, beta2: t.beta2, epsilon: t.epsilon };
}

export function objectiveOf(c: Config): Objective {
  return { loss: c.train.loss, l2: c.train.l2 };
}

export async function createEngine(c: Config, shape: ModelShape): Promise<Engine> {
  switch (c.engine) {
    case 'scratch':
      return ScratchEngine.create(shape, { optimizer: optimizerConfig(c), objective: objectiveOf(c), threads: c.scratch.threads });
    case 'tfjs': {
      // Loaded on demand: TensorFlow.js takes a while to import and the scratch engine does not need it.
      const { TfjsEngine } = await import('./tfjs/engine.js');
      return TfjsEngine.create(shape, { optimizer: optimizerConfig(c), objective: objectiveOf(c), backend: c.tfjs.backend });
    }
  }
}
