/** From a run config to an engine: its optimizer, objective and the chosen engine's own section. */
import type { ModelShape } from '../core/model.js';
import type { Objective, OptimizerConfig } from '../core/training.js';
import { createEngine, ENGINE_NAMES, engineTargets, parseEngineTarget, type Engine, type EngineName } from '../engines/index.js';
import { NcfError } from '../util/errors.js';
import type { Config } from './schema.js';

function optimizerConfig(c: Config): OptimizerConfig {
  const t = c.train;
  return { name: t.optimizer, lr: t.lr, beta1: t.beta1, beta2: t.beta2, epsilon: t.epsilon };
}

function objectiveOf(c: Config): Objective {
  return { loss: c.train.loss, l2: c.train.l2 };
}

/** The engine `c` names, for `shape`; `optimizer` overrides the config's (an engine that only scores). */
export function engineFor(c: Config, shape: ModelShape, optimizer: OptimizerConfig = optimizerConfig(c)): Promise<Engine> {
  return createEngine(c.engine, shape, { optimizer, objective: objectiveOf(c), settings: c[c.engine] });
}

/** Which engine, with every engine's section: what a recommender needs to make engines of its own. */
export type EngineChoice = Pick<Config, 'engine' | EngineName>;

export function engineChoice(c: Config): EngineChoice {
  return { engine: c.engine, ...Object.fromEntries(ENGINE_NAMES.map((n) => [n, c[n]])) } as EngineChoice;
}

/** `c` with the engine `target` names (`scratch`, `tfjs:wasm`, …: see engineTargets). */
export function withEngineTarget(c: Config, target: string): Config {
  const t = parseEngineTarget(target, c);
  if (!t) throw new NcfError(`unknown engine "${target}" — one of ${engineTargets().join(', ')}`);
  return { ...c, engine: t.name, [t.name]: t.settings };
}
