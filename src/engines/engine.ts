/**
 * The one interface every engine implements, so that training, evaluation and benchmarks are
 * written once and every comparison is like for like.
 */
import type { ModelShape, Weights } from '../model/spec.js';

/** An epoch's training instances (positives and sampled negatives), already shuffled. */
export interface Instances {
  length: number;
  users: Int32Array;
  items: Int32Array;
  /** 1 for a positive, 0 for a sampled negative. */
  labels: Float32Array;
  /** Bumped whenever the contents change in place (each epoch's resampling), so engines that copy them know to copy again. */
  version?: number;
}

export type OptimizerName = 'adam' | 'lazy_adam' | 'sgd';

/**
 * What training minimises.
 *   bce: log loss of each instance (He et al.), the batch mean.
 *   bpr: −ln σ(ŷ_ui − ŷ_uj) of each pair (Rendle et al., UAI 2009), the batch mean; instances come in
 *        pairs (2k: the positive, 2k + 1: its sampled negative, same user).
 * l2: λ; every instance adds (λ/2)·‖θ_r‖² for each embedding (and bias) row r it reads, and the
 *     dense parameters get (λ/2)·‖θ‖² per instance (per pair member under bpr) — so one SGD step on
 *     one instance decays exactly the rows it used, as in Rendle et al. 2020.
 */
export interface Objective {
  loss: 'bce' | 'bpr';
  l2: number;
}

export const PLAIN_LOG_LOSS: Objective = { loss: 'bce', l2: 0 };

export interface OptimizerConfig {
  name: OptimizerName;
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Optimizer moments and step count, saved in checkpoints so that `--resume` continues exactly. */
export interface OptimizerState {
  step: number;
  /** Adam's first and second moments per parameter ('m:<name>', 'v:<name>'); empty for SGD. */
  slots: Weights;
}

export interface EngineInfo {
  name: 'scratch' | 'tfjs';
  backend: string;
  /** What the backend runs on and, for an automatic choice, why it was picked. */
  detail?: string;
  threads?: number;
  /** The backend is a CPU emulator of a GPU (WebGPU on SwiftShader): exact, but its speed says nothing about GPUs. */
  emulated?: boolean;
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
  /** Mean loss and its gradients over instances [start, end), without updating anything. */
  gradients(instances: Instances, start: number, end: number): Promise<{ loss: number; grads: Weights }>;
  /** Predicted logits for (users[k], items[k]). */
  score(users: Int32Array, items: Int32Array): Promise<Float32Array>;
  dispose(): Promise<void>;
}
