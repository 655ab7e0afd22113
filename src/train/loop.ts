/**
 * The one training loop, engine-agnostic: per epoch, sample instances, train mini-batches in
 * chunks (so progress, logging and Ctrl-C happen between chunks, not per step), then evaluate.
 */
import type { IalsSettings, Instances, Objective, SamplerName } from '../core/training.js';
import type { RankingMetrics } from '../core/evaluation.js';
import type { EpochRecord } from '../core/records.js';
import type { Engine } from '../engines/engine.js';
import { sampleCounterInstances } from '../data/counter-sampling.js';
import { allocateInstances, instancesPerEpoch, sampleTrainingInstances } from '../data/sampling.js';
import type { SplitData } from '../data/split.js';
import { evaluateFullRanking, evaluateSampled } from '../eval/evaluate.js';
import { NcfError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/** Training produced a non-finite loss (or weights): it stops at once, and nothing after the last finite epoch is kept. */
export class TrainingDiverged extends NcfError {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly steps: number,
    what: string,
  ) {
    super(`${what} at epoch ${epoch}, step ${step} of ${steps}`);
  }
}

export interface LoopOptions {
  epochs: number;
  /** Epochs already completed (resume). */
  startEpoch: number;
  batchSize: number;
  negatives: number;
  /** Instances come as (positive, negative) pairs under bpr. */
  loss: Objective['loss'];
  /** sequential unless given; philox on the engine's device where it has a sampler. */
  sampler?: SamplerName;
  seed: number;
  k: number;
  /** (U × evalN) sampled-protocol negatives. */
  evalNegatives: Int32Array;
  evalN: number;
  fullRanking: 'every' | 'final' | 'never';
  lossBlock: number;
  /** Stop after this many epochs in a row without a better sampled HR@K (the epochs before this run's start count too). */
  patience?: number | null;
  /** The best sampled HR@K of the epochs before startEpoch and its epoch (resuming with patience). */
  bestBefore?: { hr: number; epoch: number };
  /** Set for a model fitted by alternating least squares (model ials): each epoch is a user sweep and an item sweep, nothing sampled. */
  leastSquares?: IalsSettings;
}

export type Stage = 'sampling' | 'training' | 'evaluating' | 'ranking';

export interface LoopHooks {
  onStage?(epoch: number, stage: Stage, total: number): void;
  onProgress?(epoch: number, done: number, total: number, meanLoss: number): void;
  onEpochEnd?(record: EpochRecord): void | Promise<void>;
  /** Polled between chunks; true stops the loop, discarding the unfinished epoch. */
  stopRequested?(): boolean;
}

/** Early stopping's rule: `patience` epochs in a row after the best (by sampled HR@K) brought nothing better. */
export function patienceSpent(epoch: number, bestEpoch: number, patience: number | null | undefined): boolean {
  return patience != null && epoch - bestEpoch >= patience;
}

/** Seed label for the per-epoch generator: epoch e's negatives and shuffle depend on (seed, e) only. */
const EPOCH_STREAM = 0xe90c;

export async function trainEpochs(
  engine: Engine,
  data: SplitData,
  o: LoopOptions,
  hooks: LoopHooks = {},
): Promise<{ interrupted: boolean; stoppedEarly?: number }> {
  let best = o.bestBefore ?? { hr: Number.NEGATIVE_INFINITY, epoch: o.startEpoch };
  const fitEpoch = o.leastSquares ? await leastSquaresFitter(engine, data, o.leastSquares) : await sampledFitter(engine, data, o);
  for (let epoch = o.startEpoch + 1; epoch <= o.epochs; epoch++) {
    const trained = await fitEpoch(epoch, hooks);
    if (trained === null) return { interrupted: true };
    const t = performance.now();
    hooks.onStage?.(epoch, 'evaluating', data.numUsers);
    const sampled = await evaluateSampled(engine, data, o.evalNegatives, o.evalN, o.k, (d, n) => hooks.onProgress?.(epoch, d, n, NaN));
    if (sampled.hr > best.hr) best = { hr: sampled.hr, epoch };
    const stopping = epoch < o.epochs && patienceSpent(epoch, best.epoch, o.patience);
    let full: RankingMetrics | null = null;
    if (o.fullRanking === 'every' || (o.fullRanking === 'final' && (epoch === o.epochs || stopping))) {
      hooks.onStage?.(epoch, 'ranking', data.numUsers);
      full = await evaluateFullRanking(engine, data, o.k, (d, n) => hooks.onProgress?.(epoch, d, n, NaN));
    }
    const evalSeconds = (performance.now() - t) / 1000;
    await hooks.onEpochEnd?.({ epoch, ...trained, sampled, full, evalSeconds, samplesPerSecond: trained.instances / trained.trainSeconds });
    if (hooks.stopRequested?.()) return { interrupted: epoch < o.epochs };
    if (stopping) return { interrupted: false, stoppedEarly: epoch };
  }
  return { interrupted: false };
}

/** One epoch's training, before its evaluation; null: stopped (Ctrl-C) part-way, nothing of it kept. */
type EpochFit = (epoch: number, hooks: LoopHooks) => Promise<Omit<EpochRecord, 'epoch' | 'sampled' | 'full' | 'evalSeconds' | 'samplesPerSecond'> | null>;

/** Sampled instances and mini-batch steps: every model but ials. */
async function sampledFitter(engine: Engine, data: SplitData, o: LoopOptions): Promise<EpochFit> {
  const length = instancesPerEpoch(data.train, o.negatives, o.loss);
  const device = o.sampler === 'philox' ? engine.sampler : undefined;
  if (device) await device.prepare(data.train, o.negatives, o.loss);
  const host = device ? null : allocateInstances(length);
  const steps = Math.ceil(length / o.batchSize);
  const chunk = Math.max(1, Math.floor(32768 / o.batchSize));
  return async (epoch, hooks) => {
    hooks.onStage?.(epoch, 'sampling', length);
    let t = performance.now();
    let instances: Instances;
    if (device) instances = await device.sample(o.seed, epoch);
    else if (o.sampler === 'philox') instances = sampleCounterInstances(data.train, o.negatives, o.seed, epoch, host!, o.loss);
    else instances = sampleTrainingInstances(data.train, o.negatives, Rng.derive(o.seed, EPOCH_STREAM, epoch), host!, o.loss);
    const sampleSeconds = (performance.now() - t) / 1000;

    hooks.onStage?.(epoch, 'training', steps);
    t = performance.now();
    const lossBlocks: number[] = [];
    let blockSum = 0;
    let blockN = 0;
    let lossSum = 0;
    for (let first = 0; first < steps; first += chunk) {
      const count = Math.min(chunk, steps - first);
      const losses = await engine.trainSteps(instances, o.batchSize, first, count);
      const bad = losses.findIndex((l) => !Number.isFinite(l));
      if (bad >= 0) throw new TrainingDiverged(epoch, first + bad + 1, steps, `the loss is ${losses[bad]}`);
      for (const l of losses) {
        lossSum += l;
        blockSum += l;
        if (++blockN === o.lossBlock) {
          lossBlocks.push(blockSum / blockN);
          blockSum = 0;
          blockN = 0;
        }
      }
      hooks.onProgress?.(epoch, first + count, steps, lossSum / (first + count));
      await yieldToEventLoop();
      if (hooks.stopRequested?.()) return null;
    }
    if (blockN > 0) lossBlocks.push(blockSum / blockN);
    const trainSeconds = (performance.now() - t) / 1000;
    return { loss: lossSum / steps, instances: instances.length, sampleSeconds, trainSeconds, lossBlocks };
  };
}

/**
 * Alternating least squares (model ials): a user sweep, then an item sweep. The epoch's loss is
 * the iALS loss after both, per observed pair; `instances` counts the observed pairs.
 */
async function leastSquaresFitter(engine: Engine, data: SplitData, s: IalsSettings): Promise<EpochFit> {
  const lsq = engine.leastSquares;
  if (!lsq)
    throw new NcfError(
      `model ials is fitted by alternating least squares, which the ${engine.info.label} engine does not do: use engine scratch, or tfjs with tfjs.kernels graph`,
    );
  await lsq.prepare(data.train);
  const pairs = data.train.items.length;
  return async (epoch, hooks) => {
    hooks.onStage?.(epoch, 'training', 2);
    const t = performance.now();
    await lsq.sweep('users', s);
    hooks.onProgress?.(epoch, 1, 2, NaN);
    await yieldToEventLoop();
    if (hooks.stopRequested?.()) return null;
    await lsq.sweep('items', s);
    const trainSeconds = (performance.now() - t) / 1000;
    const parts = await lsq.loss(s);
    const loss = (parts.observed + parts.unobserved + parts.regularization) / pairs;
    if (!Number.isFinite(loss)) throw new TrainingDiverged(epoch, 2, 2, `the loss is ${loss}`);
    hooks.onProgress?.(epoch, 2, 2, loss);
    return { loss, instances: pairs, sampleSeconds: 0, trainSeconds, lossBlocks: [loss] };
  };
}

/** Lets signal handlers and timers run: a chunk of training blocks the thread. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
