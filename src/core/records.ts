/** What a training run records: one row per epoch, and a pre-trained model's start. */
import type { RankingMetrics } from './evaluation.js';

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  loss: number;
  sampled: RankingMetrics;
  full: RankingMetrics | null;
  instances: number;
  sampleSeconds: number;
  trainSeconds: number;
  evalSeconds: number;
  samplesPerSecond: number;
  /** Mean loss of each consecutive block of `lossBlock` steps, for within-epoch curves. */
  lossBlocks: number[];
}

/** Highest sampled HR@K; the earlier epoch wins a tie. */
export function bestEpoch(history: EpochRecord[]): EpochRecord | null {
  return history.reduce<EpochRecord | null>((b, r) => (b === null || r.sampled.hr > b.sampled.hr ? r : b), null);
}

/** A pre-trained NeuMF's scores before its first fine-tuning epoch. */
export interface PretrainedStart {
  k: number;
  sampled: { hr: number; ndcg: number };
  full: { hr: number; ndcg: number } | null;
}
