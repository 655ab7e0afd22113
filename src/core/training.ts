/** What training consumes and keeps, shared by the data, the engines, the loop and the model files. */

/** An epoch's training instances (positives and sampled negatives), already shuffled. */
export interface Instances {
  length: number;
  users: Int32Array;
  items: Int32Array;
  /** 1 for a positive, 0 for a sampled negative. */
  labels: Float32Array;
  /** Bumped whenever the contents change in place (each epoch's resampling), so engines that copy them know to copy again. */
  version?: number;
  /**
   * Set when the columns live only on an engine's device (its sampler made them there): the
   * arrays are then empty, and only the engine that made them can train on them.
   */
  resident?: object;
}

/**
 * How an epoch's negatives are drawn and its instances shuffled. sequential: one seeded stream on
 * the host, draw after draw (data/sampling.ts). philox: each instance from (seed, epoch, index)
 * alone (data/counter-sampling.ts), so an engine with a device sampler makes the same instances
 * on its GPU.
 */
export const SAMPLER_NAMES = ['sequential', 'philox'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export const OPTIMIZER_NAMES = ['adam', 'lazy_adam', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export const LOSS_NAMES = ['bce', 'bpr'] as const;

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
  loss: (typeof LOSS_NAMES)[number];
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

/** For engines that only score (and give gradients): an optimizer that is never stepped. */
export const NO_OPTIMIZER: OptimizerConfig = { name: 'sgd', lr: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** Optimizer moments and step count, saved in model files so that `--resume` continues exactly. */
export interface OptimizerState {
  step: number;
  /** Adam's first and second moments per parameter ('m:<name>', 'v:<name>'); empty for SGD. */
  slots: Map<string, Float32Array>;
}

export const LEAST_SQUARES_SOLVERS = ['cg', 'cholesky', 'eals'] as const;

/**
 * How model ials is fitted: alternating least squares on Rendle et al. 2022's iALS loss
 *   L = Σ_{(u,i)∈S} (ŷ_ui − 1)² + α0·Σ_u Σ_i ŷ_ui² + λ·(Σ_u #_u^ν ‖w_u‖² + Σ_i #_i^ν ‖h_i‖²),
 *   #_u = |I_u| + α0·|I|,  #_i = |U_i| + α0·|U|,
 * each sweep solving every user row with the items fixed, then every item row. The α0 term runs over
 * all pairs, so it costs one Gramian per sweep (HᵀH), not a sum over U × I. Relative to the
 * unobserved pairs an observed one weighs (1 + α0)/α0: Hu et al.'s confidence 1 + α.
 */
export interface IalsSettings {
  /** α0: the weight of every pair's ŷ² (the unobserved term). */
  unobservedWeight: number;
  /**
   * e, eALS's popularity weighting of that term (He et al. 2016): item i's pairs weigh
   * α0·c_i, c_i = I·f_i^e / Σ_j f_j^e over training positives f (mean 1); 0, uniform (iALS).
   */
  popularityExp: number;
  /** λ. */
  regularization: number;
  /** ν: 0, plain ALS regularisation; 1, scaled by each row's frequency (Rendle et al.). */
  regularizationExp: number;
  /**
   * cholesky: each row's system solved exactly; cg: `cgSteps` conjugate-gradient steps from the row's
   * current value (Takács et al. 2011); eals: one pass of element-wise coordinate descent from it,
   * each coordinate set to its exact minimiser with the others fixed (He et al. 2016's eALS).
   */
  solver: (typeof LEAST_SQUARES_SOLVERS)[number];
  cgSteps: number;
}
