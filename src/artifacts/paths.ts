/** Where a run's files go: its model files under output.models, its report folder under output.reports. */
import { join } from 'node:path';
import { runStamp } from '../util/stamp.js';

interface Output {
  name: string;
  output: { models: string; reports: string };
}

/** The last completed epoch (what --resume continues). */
export function modelPath(c: Output): string {
  return join(c.output.models, `${c.name}.ncf`);
}

/** The epoch with the highest sampled HR@K. */
export function bestModelPath(c: Output): string {
  return join(c.output.models, `${c.name}.best.ncf`);
}

/** A pre-trained NeuMF before its first fine-tuning step. */
export function startModelPath(c: Output): string {
  return join(c.output.models, `${c.name}.start.ncf`);
}

/** A run's report folder: <root>/<name>-<UTC time stamp>. */
export function runFolder(root: string, name: string, now: Date): string {
  return join(root, `${name}-${runStamp(now)}`);
}
