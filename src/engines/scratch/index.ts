/** The scratch engine's registry entry. */
import { z } from 'zod';
import type { EngineEntry } from '../entry.js';
import { ScratchEngine, threadsText, type ScratchSettings } from './engine.js';

const settings: z.ZodType<ScratchSettings> = z.strictObject({
  /** Worker threads (= gradient shards). Numbers depend on this, not on the machine. */
  threads: z.number().int().min(1).max(64),
});

export const scratchEngine: EngineEntry<ScratchSettings> = {
  name: 'scratch',
  summary: 'from scratch over Float32Array, hand-derived backward, one gradient shard per worker thread',
  settings,
  defaults: { threads: 2 },
  variants: [],
  withVariant: (s) => s,
  reference: true,
  create: (shape, o) => ScratchEngine.create(shape, o),
  describe: (info) => (info.threads ? `scratch (${threadsText(info.threads)})` : 'scratch'),
};
