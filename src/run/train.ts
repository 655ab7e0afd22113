/** `ncf train`: data → engine → training loop → model file and report, on a resolved config. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import type { Config } from '../config/schema.js';
import { loadWithProgress, resolveDataDir } from '../data/dataset.js';
import type { SplitData } from '../data/split.js';
import type { EngineInfo } from '../engines/engine.js';
import { createEngine } from '../engines/index.js';
import { loadModel, saveModel } from '../model/checkpoint.js';
import { countParams, initWeights, type ModelShape, type Weights } from '../model/spec.js';
import { mlpShare, neumfFromPretrained, type Pretrained } from '../model/pretrain.js';
import { loadConfig } from '../config/load.js';
import { fixed, scratchText, startText } from '../report/format.js';
import { RunReport } from '../report/run-report.js';
import { DATA_STATS_FILE, writeTrainReportPage } from '../report/train-html.js';
import { datasetTally, exploreDataset } from './explore.js';
import { evalCandidates, scoreProtocols } from './protocols.js';
import { originalIds } from '../data/original-ids.js';
import { bestEpoch, trainEpochs, type EpochRecord, type Stage } from '../train/loop.js';
import { NcfError } from '../util/errors.js';
import { Progress } from '../util/progress.js';

/** What a model file remembers about its run, beside the weights. */
export interface ModelMeta {
  config: Config;
  dataset: { name: string; dir: string; numUsers: number; numItems: number };
  /** Each dense user's MovieLens UserID and each item's MovieID (absent in files from before they were recorded). */
  ids?: { users: number[]; items: number[] | null };
  history: EpochRecord[];
}

export interface TrainOptions {
  resume: boolean;
  log: (line: string) => void;
  progress: Progress;
  /** Polled between chunks of steps (Ctrl-C). */
  stopRequested: () => boolean;
}

export interface TrainResult {
  modelPath: string;
  /** The epoch with the highest sampled HR@K and its model file (He et al. report the best epoch). */
  best: { record: EpochRecord; path: string } | null;
  reportDir: string;
  history: EpochRecord[];
  interrupted: boolean;
}

export function modelPath(c: Config): string {
  return join(c.output.models, `${c.name}.ncf`);
}

export function bestModelPath(c: Config): string {
  return join(c.output.models, `${c.name}.best.ncf`);
}

/** A pre-trained NeuMF before its first fine-tuning step. */
export function startModelPath(c: Config): string {
  return join(c.output.models, `${c.name}.start.ncf`);
}

export async function runTrain(c: Config, o: TrainOptions): Promise<TrainResult> {
  const dataDir = resolveDataDir(c.data.dataset, c.data.dir);
  const tally = datasetTally(c.data.dataset);
  const data = await loadWithProgress(c.data.dataset, dataDir, o.progress, tally);
  const shape: ModelShape = { ...c.model, numUsers: data.numUsers, numItems: data.numItems };
  const { negatives, n: evalN } = evalCandidates(c, data);
  const path = modelPath(c);

  const engine = await createEngine(c, shape);
  try {
    let history: EpochRecord[] = [];
    if (o.resume) {
      history = await resumeInto(engine, c, shape, path);
      o.log(`resuming ${path} after epoch ${history.length}`);
    } else {
      await engine.setWeights(c.pretrain ? await pretrainedWeights(c, shape, o) : initWeights(shape, c.seed));
    }
    o.log(
      `${c.model.type} (${countParams(shape).toLocaleString('en-US')} parameters) on ${c.data.dataset}: ` +
        `${data.numUsers.toLocaleString('en-US')} users, ${data.numItems.toLocaleString('en-US')} items, ` +
        `${data.train.items.length.toLocaleString('en-US')} training positives; engine ${engineLabel(engine.info)}, ` +
        `${c.train.optimizer} lr ${c.train.lr}, batch ${c.train.batchSize}`,
    );

    const report = new RunReport(c.output.reports, c.name);
    report.writeConfig(c, {
      dataDir, resumedFromEpoch: history.length, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length,
      startedAt: new Date().toISOString(), engine: engine.info, parameters: countParams(shape),
      data: { users: data.numUsers, items: data.numItems, trainPositives: data.train.items.length },
    });
    for (const r of history) report.addEpoch(r);
    const original = await originalIds(c.data.dataset, data, dataDir);
    const ids = { users: Array.from(original.users), items: original.items && Array.from(original.items) };
    const meta = (h: EpochRecord[]): ModelMeta => ({
      config: c, dataset: { name: c.data.dataset, dir: dataDir, numUsers: data.numUsers, numItems: data.numItems }, ids, history: h,
    });
    if (c.pretrain && !o.resume) {
      // What pre-training alone gives, so the fine-tuning epochs can be read against it, kept in
      // its own file in case fine-tuning only makes it worse.
      const [start, full] = await scoreProtocols(engine, c, data, c.eval.fullRanking === 'never' ? 'sampled' : 'both', o.progress);
      const startPath = startModelPath(c);
      saveModel(startPath, { shape, epoch: 0, meta: meta([]), weights: await engine.getWeights(), optimizer: null });
      const scores = { k: c.eval.k, sampled: { hr: start.hr, ndcg: start.ndcg }, full: full ? { hr: full.hr, ndcg: full.ndcg } : null };
      report.writeStart(scores);
      o.log(`NeuMF before fine-tuning: ${startText(scores)}  → ${startPath}`);
    }
    const stats = await exploreDataset(c.data.dataset, dataDir, o.progress, tally);
    writeFileSync(join(report.dir, DATA_STATS_FILE), `${JSON.stringify(stats, null, 2)}\n`);

    const { interrupted } = await trainEpochs(
      engine,
      data,
      {
        epochs: c.train.epochs, startEpoch: history.length, batchSize: c.train.batchSize, negatives: c.train.negatives, loss: c.train.loss,
        seed: c.seed, k: c.eval.k, evalNegatives: negatives, evalN, fullRanking: c.eval.fullRanking, lossBlock: 100,
      },
      {
        onStage: (epoch, stage, total) => o.progress.start(stageLabel(epoch, c.train.epochs, stage), total),
        onProgress: (_e, done, _t, loss) => o.progress.update(done, Number.isNaN(loss) ? '' : `loss ${loss.toFixed(4)}`),
        onEpochEnd: async (r) => {
          o.progress.stop();
          history.push(r);
          const file = { shape, epoch: r.epoch, meta: meta(history), weights: await engine.getWeights(), optimizer: await engine.getOptimizerState() };
          saveModel(path, file);
          if (bestEpoch(history) === r) saveModel(bestModelPath(c), file);
          report.addEpoch(r);
          o.log(epochLine(r, c.train.epochs));
        },
        stopRequested: o.stopRequested,
      },
    );
    o.progress.stop();
    report.finish(history, timing(history, engine.info), `${c.name}: ${c.model.type} on ${c.data.dataset}`);
    await writeTrainReportPage(report.dir);
    const best = bestEpoch(history);
    // train.epochs 0 (pre-training only): the start is the model.
    const modelFile = history.length === 0 && c.pretrain ? startModelPath(c) : path;
    return { modelPath: modelFile, best: best && { record: best, path: bestModelPath(c) }, reportDir: report.dir, history, interrupted };
  } finally {
    o.progress.stop();
    await engine.dispose();
  }
}

/**
 * NeuMF's initial weights from the best GMF and MLP models of the configs `c.pretrain` names,
 * training each first when its model file is missing. They inherit this run's data folder and
 * output folders, so the pipeline reads and writes in one place.
 */
async function pretrainedWeights(c: Config, shape: ModelShape, o: TrainOptions): Promise<Weights> {
  const p = c.pretrain!;
  // Where and on what the pipeline runs comes from this run (so `--set engine=tfjs` moves all three
  // stages to the GPU); what each stage trains, from its own config.
  const inherited = [
    `output.models=${JSON.stringify(c.output.models)}`, `output.reports=${JSON.stringify(c.output.reports)}`,
    `engine=${c.engine}`, `tfjs.backend=${c.tfjs.backend}`, `scratch.threads=${c.scratch.threads}`,
  ];
  if (c.data.dir) inherited.push(`data.dir=${JSON.stringify(c.data.dir)}`);
  const parts: Pretrained[] = [];
  for (const [which, file] of [['GMF', p.gmf], ['MLP', p.mlp]] as const) {
    const sub = loadConfig(file, inherited);
    if (sub.data.dataset !== c.data.dataset) throw new NcfError(`pretrain.${which.toLowerCase()} (${file}) trains on ${sub.data.dataset}, this run on ${c.data.dataset}`);
    const path = bestModelPath(sub);
    if (!existsSync(path)) {
      o.log(`pre-training ${which} with ${file} (${path} not found)`);
      const r = await runTrain(sub, { ...o, resume: false });
      if (r.interrupted) throw new NcfError(`pre-training ${which} was interrupted; run again to continue`);
    }
    const f = loadModel<ModelMeta>(path);
    const asGmf = f.shape.type === 'mf' ? ` (MF with ${f.shape.factors} factors, as a GMF with ${f.shape.factors + 2})` : '';
    o.log(`pre-trained ${which}${asGmf}: ${path}${scoreText(f.epoch, f.meta.history[f.epoch - 1])}`);
    parts.push({ shape: f.shape, weights: f.weights });
  }
  o.log(`NeuMF initialised from them, output layer α = ${p.alpha} (GMF) and ${mlpShare(p.alpha)} (MLP)`);
  return neumfFromPretrained(shape, parts[0], parts[1], p.alpha);
}

/** `(epoch 7: HR@10 0.7035, NDCG@10 0.4233)`: what a saved model scored when it was saved. */
function scoreText(epoch: number, r: EpochRecord | undefined): string {
  return r ? ` (epoch ${epoch}: HR@${r.sampled.k} ${fixed(r.sampled.hr, 4)}, NDCG@${r.sampled.k} ${fixed(r.sampled.ndcg, 4)})` : '';
}

async function resumeInto(engine: Awaited<ReturnType<typeof createEngine>>, c: Config, shape: ModelShape, path: string): Promise<EpochRecord[]> {
  if (!existsSync(path)) throw new NcfError(`--resume: ${path} not found — train without --resume first`);
  const f = loadModel<ModelMeta>(path);
  const was = f.meta.config;
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  for (const [key, a, b] of [
    ['model', was.model, c.model], ['data.dataset', was.data.dataset, c.data.dataset], ['seed', was.seed, c.seed],
    ['train.batchSize', was.train.batchSize, c.train.batchSize], ['train.negatives', was.train.negatives, c.train.negatives],
    ['train.optimizer', was.train.optimizer, c.train.optimizer],
    // Model files from before BPR existed trained log loss.
    ['train.loss', was.train.loss ?? 'bce', c.train.loss],
  ] as const) {
    if (!same(a, b)) throw new NcfError(`--resume: ${key} is ${JSON.stringify(b)} but ${path} was trained with ${JSON.stringify(a)}`);
  }
  if (f.shape.numUsers !== shape.numUsers || f.shape.numItems !== shape.numItems) {
    throw new NcfError(`--resume: ${path} was trained on ${f.shape.numUsers} users × ${f.shape.numItems} items, the data has ${shape.numUsers} × ${shape.numItems}`);
  }
  await engine.setWeights(f.weights);
  if (f.optimizer) await engine.setOptimizerState(f.optimizer);
  return f.meta.history.slice(0, f.epoch);
}

function engineLabel(i: EngineInfo): string {
  if (i.name === 'scratch') return scratchText(i.threads);
  return `tfjs on ${i.backend}${i.detail ? ` (${i.detail})` : ''}`;
}

function stageLabel(epoch: number, epochs: number, stage: Stage): string {
  return `epoch ${epoch}/${epochs} ${stage}`;
}

export function epochLine(r: EpochRecord, epochs: number): string {
  const k = r.sampled.k;
  const full = r.full ? `  full HR@${k} ${r.full.hr.toFixed(4)} NDCG@${k} ${r.full.ndcg.toFixed(4)}` : '';
  return (
    `epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}  loss ${r.loss.toFixed(4)}  ` +
    `HR@${k} ${r.sampled.hr.toFixed(4)}  NDCG@${k} ${r.sampled.ndcg.toFixed(4)}${full}  ` +
    `${r.trainSeconds.toFixed(1)}s train  ${r.evalSeconds.toFixed(1)}s eval  ${Math.round(r.samplesPerSecond).toLocaleString('en-US')} samples/s`
  );
}

function timing(history: EpochRecord[], engine: { name: string; backend: string; threads?: number }): Record<string, unknown> {
  const sum = (f: (r: EpochRecord) => number): number => history.reduce((a, r) => a + f(r), 0);
  return {
    engine,
    epochs: history.length,
    trainSeconds: sum((r) => r.trainSeconds),
    sampleSeconds: sum((r) => r.sampleSeconds),
    evalSeconds: sum((r) => r.evalSeconds),
    meanSamplesPerSecond: history.length ? sum((r) => r.instances) / sum((r) => r.trainSeconds) : 0,
    perEpoch: history.map((r) => ({ epoch: r.epoch, sampleSeconds: r.sampleSeconds, trainSeconds: r.trainSeconds, evalSeconds: r.evalSeconds })),
  };
}
