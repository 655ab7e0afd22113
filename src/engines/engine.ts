/**
 * The one interface every engine implements, so that training, evaluation, benchmarks and
 * serving are written once and every comparison is like for like. What only some engines can do
 * is an optional capability (e.g. `userRows`), asked for rather than assumed from the name.
 */
import type { Ranker } from '../core/evaluation.js';
import type { ModelShape, Weights } from '../core/model.js';
import type { IalsSettings, Instances, Objective, OptimizerConfig, OptimizerState } from '../core/training.js';
import type { Interactions } from '../data/interactions.js';

export interface EngineInfo {
  /** Its key in the engine registry (engines/index.ts). */
  name: string;
  /** What it computes on: 'js', or a tfjs backend. */
  backend: string;
  /** How logs and report pages name it, e.g. "scratch (2 threads)", "tfjs on wasm (WebAssembly (XNNPACK))". */
  label: string;
  /** What the backend runs on and, for an automatic choice, why it was picked; threads for the scratch engine. */
  detail?: string;
  threads?: number;
  /** The backend is a CPU emulator of a GPU (WebGPU on SwiftShader): exact, but its speed says nothing about GPUs. */
  emulated?: boolean;
}

/** What creating an engine takes, beside the model shape: how it trains, and its own config section. */
export interface EngineOptions<S> {
  optimizer: OptimizerConfig;
  /** Log loss without L2 unless given. */
  objective?: Objective;
  settings: S;
}

export interface Engine {
  readonly info: EngineInfo;
  readonly shape: ModelShape;
  setWeights(w: Weights): Promise<void>;
  getWeights(): Promise<Weights>;
  getOptimizerState(): Promise<OptimizerState>;
  setOptimizerState(s: OptimizerState): Promise<void>;
  /**
   * Trains mini-batches [firstStep, firstStep + count) of `batchSize` over `instances`
   * (the last batch of an epoch may be short); forward, backward and optimizer per step.
   * Returns each step's mean loss.
   */
  trainSteps(instances: Instances, batchSize: number, firstStep: number, count: number): Promise<Float32Array>;
  /**
   * Over instances [start, end), without updating anything: the mean data loss (log loss or BPR,
   * without the L2 term) and the gradients of the whole objective (data loss + L2).
   */
  gradients(instances: Instances, start: number, end: number): Promise<{ loss: number; grads: Weights }>;
  /** Predicted logits for (users[k], items[k]). */
  score(users: Int32Array, items: Int32Array): Promise<Float32Array>;
  /** Fitting one user's rows with every other weight frozen (fold-in), where the engine can. */
  readonly userRows?: UserRows;
  /**
   * Trains steps [step, step + 4) and counts what each step issues beyond its chunk's own cost:
   * after one uncounted step (a first step may set up more), a chunk of two minus a chunk of one.
   * GPU dispatches on a GPU backend, framework kernels elsewhere. Engines that issue none
   * (scratch) lack it.
   */
  readonly countStep?: (instances: Instances, batchSize: number, step: number) => Promise<StepCount>;
  /**
   * Seconds trainSteps has spent so far on the host thread issuing work, not waiting for a device
   * to finish it: what the steps cost the host (bench's host ms/step). Engines that compute on the
   * host (scratch) lack it: every second of theirs is host time.
   */
  hostSeconds?(): number;
  /** The counter-based sampler (train.sampler "philox") run on the engine's device, where it has one. */
  readonly sampler?: DeviceSampler;
  /** Closed-form alternating least squares for a model fitted that way (ModelDef.fit 'least-squares'), where the engine has it. */
  readonly leastSquares?: LeastSquares;
  /** Evaluation's ranks counted on the engine's device beside its scores, where it has one (eval/evaluate.ts uses it). */
  readonly ranker?: Ranker;
  dispose(): Promise<void>;
}

/**
 * data/counter-sampling.ts on a device: each epoch's instances made where they are trained on,
 * equal to sampleCounterInstances' and never crossing the bus.
 */
export interface DeviceSampler {
  /** Uploads the training interactions (once per run; again for other ones). */
  prepare(train: Interactions, negatives: number, loss: Objective['loss']): Promise<void>;
  /** Epoch `epoch`'s instances under `seed`, resident on the device (Instances.resident), for this engine's trainSteps. */
  sample(seed: number, epoch: number): Promise<Instances>;
  /** Resident instances copied to the host (checks, tests). */
  download(instances: Instances): Promise<Instances>;
}

/** Refuses instances that live on some engine's device only: a host engine would read empty arrays. */
export function checkOnHost(instances: Instances): void {
  if (instances.resident) throw new Error('these instances live on a device (its sampler made them): only that engine can train on them');
}

/** Alternating least squares over a dot-product model's one user table and one item table (model ials). */
export interface LeastSquares {
  /** Takes the training interactions, by user and by item (once per run; again for other ones). */
  prepare(train: Interactions): Promise<void>;
  /** Solves every row of one side's table with the other side's fixed; resolves once the device has done it (the loop times sweeps by it). */
  sweep(side: 'users' | 'items', s: IalsSettings): Promise<void>;
  /** The iALS loss at the current weights (IalsSettings), by its three terms. */
  loss(s: IalsSettings): Promise<{ observed: number; unobserved: number; regularization: number }>;
  /**
   * Fold-in: user `user`'s row solved exactly (Cholesky) for `items` as its positives, against the
   * item table as it stands, and written in place. Needs no prepare. itemWeights: the items' c when
   * s.popularityExp > 0 (models/ials.ts popularityWeights of the training positives), else null.
   */
  solveUser(user: number, items: Int32Array, s: IalsSettings, itemWeights: Float64Array | null): Promise<void>;
}

/** What one training step issued. */
export interface StepCount {
  count: number;
  unit: 'dispatches' | 'kernels';
}

/** One user's rows of the per-user tables, written and differentiated without touching the rest. */
export interface UserRows {
  /** Overwrites `user`'s row of each per-user table named in `values`. */
  set(user: number, values: ReadonlyMap<string, Float32Array>): Promise<void>;
  /** As `gradients`, for `user`'s row of every per-user table only. */
  gradients(instances: Instances, start: number, end: number, user: number): Promise<{ loss: number; grads: Map<string, Float32Array> }>;
}

/** userRows' bounds: a row past the table would write into another parameter (the scratch engine's flat buffer). */
export function checkUser(user: number, shape: ModelShape): void {
  if (!Number.isInteger(user) || user < 0 || user >= shape.numUsers)
    throw new Error(`userRows: user ${user} is not a row of this model (0 … ${shape.numUsers - 1})`);
}
