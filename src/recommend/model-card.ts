/**
 * A model card: what a saved model file records about itself (its model and shape, the dataset,
 * how it was trained, the ranking metrics of the epoch it holds), for `ncf serve`'s site. A figure
 * the file does not record is null, never a guess.
 */
import type { ModelMeta } from '../artifacts/meta.js';
import type { ModelFile } from '../artifacts/model-file.js';
import type { RankingMetrics } from '../core/evaluation.js';
import { countParams } from '../models/weights.js';
import { modelText } from '../report/format.js';
import type { ModelCard, ProtocolScores } from './types.js';

export function modelCard(path: string, f: Pick<ModelFile<ModelMeta>, 'shape' | 'epoch' | 'meta'>): ModelCard {
  const c = f.meta.config;
  const epochs = f.meta.history.filter((r) => r.epoch <= f.epoch);
  const record = epochs.find((r) => r.epoch === f.epoch) ?? null;
  const total = (seconds: (r: (typeof epochs)[number]) => number): number | null => (epochs.length ? round(epochs.reduce((s, r) => s + seconds(r), 0)) : null);
  return {
    file: path,
    model: {
      type: f.shape.type,
      description: modelText(f.shape),
      factors: f.shape.factors,
      layers: f.shape.layers,
      parameters: countParams(f.shape),
    },
    dataset: { name: f.meta.dataset.name, users: f.shape.numUsers, movies: f.shape.numItems },
    epoch: f.epoch,
    plannedEpochs: c.train.epochs,
    training: {
      engine: c.engine,
      optimizer: c.train.optimizer,
      lr: c.train.lr,
      batchSize: c.train.batchSize,
      negatives: c.train.negatives,
      seed: c.seed,
      seconds: total((r) => r.sampleSeconds + r.trainSeconds + r.evalSeconds),
      trainSeconds: total((r) => r.trainSeconds),
    },
    metrics: { k: c.eval.k, epoch: record?.epoch ?? null, sampled: scores(record?.sampled ?? null), full: scores(record?.full ?? null) },
  };
}

function scores(m: RankingMetrics | null): ProtocolScores | null {
  return m && { hr: m.hr, ndcg: m.ndcg, users: m.users, candidates: m.candidates };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
