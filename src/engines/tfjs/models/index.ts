/** The tfjs engine's graph of every registered model (src/models/index.ts). */
import type { ModelType } from '../../../models/index.js';
import { gmf } from './gmf.js';
import { ials } from './ials.js';
import type { TfjsModel } from './lookup.js';
import { mf } from './mf.js';
import { mlp } from './mlp.js';
import { neumf } from './neumf.js';

export const TFJS_MODELS = { gmf, mlp, neumf, mf, ials } as const satisfies Record<ModelType, TfjsModel>;

export function tfjsModel(type: string): TfjsModel {
  const m = (TFJS_MODELS as Record<string, TfjsModel>)[type];
  if (!m) throw new Error(`the tfjs engine has no graph of model ${type}`);
  return m;
}
