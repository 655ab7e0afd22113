/** `ncf train`: data → engine → training loop → model files and report, on a resolved config. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import type { ModelMeta } from '../artifacts/meta.js';
import { type ModelFile, saveModel } from '../artifacts/model-file.js';
import { refuseOverwrite } from '../artifacts/overwrite.js';
import { bestModelPath, modelPath, startModelPath } from '../artifacts/paths.js';
import type { ModelShape } from '../core/model.js';
import { bestEpoch, type EpochRecord } from '../core/records.js';
import { engineFor } from '../config/engine.js';
import type { Config } from '../config/schema.js';
import { loadWithProgress, resolveDataDir } from '../data/dataset.js';
import { datasetTally, exploreDataset } from '../data/explore-files.js';
import { originalIds } from '../data/original-ids.js';
import { splitFor } from '../data/validation.js';
import { evalCandidates, scoreProtocols } from '../eval/protocols.js';
import { modelDef } from '../models/index.js';
import { countParams, firstNonFinite, firstUserRows, initWeights } from '../models/weights.js';
import { startText } from '../report/format.js';
import { RunReport } from '../report/run-report.js';
import { epochLine, ialsText, trainingLine } from '../report/train-log.js';
import { DATA_STATS_FILE, writeTrainReportPage } from '../report/train-html.js';
import { trainEpochs, TrainingDiverged } from '../train/loop.js';
import { feedbackLine, withFeedbackFrom } from './feedback.js';
import { pretrainedWeights } from '../train/pretrain.js';
import { resumeInto } from '../train/resume.js';
import { NcfError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';

export interface TrainOptions {
  resume: boolean;
  log: (line: string) => void;
  progress: Progress;
  /** Polled between chunks of steps (Ctrl-C). */
  stopRequested: () => boolean;
  /**
   * The site's store (a PGlite folder or postgres:// URL): its ratings' liked movies join the
   * training data as users after the dataset's. Their rows are not saved: the model file keeps
   * the dataset's users, and serving folds people in from their ratings.
   */
  feedback?: string;
}

export interface TrainResult {
  modelPath: string;
  /** The epoch with the highest sampled HR@K and its model file (He et al. report the best epoch). */
  best: { record: EpochRecord; path: string } | null;
  reportDir: string;
  history: EpochRecord[];
  interrupted: boolean;
  /** With train.patience: the epoch after which training stopped, no better sampled HR@K coming. */
  stoppedEarly?: number;
}

export async function runTrain(c: Config, o: TrainOptions): Promise<TrainResult> {
  const dataDir = resolveDataDir(c.data.dataset, c.data.dir);
  const leastSquares = modelDef(c.model.type).fit === 'least-squares';
  const tally = datasetTally(c.data.dataset);
  const dataset = splitFor(await loadWithProgress(c.data.dataset, dataDir, o.progress, tally), c);
  if (o.feedback && o.resume)
    throw new NcfError('--feedback trains a new model: it cannot --resume (the saved file keeps no optimizer state for the feedback users)');
  if (o.feedback && c.pretrain) throw new NcfError('--feedback does not combine with pre-training yet: train without --feedback, or without pretrain');
  const fed = o.feedback ? await withFeedbackFrom(o.feedback, dataset) : null;
  const data = fed?.data ?? dataset;
  if (fed) o.log(feedbackLine(fed.added));
  // Trained with the feedback users; saved with the dataset's alone.
  const shape: ModelShape = { ...c.model, numUsers: data.numUsers, numItems: data.numItems };
  const savedShape: ModelShape = { ...shape, numUsers: dataset.numUsers };
  const saved = async (): Promise<Pick<ModelFile<ModelMeta>, 'shape' | 'weights' | 'optimizer'>> => {
    const weights = await engine.getWeights();
    if (!fed) return { shape, weights, optimizer: await engine.getOptimizerState() };
    return { shape: savedShape, weights: firstUserRows(shape, weights, dataset.numUsers), optimizer: null };
  };
  const { negatives, n: evalN } = evalCandidates(c, data);
  const path = modelPath(c);
  if (!o.resume) for (const p of [path, bestModelPath(c)]) refuseOverwrite(p, { dataset: c.data.dataset, shape: savedShape });

  const engine = await engineFor(c, shape);
  try {
    let history: EpochRecord[] = [];
    if (o.resume) {
      history = await resumeInto(engine, c, shape, path);
      o.log(`resuming ${path} after epoch ${history.length}`);
    } else {
      const trainStage = (sub: Config, resume: boolean): Promise<TrainResult> => runTrain(sub, { ...o, resume });
      await engine.setWeights(c.pretrain ? await pretrainedWeights(c, shape, { log: o.log, trainStage }) : initWeights(shape, c.seed));
    }
    o.log(
      trainingLine({
        type: c.model.type,
        parameters: countParams(shape),
        dataset: c.data.split === 'validation' ? `${c.data.dataset} (validation split)` : c.data.dataset,
        users: data.numUsers,
        items: data.numItems,
        positives: data.train.items.length,
        engine: engine.info,
        fitting: leastSquares ? ialsText(c.ials) : `${c.train.optimizer} lr ${c.train.lr}, batch ${c.train.batchSize}`,
      }),
    );

    const report = new RunReport(c.output.reports, c.name);
    report.writeConfig(c, {
      dataDir,
      resumedFromEpoch: history.length,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      startedAt: new Date().toISOString(),
      engine: engine.info,
      parameters: countParams(shape),
      data: { users: data.numUsers, items: data.numItems, trainPositives: data.train.items.length },
    });
    for (const r of history) report.addEpoch(r);
    const original = await originalIds(c.data.dataset, dataset, dataDir);
    const ids = { users: Array.from(original.users), items: original.items && Array.from(original.items) };
    const meta = (h: EpochRecord[]): ModelMeta => ({
      config: c,
      dataset: { name: c.data.dataset, dir: dataDir, numUsers: dataset.numUsers, numItems: dataset.numItems },
      ids,
      history: h,
      ...(fed ? { feedback: fed.added } : {}),
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

    let diverged: TrainingDiverged | null = null;
    let interrupted = false;
    let stoppedEarly: number | undefined;
    const before = bestEpoch(history);
    try {
      ({ interrupted, stoppedEarly } = await trainEpochs(
        engine,
        data,
        {
          epochs: c.train.epochs,
          startEpoch: history.length,
          batchSize: c.train.batchSize,
          negatives: c.train.negatives,
          loss: c.train.loss,
          sampler: c.train.sampler,
          seed: c.seed,
          k: c.eval.k,
          evalNegatives: negatives,
          evalN,
          fullRanking: c.eval.fullRanking,
          lossBlock: 100,
          patience: c.train.patience,
          bestBefore: before ? { hr: before.sampled.hr, epoch: before.epoch } : undefined,
          leastSquares: leastSquares ? c.ials : undefined,
        },
        {
          onStage: (epoch, stage, total) => o.progress.start(`epoch ${epoch}/${c.train.epochs} ${stage}`, total),
          onProgress: (_e, done, _t, loss) => o.progress.update(done, Number.isNaN(loss) ? '' : `loss ${loss.toFixed(4)}`),
          onEpochEnd: async (r) => {
            o.progress.stop();
            const file = { epoch: r.epoch, meta: meta([...history, r]), ...(await saved()) };
            // A step can leave NaN weights behind a finite loss: such an epoch is not saved either.
            const bad = firstNonFinite(file.weights);
            if (bad) {
              const steps = Math.ceil(r.instances / c.train.batchSize);
              throw new TrainingDiverged(r.epoch, steps, steps, `weight ${bad.name}[${bad.index}] is ${bad.value}`);
            }
            history.push(r);
            saveModel(path, file);
            if (bestEpoch(history) === r) saveModel(bestModelPath(c), file);
            report.addEpoch(r);
            o.log(epochLine(r, c.train.epochs));
          },
          stopRequested: o.stopRequested,
        },
      ));
    } catch (err) {
      if (!(err instanceof TrainingDiverged)) throw err;
      diverged = err;
    }
    o.progress.stop();
    report.finish(history, engine.info, `${c.name}: ${c.model.type} on ${c.data.dataset}`);
    await writeTrainReportPage(report.dir);
    if (diverged) {
      const kept = history.length ? `${path} keeps epoch ${history[history.length - 1].epoch}` : 'no model saved';
      const hint = leastSquares ? 'try a larger ials.regularization' : `train.lr ${c.train.lr}: try a smaller one`;
      throw new NcfError(`training diverged: ${diverged.message} (${hint}); ${kept}; report: ${report.dir}`);
    }
    const best = bestEpoch(history);
    // train.epochs 0 (pre-training only): the start is the model.
    const modelFile = history.length === 0 && c.pretrain ? startModelPath(c) : path;
    return { modelPath: modelFile, best: best && { record: best, path: bestModelPath(c) }, reportDir: report.dir, history, interrupted, stoppedEarly };
  } finally {
    o.progress.stop();
    await engine.dispose();
  }
}
