/** The scratch engine's implementation of every registered model (src/models/index.ts). */
import type { ModelType } from '../../../models/index.js';
import type { ScratchModel } from '../net.js';
import { gmf } from './gmf.js';
import { ials } from './ials.js';
import { mf } from './mf.js';
import { mlp } from './mlp.js';
import { neumf } from './neumf.js';

export const SCRATCH_MODELS = { gmf, mlp, neumf, mf, ials } as const satisfies Record<ModelType, ScratchModel>;

export function scratchModel(type: string): ScratchModel {
  const m = (SCRATCH_MODELS as Record<string, ScratchModel>)[type];
  if (!m) throw new Error(`the scratch engine has no implementation of model ${type}`);
  return m;
}
