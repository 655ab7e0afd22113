/** A run never silently replaces a model trained on other data or of another shape under the same name. */
import type { ModelShape } from '../core/model.js';
import { NcfError } from '../util/errors.js';
import type { ModelMeta } from './meta.js';
import { readModelHeader } from './model-file.js';

/** Throws if `path` holds a model of another dataset or shape than this run's; a missing or unreadable file is fine to write. */
export function refuseOverwrite(path: string, run: { dataset: string; shape: ModelShape }): void {
  const had = readModelHeader<ModelMeta>(path);
  if (!had) return;
  const what = (dataset: string, s: ModelShape): string =>
    `${s.type} (factors ${s.factors}, layers [${s.layers.join(', ')}]) on ${dataset}, ${s.numUsers} users × ${s.numItems} items`;
  const before = what(had.meta.dataset?.name ?? '?', had.shape);
  const now = what(run.dataset, run.shape);
  if (before !== now) {
    throw new NcfError(`${path} holds ${before}; this run trains ${now} — give it a name of its own (--set name=<name>) or delete ${path}`);
  }
}
