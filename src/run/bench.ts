/**
 * `ncf bench`: engines and backends on the same config, data, instances and initial weights. Each
 * is first checked against the reference engine (scratch), or bench refuses: the same loss and
 * gradients on a fixed batch, and the same weights after PARITY_STEPS training steps with each
 * optimizer; and whether two fresh engines trained alike leave the same bits (reported, not refused).
 * Then it is timed: training steps in the chunks the training loop uses (ms/step per
 * chunk, median and p90, and the host's share of it), samples/s, an epoch (measured when the
 * steps cover one, else extrapolated) and one sampled-protocol evaluation. Optionally every engine then trains the
 * same epochs from the same weights, to check that they reach the same loss and HR@K.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { ModelShape, Weights } from '../core/model.js';
import { OPTIMIZER_NAMES, type Instances, type OptimizerName } from '../core/training.js';
import { engineFor, withEngineTarget } from '../config/engine.js';
import type { Config } from '../config/schema.js';
import { loadWithProgress, resolveDataDir } from '../data/dataset.js';
import { splitFor } from '../data/validation.js';
import { allocateInstances, instancesPerEpoch, sampleTrainingInstances } from '../data/sampling.js';
import type { SplitData } from '../data/split.js';
import { engineTargets, parseEngineTarget, referenceEngine, type Engine } from '../engines/index.js';
import { evaluateSampled } from '../eval/evaluate.js';
import { evalCandidates } from '../eval/protocols.js';
import { initWeights } from '../models/weights.js';
import { benchTable, repeatText, writeBenchReport } from '../report/bench-html.js';
import type { BenchEngineResult, BenchParity, BenchReport, StepParity } from '../report/bench-report.js';
import { trainEpochs } from '../train/loop.js';
import { NcfError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';
import { Rng } from '../util/rng.js';
import { runStamp } from '../util/stamp.js';

export interface BenchOptions {
  /** "scratch", "tfjs:<backend>" (see engineTargets); the reference engine (scratch) is added first if missing. */
  engines: string[];
  /** Timed training steps per engine (after one warm-up chunk). */
  steps: number;
  /** Epochs of training per engine for the convergence check; 0 skips it. */
  epochs: number;
  log: (line: string) => void;
  progress: Progress;
  /** How an engine is made from a config naming it; engineFor unless a test substitutes its own. */
  makeEngine?: (c: Config, shape: ModelShape) => Promise<Engine>;
}

/** Largest relative difference from the scratch engine that bench accepts before timing anything. */
export const PARITY_TOLERANCE = 1e-3;
const PARITY_BATCH = 1024;
/** Training steps per optimizer after which every engine's weights must match the reference engine's. */
export const PARITY_STEPS = 20;

/** Weights after PARITY_STEPS training steps, per optimizer. */
type TrainedWeights = Map<OptimizerName, Weights>;

export async function runBench(c: Config, o: BenchOptions): Promise<{ dir: string; table: string; report: BenchReport }> {
  const labels = engineLabels(o.engines);
  const dataDir = resolveDataDir(c.data.dataset, c.data.dir);
  const data = splitFor(await loadWithProgress(c.data.dataset, dataDir, o.progress), c);
  const shape: ModelShape = { ...c.model, numUsers: data.numUsers, numItems: data.numItems };
  const weights = initWeights(shape, c.seed);
  const instances = allocateInstances(instancesPerEpoch(data.train, c.train.negatives, c.train.loss));
  o.progress.start('sampling', instances.length);
  sampleTrainingInstances(data.train, c.train.negatives, Rng.derive(c.seed, 0xbe7c), instances, c.train.loss);
  o.progress.stop();
  o.log(
    `bench ${c.name}: ${c.model.type} on ${c.data.dataset} (${data.numUsers} users, ${data.numItems} items), ` +
      `${c.train.optimizer} lr ${c.train.lr}, batch ${c.train.batchSize}; ${labels.join(', ')}`,
  );

  const make = o.makeEngine ?? engineFor;
  const stepBatch = Math.min(PARITY_BATCH, c.train.batchSize);
  let reference: { loss: number; grads: Weights; trained: TrainedWeights } | null = null;
  const results: BenchEngineResult[] = [];
  for (const label of labels) {
    const engine = await make(withEngineTarget(c, label), shape);
    try {
      await engine.setWeights(weights);
      const n = Math.min(PARITY_BATCH, instances.length);
      const g = await engine.gradients(instances, 0, n);
      let parity: BenchParity | null = reference ? compare(g, reference) : null;
      if (parity) assertParity(label, n, parity);
      const trained = await trainForParity(c, label, shape, weights, instances, stepBatch, make, o.progress);
      const repeat = await trainTwice(c, label, shape, weights, instances, make, o.progress);
      if (parity && reference) {
        const steps = compareSteps(trained.weights, reference.trained, trained.count, stepBatch);
        assertStepParity(label, steps);
        parity = { ...parity, steps };
      }
      reference ??= { ...g, trained: trained.weights };
      // Four steps of warm-up, three of them counted (the timing below does its own warm-up too).
      const stepCount = engine.countStep ? await engine.countStep(instances, c.train.batchSize, 0) : null;
      const timing = await timeTraining(engine, instances, c.train.batchSize, o.steps, label, o.progress);
      const evalSeconds = await timeEvaluation(engine, c, data, label, o.progress);
      const info = engine.info;
      results.push({
        label,
        engine: info.name,
        backend: info.backend,
        detail: info.detail ?? info.backend,
        emulated: Boolean(info.emulated),
        parity,
        batchSize: c.train.batchSize,
        stepCount,
        dispatchesPerStep: stepCount?.unit === 'dispatches' ? stepCount.count : null,
        repeat,
        ...timing,
        evalSeconds,
        speedup: timing.samplesPerSecond / (results[0]?.samplesPerSecond ?? timing.samplesPerSecond),
        convergence: null,
      });
      o.log(engineLine(results[results.length - 1]));
    } finally {
      await engine.dispose();
    }
  }
  if (o.epochs > 0) {
    for (const r of results) r.convergence = await trainForConvergence(c, r.label, shape, weights, data, o);
  }

  const report: BenchReport = {
    createdAt: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, platform: `${process.platform}-${process.arch}`, node: process.version },
    config: {
      name: c.name,
      dataset: c.data.dataset,
      model: { type: c.model.type, factors: c.model.factors, layers: c.model.layers },
      optimizer: c.train.optimizer,
      lr: c.train.lr,
      batchSize: c.train.batchSize,
      seed: c.seed,
    },
    data: { users: data.numUsers, items: data.numItems, trainPositives: data.train.items.length, instancesPerEpoch: instances.length },
    engines: results,
  };
  const dir = join(c.output.reports, `bench-${c.name}-${runStamp(new Date())}`);
  await writeBenchReport(dir, report);
  return { dir, table: benchTable(report), report };
}

/** The requested engines, the reference first (it is the baseline every speedup is over). */
export function engineLabels(requested: string[]): string[] {
  const labels = [...new Set(requested)];
  for (const l of labels) {
    if (!parseEngineTarget(l, {})) throw new NcfError(`bench: unknown engine "${l}" — one of ${engineTargets().join(', ')}`);
  }
  const reference = referenceEngine();
  return [reference, ...labels.filter((l) => l !== reference)];
}

/** Relative errors ‖a − b‖ / ‖b‖ of the loss and of each parameter's gradient, the worst named. */
export function compare(a: { loss: number; grads: Weights }, b: { loss: number; grads: Weights }): BenchParity {
  const { relError, worstParam } = worstRelError(a.grads, b.grads);
  return { lossRelError: Math.abs(a.loss - b.loss) / Math.abs(b.loss), maxGradRelError: relError, worstParam };
}

/** The largest ‖a − b‖ / ‖b‖ over b's parameters (‖a − b‖ where b is zero), named; NaN wins, so a diverged engine cannot pass. */
export function worstRelError(a: Weights, b: Weights): StepParity {
  let relError = 0;
  let worstParam = '';
  for (const [name, pb] of b) {
    const pa = a.get(name);
    if (!pa || pa.length !== pb.length) return { relError: Number.NaN, worstParam: name };
    let num = 0;
    let den = 0;
    for (let k = 0; k < pb.length; k++) {
      num += (pa[k] - pb[k]) ** 2;
      den += pb[k] ** 2;
    }
    const e = den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    if (Number.isNaN(relError)) continue;
    if (Number.isNaN(e) || e >= relError) {
      relError = e;
      worstParam = name;
    }
  }
  return { relError, worstParam };
}

/** Refuses, showing the difference, an engine that does not compute what the reference engine computes. */
export function assertParity(label: string, batch: number, parity: NonNullable<BenchEngineResult['parity']>): void {
  if (parity.lossRelError <= PARITY_TOLERANCE && parity.maxGradRelError <= PARITY_TOLERANCE) return;
  throw new NcfError(
    `bench: ${label} disagrees with the scratch engine on a fixed batch of ${batch} (relative error: loss ${parity.lossRelError.toExponential(2)}, ` +
      `gradient of ${parity.worstParam} ${parity.maxGradRelError.toExponential(2)}; tolerance ${PARITY_TOLERANCE}) — not timing it`,
  );
}

/**
 * A fresh engine per optimizer (the config's lr, betas and objective), from `weights`, trains
 * steps [0, PARITY_STEPS) of `batch` over `inst` (fewer if the instances run out); its weights.
 */
async function trainForParity(
  c: Config,
  label: string,
  shape: ModelShape,
  weights: Weights,
  inst: Instances,
  batch: number,
  make: (c: Config, shape: ModelShape) => Promise<Engine>,
  progress: Progress,
): Promise<{ count: number; weights: TrainedWeights }> {
  const count = Math.min(PARITY_STEPS, Math.ceil(inst.length / batch));
  const trained: TrainedWeights = new Map();
  progress.start(`${label} parity steps`, OPTIMIZER_NAMES.length, 'optimizers');
  for (const [i, optimizer] of OPTIMIZER_NAMES.entries()) {
    trained.set(optimizer, await trainFresh(withEngineTarget({ ...c, train: { ...c.train, optimizer } }, label), shape, weights, inst, batch, count, make));
    progress.update(i + 1);
  }
  progress.stop();
  return { count, weights: trained };
}

/** A fresh engine for `c`, from `weights`, trains steps [0, count) of `batch` over `inst`: its weights. */
async function trainFresh(
  c: Config,
  shape: ModelShape,
  weights: Weights,
  inst: Instances,
  batch: number,
  count: number,
  make: (c: Config, shape: ModelShape) => Promise<Engine>,
): Promise<Weights> {
  const engine = await make(c, shape);
  try {
    await engine.setWeights(weights);
    await engine.trainSteps(inst, batch, 0, count);
    return await engine.getWeights();
  } finally {
    await engine.dispose();
  }
}

/**
 * Two fresh engines from `weights` train the same PARITY_STEPS steps of the config's batch and
 * optimizer (fewer if the instances run out): how many of their weights differ to the bit. An
 * engine whose sums depend on thread timing (float atomics on a GPU) shows it here.
 */
async function trainTwice(
  c: Config,
  label: string,
  shape: ModelShape,
  weights: Weights,
  inst: Instances,
  make: (c: Config, shape: ModelShape) => Promise<Engine>,
  progress: Progress,
): Promise<NonNullable<BenchEngineResult['repeat']>> {
  const steps = Math.max(1, Math.min(PARITY_STEPS, Math.floor(inst.length / c.train.batchSize)));
  const runs: Weights[] = [];
  progress.start(`${label} trained twice`, 2, 'runs');
  for (let k = 0; k < 2; k++) {
    runs.push(await trainFresh(withEngineTarget(c, label), shape, weights, inst, c.train.batchSize, steps, make));
    progress.update(k + 1);
  }
  progress.stop();
  return { steps, ...differingBits(runs[0], runs[1]) };
}

/** How many values of `a` differ from `b`'s bit for bit (NaNs of the same bits are equal), of how many. */
export function differingBits(a: Weights, b: Weights): { differing: number; total: number } {
  let differing = 0;
  let total = 0;
  for (const [name, x] of a) {
    const bx = new Uint32Array(x.buffer, x.byteOffset, x.length);
    const y = b.get(name);
    total += x.length;
    if (!y || y.length !== x.length) {
      differing += x.length;
      continue;
    }
    const by = new Uint32Array(y.buffer, y.byteOffset, y.length);
    for (let k = 0; k < x.length; k++) if (bx[k] !== by[k]) differing++;
  }
  return { differing, total };
}

/** Per optimizer, the trained weights against the reference engine's. */
export function compareSteps(a: TrainedWeights, b: TrainedWeights, count: number, batchSize: number): NonNullable<BenchParity['steps']> {
  const optimizers = Object.fromEntries(OPTIMIZER_NAMES.map((name) => [name, worstRelError(a.get(name)!, b.get(name)!)]));
  return { count, batchSize, optimizers: optimizers as Record<OptimizerName, StepParity> };
}

/** The optimizer whose trained weights differ most from the reference's (NaN first). */
export function worstStep(steps: NonNullable<BenchParity['steps']>): { optimizer: OptimizerName } & StepParity {
  let worst: { optimizer: OptimizerName } & StepParity = { optimizer: OPTIMIZER_NAMES[0], ...steps.optimizers[OPTIMIZER_NAMES[0]] };
  for (const optimizer of OPTIMIZER_NAMES) {
    const p = steps.optimizers[optimizer];
    if (Number.isNaN(worst.relError)) break;
    if (Number.isNaN(p.relError) || p.relError > worst.relError) worst = { optimizer, ...p };
  }
  return worst;
}

/** Refuses an engine whose training, with any optimizer, ends away from the reference engine's weights. */
export function assertStepParity(label: string, steps: NonNullable<BenchParity['steps']>): void {
  const w = worstStep(steps);
  if (w.relError <= PARITY_TOLERANCE) return;
  throw new NcfError(
    `bench: ${label} trains away from the scratch engine: after ${steps.count} ${w.optimizer} steps of batch ${steps.batchSize} from the same weights, ` +
      `${w.worstParam} differs by ${w.relError.toExponential(2)} (relative error; tolerance ${PARITY_TOLERANCE}) — not timing it`,
  );
}

type Timing = Pick<
  BenchEngineResult,
  'steps' | 'msPerStep' | 'hostMsPerStep' | 'hostMsMeasured' | 'samplesPerSecond' | 'epochSeconds' | 'epochSecondsMeasured'
>;

/**
 * Steps timed in chunks of at most the training loop's chunk (each ends with the loss read back,
 * as in training), at least ten chunks when the steps allow. When the requested steps (plus a
 * warm-up chunk) reach a whole epoch, the epoch itself is run and timed; otherwise one chunk warms
 * up and the epoch time is extrapolated from the timed steps. The host's ms/step per chunk comes
 * from Engine.hostSeconds; an engine without it computes on the host, so its wall time is host time.
 */
async function timeTraining(engine: Engine, inst: Instances, batchSize: number, steps: number, label: string, progress: Progress): Promise<Timing> {
  const epochSteps = Math.ceil(inst.length / batchSize);
  const chunk = Math.max(1, Math.min(Math.floor(32768 / batchSize), Math.floor(steps / 10)));
  const wholeEpoch = steps + chunk >= epochSteps;
  const first = wholeEpoch ? 0 : chunk;
  const last = wholeEpoch ? epochSteps : Math.min(epochSteps, first + Math.ceil(steps / chunk) * chunk);
  if (!wholeEpoch) await engine.trainSteps(inst, batchSize, 0, chunk);
  progress.start(`${label} training`, last - first, 'steps');
  const chunks: number[] = [];
  const hostChunks: number[] = [];
  let seconds = 0;
  let samples = 0;
  for (let s = first; s < last; s += chunk) {
    const count = Math.min(chunk, last - s);
    const host = engine.hostSeconds?.() ?? 0;
    const t = performance.now();
    await engine.trainSteps(inst, batchSize, s, count);
    const dt = performance.now() - t;
    chunks.push(dt / count);
    if (engine.hostSeconds) hostChunks.push(((engine.hostSeconds() - host) * 1000) / count);
    seconds += dt / 1000;
    samples += Math.min(inst.length, (s + count) * batchSize) - s * batchSize;
    progress.update(s + count - first);
  }
  progress.stop();
  const sorted = [...chunks].sort((a, b) => a - b);
  const samplesPerSecond = samples / seconds;
  const median = quantile(sorted, 0.5);
  return {
    steps: last - first,
    msPerStep: { median, p90: quantile(sorted, 0.9), chunks },
    // Each chunk's host time is within its wall time, so the medians keep that order too.
    hostMsPerStep: engine.hostSeconds
      ? quantile(
          hostChunks.sort((a, b) => a - b),
          0.5,
        )
      : median,
    hostMsMeasured: Boolean(engine.hostSeconds),
    samplesPerSecond,
    epochSeconds: wholeEpoch ? seconds : inst.length / samplesPerSecond,
    epochSecondsMeasured: wholeEpoch,
  };
}

async function timeEvaluation(engine: Engine, c: Config, data: SplitData, label: string, progress: Progress): Promise<number> {
  const { negatives, n } = evalCandidates(c, data);
  progress.start(`${label} evaluating`, data.numUsers, 'users');
  const t = performance.now();
  await evaluateSampled(engine, data, negatives, n, c.eval.k, (d) => progress.update(d));
  progress.stop();
  return (performance.now() - t) / 1000;
}

async function trainForConvergence(
  c: Config,
  label: string,
  shape: ModelShape,
  weights: Weights,
  data: SplitData,
  o: BenchOptions,
): Promise<BenchEngineResult['convergence']> {
  const engine = await (o.makeEngine ?? engineFor)(withEngineTarget(c, label), shape);
  const out = { loss: [] as number[], hr: [] as number[], ndcg: [] as number[], trainSeconds: [] as number[] };
  try {
    await engine.setWeights(weights);
    const { negatives, n } = evalCandidates(c, data);
    await trainEpochs(
      engine,
      data,
      {
        epochs: o.epochs,
        startEpoch: 0,
        batchSize: c.train.batchSize,
        negatives: c.train.negatives,
        loss: c.train.loss,
        sampler: c.train.sampler,
        seed: c.seed,
        k: c.eval.k,
        evalNegatives: negatives,
        evalN: n,
        fullRanking: 'never',
        lossBlock: 100,
      },
      {
        onStage: (epoch, stage, total) => o.progress.start(`${label} epoch ${epoch}/${o.epochs} ${stage}`, total),
        onProgress: (_e, done) => o.progress.update(done),
        onEpochEnd: (r) => {
          o.progress.stop();
          out.loss.push(r.loss);
          out.hr.push(r.sampled.hr);
          out.ndcg.push(r.sampled.ndcg);
          out.trainSeconds.push(r.trainSeconds);
          o.log(
            `${label} epoch ${r.epoch}/${o.epochs}: loss ${r.loss.toFixed(4)}  HR@${r.sampled.k} ${r.sampled.hr.toFixed(4)}  NDCG@${r.sampled.k} ${r.sampled.ndcg.toFixed(4)}  ${r.trainSeconds.toFixed(1)} s`,
          );
        },
      },
    );
  } finally {
    o.progress.stop();
    await engine.dispose();
  }
  return out;
}

function engineLine(r: BenchEngineResult): string {
  const epoch = `${r.epochSeconds.toFixed(1)} s/epoch (${r.epochSecondsMeasured ? 'measured' : 'extrapolated'})`;
  const steps = r.parity?.steps;
  const trained = steps
    ? `, ${steps.count} steps ${OPTIMIZER_NAMES.map((name) => `${name} ${steps.optimizers[name].relError.toExponential(1)}`).join(' ')}`
    : '';
  const parity = r.parity ? `  parity: loss ${r.parity.lossRelError.toExponential(1)}, grads ${r.parity.maxGradRelError.toExponential(1)}${trained}` : '';
  const issued = r.stepCount ? `  ${r.stepCount.count} ${r.stepCount.unit}/step` : '';
  const twice = r.repeat ? `  trained twice: ${repeatText(r)}` : '';
  const host = r.hostMsPerStep === undefined ? '' : r.hostMsMeasured ? `, host ${r.hostMsPerStep.toFixed(2)}` : ', all on the host';
  return (
    `${r.label.padEnd(14)} ${r.msPerStep.median.toFixed(2)} ms/step (p90 ${r.msPerStep.p90.toFixed(2)}${host})${issued}  ` +
    `${Math.round(r.samplesPerSecond).toLocaleString('en-US')} samples/s  ${epoch}  eval ${r.evalSeconds.toFixed(1)} s  ` +
    `${r.speedup.toFixed(2)}× scratch${r.emulated ? '  [CPU emulator, not a GPU]' : ''}${parity}${twice}`
  );
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
