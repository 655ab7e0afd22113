/**
 * The model registry: every model ncf trains, by its config name. The config's model.type enum,
 * the CLI's lists and the report text come from here; each engine maps the same keys to its own
 * implementation (src/engines/<engine>/models/).
 */
import type { ModelShape, ParamSpec } from '../core/model.js';
import { gmf } from './gmf.js';
import { ials } from './ials.js';
import { mf } from './mf.js';
import { mlp } from './mlp.js';
import { neumf } from './neumf.js';
import type { ModelDef } from './types.js';

export { popularityWeights } from './ials.js';
export type { ModelDef } from './types.js';

export const MODELS = { gmf, mlp, neumf, mf, ials } as const satisfies Record<string, ModelDef>;

export type ModelType = keyof typeof MODELS;

export const MODEL_TYPES = Object.keys(MODELS) as [ModelType, ...ModelType[]];

export function isModelType(type: string): type is ModelType {
  return Object.hasOwn(MODELS, type);
}

export function modelDef(type: string): ModelDef {
  if (!isModelType(type)) throw new Error(`unknown model type "${type}" — one of ${MODEL_TYPES.join(', ')}`);
  return MODELS[type];
}

/** The model's parameters in their fixed order. */
export function paramSpecs(m: ModelShape): ParamSpec[] {
  return modelDef(m.type).params(m);
}
