/**
 * The run configuration: its schema (types, ranges, allowed keys) and its defaults.
 * Layering: DEFAULTS < config file < --set flags; the resolved config is saved with every run.
 */
import { z } from 'zod';
import { LEAST_SQUARES_SOLVERS, LOSS_NAMES, OPTIMIZER_NAMES, SAMPLER_NAMES } from '../core/training.js';
import { DATASET_NAMES } from '../data/datasets.js';
import { ENGINE_NAMES, ENGINES, type EngineName, type EngineSettings } from '../engines/index.js';
import { MODEL_TYPES } from '../models/index.js';

export { DATASET_NAMES, type DatasetName } from '../data/datasets.js';

/** Each engine's own section (scratch.threads, tfjs.backend, ...), as its registry entry defines it. */
const engineSections = Object.fromEntries(ENGINE_NAMES.map((n) => [n, ENGINES[n].settings])) as {
  [K in EngineName]: z.ZodType<EngineSettings[K]>;
};
const engineDefaults = Object.fromEntries(ENGINE_NAMES.map((n) => [n, ENGINES[n].defaults])) as EngineSettings;

const positiveInt = z.number().int().min(1);

const configFields = z.strictObject({
  /** Run name: the model is saved as <output.models>/<name>.ncf, reports under <output.reports>/<name>-<time>/. */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"'),
  seed: z.number().int().min(0),
  /** A key of the engine registry (src/engines/index.ts); its own settings are the section of the same name. */
  engine: z.enum(ENGINE_NAMES),
  model: z.strictObject({
    /** A key of the model registry (src/models/index.ts); each model says which sizes it uses (mf: factors only). */
    type: z.enum(MODEL_TYPES),
    factors: positiveInt,
    layers: z
      .array(positiveInt)
      .min(2)
      .refine((l) => l[0] % 2 === 0, 'layers[0] is the concatenated user+item embedding width and must be even'),
    embeddingStd: z.number().positive(),
  }),
  data: z.strictObject({
    dataset: z.enum(DATASET_NAMES),
    /** Folder holding the dataset's files; null: $NCF_DATA_DIR/<dataset>, else data/<dataset>. */
    dir: z.string().min(1).nullable(),
    /** Sampled-protocol negatives per user (ignored where the dataset ships its own, e.g. ml-1m-ncf). */
    evalNegatives: positiveInt,
    /** test: train on the training data, score the test split; validation: hold one training item per user out and score that (data/validation.ts) — choose settings here. */
    split: z.enum(['test', 'validation']),
  }),
  train: z.strictObject({
    /** 0 only with pretrain: build and score the pre-trained NeuMF without fine-tuning it. */
    epochs: z.number().int().min(0),
    batchSize: positiveInt,
    lr: z.number().positive(),
    optimizer: z.enum(OPTIMIZER_NAMES),
    /** Negatives sampled per positive, each epoch (under bpr: pairs per positive). */
    negatives: z.number().int().min(0),
    /** bce: log loss per instance (He et al.); bpr: −ln σ(ŷ_ui − ŷ_uj) per sampled pair (Rendle et al. 2009). */
    loss: z.enum(LOSS_NAMES),
    /** L2 strength λ: each instance adds (λ/2)·‖row‖² for every embedding and bias row it reads (see Objective). */
    l2: z.number().min(0),
    /** sequential: one seeded stream on the host; philox: counter-based, on the GPU where the engine has a device sampler (the fused path), else on the host, the same instances. */
    sampler: z.enum(SAMPLER_NAMES),
    /** Stop once this many epochs in a row bring no better sampled HR@K (choose it on data.split "validation"); null: train every epoch. */
    patience: z.number().int().positive().nullable(),
    beta1: z.number().min(0).lt(1),
    beta2: z.number().min(0).lt(1),
    epsilon: z.number().positive(),
  }),
  /** Model ials only, which is fitted by alternating least squares, not by train's optimizer (the loss: IalsSettings in core/training.ts). */
  ials: z.strictObject({
    /** α0, the weight of every user–item pair's ŷ² (the unobserved term). */
    unobservedWeight: z.number().positive(),
    /** e: item i's unobserved pairs weigh α0·c_i, c_i ∝ (its training positives)^e with mean 1 (eALS); 0, uniform. */
    popularityExp: z.number().min(0),
    /** λ. */
    regularization: z.number().positive(),
    /** ν: 0, plain ALS; 1, λ scaled by each row's frequency (Rendle et al. 2022). */
    regularizationExp: z.number().min(0),
    /** cg, cholesky (exact) or eals (one pass of element-wise coordinate descent per row and sweep). */
    solver: z.enum(LEAST_SQUARES_SOLVERS),
    /** Conjugate-gradient steps per row and sweep (solver cg), from the row's last value. */
    cgSteps: positiveInt,
  }),
  eval: z.strictObject({
    k: positiveInt,
    /** When to compute full-ranking metrics (slower): every epoch, after the last, or never. */
    fullRanking: z.enum(['every', 'final', 'never']),
  }),
  ...engineSections,
  output: z.strictObject({
    models: z.string().min(1),
    reports: z.string().min(1),
  }),
  /**
   * NeuMF pre-training (He et al. §3.4.1): configs of a GMF and an MLP run whose best models
   * initialise this NeuMF (each trained first when its model file is missing), and α, the GMF
   * share of the output layer. The GMF config may train MF with factors − 2 instead (MF is a GMF
   * with two more factors holding its biases). null: random initialisation.
   */
  pretrain: z.strictObject({ gmf: z.string().min(1), mlp: z.string().min(1), alpha: z.number().min(0).max(1) }).nullable(),
  recommend: z.strictObject({
    /** Fewer liked (or training) movies than this get the popularity fallback instead of the model. */
    minLikes: positiveInt,
  }),
});

export const configSchema = configFields.superRefine((c, ctx) => {
  if (c.train.epochs === 0 && !c.pretrain)
    ctx.addIssue({ code: 'custom', path: ['train', 'epochs'], message: 'must be at least 1 (0 is only for pretrain: the pre-trained start, not fine-tuned)' });
  if (c.train.loss !== 'bpr') return;
  if (c.train.batchSize % 2 !== 0)
    ctx.addIssue({ code: 'custom', path: ['train', 'batchSize'], message: 'must be even under bpr (a batch holds whole pairs)' });
  if (c.train.negatives < 1) ctx.addIssue({ code: 'custom', path: ['train', 'negatives'], message: 'must be at least 1 under bpr (one pair per negative)' });
});

export type Config = z.infer<typeof configSchema>;

/** He et al. 2017's defaults (NeuMF without pre-training) on their ML-1M split. */
export const DEFAULTS: Config = {
  name: 'ncf',
  seed: 42,
  engine: 'scratch',
  model: { type: 'neumf', factors: 8, layers: [64, 32, 16, 8], embeddingStd: 0.01 },
  data: { dataset: 'ml-1m-ncf', dir: null, evalNegatives: 99, split: 'test' },
  train: {
    epochs: 20,
    batchSize: 256,
    lr: 0.001,
    optimizer: 'lazy_adam',
    negatives: 4,
    loss: 'bce',
    l2: 0,
    sampler: 'sequential',
    patience: null,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
  },
  // Rendle et al. 2022's ML-20M setting; configs/ml-1m-ials.json has the one chosen for ML-1M.
  ials: { unobservedWeight: 0.1, popularityExp: 0, regularization: 0.003, regularizationExp: 1, solver: 'cg', cgSteps: 8 },
  eval: { k: 10, fullRanking: 'final' },
  ...engineDefaults,
  output: { models: 'models', reports: 'reports' },
  pretrain: null,
  recommend: { minLikes: 10 },
};
