import type { ModelConfig, ModelShape, ParamSpec } from '../core/model.js';

/** The sizes a model's name and factors depend on (what a report folder records of its config). */
export type ModelSizes = Pick<ModelConfig, 'factors' | 'layers'>;

/** A model, engine-independent: its parameters and how it is named. Each engine has its own file per model. */
export interface ModelDef {
  /** Its key in the registry and in configs (model.type). */
  readonly type: string;
  /** The name papers give it: GMF, MLP, NeuMF, MF. */
  readonly title: string;
  /** The formula and its source, for --help and docs. */
  readonly summary: string;
  /** Parameters in a fixed order (every engine, model file and optimizer uses it); per-user and per-item tables first. */
  params(m: ModelShape): ParamSpec[];
  /** The model as logs and report pages name it, with only the sizes it uses. */
  describe(m: ModelSizes): string;
  /** He et al.'s "predictive factors": the width of the last layer before the prediction. */
  predictiveFactors(m: ModelSizes): number;
  /**
   * How it is fitted: absent, by gradient steps on sampled instances (train.optimizer);
   * 'least-squares', by closed-form alternating sweeps over its one user and one item table (the
   * config's ials section), on an engine with the `leastSquares` capability.
   */
  readonly fit?: 'least-squares';
}
