/** Number formats shared by the report pages and terminal tables, so the same figure reads the same everywhere. */
import type { PretrainedStart } from '../core/records.js';
import { isModelType, modelDef } from '../models/index.js';

export const fixed = (x: number, digits: number): string => x.toFixed(digits);

/** Integers with thousands separators: 340,697. */
export const count = (x: number): string => Math.round(x).toLocaleString('en-US');

export const seconds = (x: number): string => `${x.toFixed(x < 10 ? 2 : 1)}`;

export const times = (x: number): string => `${x.toFixed(2)}×`;

/** A relative error in scientific notation: 3.1e-7. */
export const relError = (x: number): string => x.toExponential(1);

/** What the model is, naming only the sizes its type uses (as its registry entry describes it). */
export function modelText(m: { type: string; factors: number; layers: number[] }): string {
  return isModelType(m.type) ? modelDef(m.type).describe(m) : m.type;
}

/** A pre-trained NeuMF's start: `sampled HR@10 0.7175, NDCG@10 0.4347; full ranking HR@10 0.0940, NDCG@10 0.0464`. */
export function startText(s: PretrainedStart): string {
  const m = (x: { hr: number; ndcg: number }): string => `HR@${s.k} ${fixed(x.hr, 4)}, NDCG@${s.k} ${fixed(x.ndcg, 4)}`;
  return `sampled ${m(s.sampled)}${s.full ? `; full ranking ${m(s.full)}` : ''}`;
}
