/** A baseline's report folder: baseline.json, what `ncf baseline` writes and `ncf leaderboard` reads. */
import { z } from 'zod';
import { metricSchema } from './train-files.js';

export const BASELINE_FILE = 'baseline.json';

export const baselineFileSchema = z.object({
  baseline: z.literal('itempop'),
  dataset: z.string(),
  /** Absent from older files, which all scored the test split. */
  split: z.enum(['test', 'validation']).optional(),
  k: z.number(),
  startedAt: z.string(),
  sampled: metricSchema,
  full: metricSchema,
});
export type BaselineFile = z.infer<typeof baselineFileSchema>;
