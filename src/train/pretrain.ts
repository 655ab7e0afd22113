/**
 * The pre-training pipeline (He et al. §3.4.1): NeuMF's initial weights from the best GMF (or
 * MF) and MLP models of the configs `c.pretrain` names, each trained first, by `trainStage`, when
 * its model file is missing, or continued when its run was interrupted.
 */
import { existsSync } from 'node:fs';
import { firstDifference, recordedConfig, type ModelMeta } from '../artifacts/meta.js';
import { loadModel, readModelHeader } from '../artifacts/model-file.js';
import { bestModelPath, modelPath } from '../artifacts/paths.js';
import type { ModelShape, Weights } from '../core/model.js';
import { bestEpoch, type EpochRecord } from '../core/records.js';
import { loadConfig } from '../config/load.js';
import { ENGINE_NAMES } from '../engines/index.js';
import type { Config } from '../config/schema.js';
import { gmfPartText, mlpShare, neumfFromPretrained, type Pretrained } from '../models/pretrain.js';
import { NcfError } from '../util/errors.js';
import { patienceSpent } from './loop.js';

export interface PipelineHooks {
  log: (line: string) => void;
  /** Trains one stage's config to completion (the caller's train command), or continues its saved run; interrupted: run again to continue. */
  trainStage: (c: Config, resume: boolean) => Promise<{ interrupted: boolean }>;
}

/** What a part model must have been trained with, its config's own values, to be reused. */
const PART_KEYS = [
  'model',
  'seed',
  'train.epochs',
  'train.batchSize',
  'train.lr',
  'train.optimizer',
  'train.negatives',
  'train.loss',
  'train.l2',
  'train.patience',
];

/**
 * The stages inherit this run's data folder and split, output folders and engine (so `--set
 * engine=tfjs` moves all three stages to the GPU, and `--set data.split=validation` keeps the
 * validation items out of the parts too); what each stage trains comes from its own config.
 */
export async function pretrainedWeights(c: Config, shape: ModelShape, o: PipelineHooks): Promise<Weights> {
  const p = c.pretrain!;
  const inherited = [
    `output.models=${JSON.stringify(c.output.models)}`,
    `output.reports=${JSON.stringify(c.output.reports)}`,
    `engine=${c.engine}`,
    `data.split=${c.data.split}`,
    ...ENGINE_NAMES.map((n) => `${n}=${JSON.stringify(c[n])}`),
  ];
  if (c.data.dir) inherited.push(`data.dir=${JSON.stringify(c.data.dir)}`);
  const parts: Pretrained[] = [];
  for (const [which, file] of [
    ['GMF', p.gmf],
    ['MLP', p.mlp],
  ] as const) {
    const sub = loadConfig(file, inherited);
    if (sub.data.dataset !== c.data.dataset)
      throw new NcfError(`pretrain.${which.toLowerCase()} (${file}) trains on ${sub.data.dataset}, this run on ${c.data.dataset}`);
    const path = bestModelPath(sub);
    const stage = async (resume: boolean): Promise<void> => {
      const r = await o.trainStage(sub, resume);
      if (r.interrupted) throw new NcfError(`pre-training ${which} was interrupted; run again to continue`);
    };
    if (!existsSync(path)) {
      o.log(`pre-training ${which} with ${file} (${path} not found)`);
      await stage(false);
    }
    let f = loadModel<ModelMeta>(path);
    const recorded = recordedConfig(f.meta);
    const split = recorded.data.split;
    if (split !== c.data.split)
      throw new NcfError(
        `pre-trained ${which} ${path} was trained for the ${split} split, this run scores the ${c.data.split} split: give this run another output.models folder`,
      );
    // A file left by an earlier version of the part's config would silently stand in for it.
    const differ = firstDifference(recorded, sub, PART_KEYS);
    if (differ)
      throw new NcfError(
        `pre-trained ${which} ${path} was trained with ${differ.key} ${JSON.stringify(differ.recorded)}, ${file} says ${JSON.stringify(differ.now)}: delete it or give this run another output.models folder`,
      );
    const held = stoppedShort(modelPath(sub), sub);
    if (held !== null) {
      o.log(`pre-training ${which}: ${modelPath(sub)} holds epoch ${held} of ${sub.train.epochs}; continuing it`);
      await stage(true);
      f = loadModel<ModelMeta>(path);
    }
    o.log(`pre-trained ${which}${which === 'GMF' ? gmfPartText(f.shape) : ''}: ${path}${scoreText(f.epoch, f.meta.history[f.epoch - 1])}`);
    parts.push({ shape: f.shape, weights: f.weights });
  }
  o.log(`NeuMF initialised from them, output layer α = ${p.alpha} (GMF) and ${mlpShare(p.alpha)} (MLP)`);
  return neumfFromPretrained(shape, parts[0], parts[1], p.alpha);
}

/**
 * The epochs a part's last model file holds when its run stopped before the end (interrupted),
 * else null: finished, stopped early by train.patience, or no readable file.
 */
function stoppedShort(last: string, sub: Config): number | null {
  const history = readModelHeader<ModelMeta>(last)?.meta.history ?? [];
  const n = history.length;
  if (n === 0 || n >= sub.train.epochs) return null;
  return patienceSpent(n, bestEpoch(history)!.epoch, sub.train.patience) ? null : n;
}

/** `(epoch 7: HR@10 0.7035, NDCG@10 0.4233)`: what a saved model scored when it was saved. */
function scoreText(epoch: number, r: EpochRecord | undefined): string {
  return r ? ` (epoch ${epoch}: HR@${r.sampled.k} ${r.sampled.hr.toFixed(4)}, NDCG@${r.sampled.k} ${r.sampled.ndcg.toFixed(4)})` : '';
}
