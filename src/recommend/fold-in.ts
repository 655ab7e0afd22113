/**
 * Fold-in: recommendations for a person the model was not trained on, without retraining. The
 * model gets one extra user row; that row alone is fitted to the person's likes (each like a
 * positive, with fresh sampled negatives every step, as in training) by Adam, every other weight
 * frozen. The gradients come from the engine's own loss (its `userRows` capability), so this is
 * the training loss, not a copy; any engine that has the capability can serve fold-in.
 * A model fitted by least squares (ials) instead gets its row solved exactly against the item
 * table, its own objective in closed form, where the engine can (its `leastSquares` capability).
 */
import type { ModelShape, Weights } from '../core/model.js';
import type { IalsSettings, Instances } from '../core/training.js';
import type { Engine, LeastSquares, UserRows } from '../engines/index.js';
import { paramSpecs, popularityWeights } from '../models/index.js';
import { NcfError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/** Makes an engine for a shape (the recommender's engine choice, for scoring only). */
export type EngineMaker = (shape: ModelShape) => Promise<Engine>;

export interface FoldInSettings {
  steps: number;
  lr: number;
  negatives: number;
}

export const FOLD_IN: FoldInSettings = { steps: 40, lr: 0.05, negatives: 4 };

export class FoldIn {
  /** The extra user's index: one past the trained users. */
  readonly user: number;
  private constructor(
    private readonly engine: Engine,
    private readonly rows: UserRows | null,
    /** Set for a least-squares model on an engine that solves rows: fold-in is then that solve. */
    private readonly solver: { leastSquares: LeastSquares; settings: IalsSettings; itemWeights: Float64Array | null } | null,
    private readonly shape: ModelShape,
    /** The model's per-user tables, their row widths and whether they start at zero (biases) or ~ N(0, embeddingStd). */
    private readonly userTables: [name: string, width: number, zeros: boolean][],
    private readonly settings: FoldInSettings,
  ) {
    this.user = shape.numUsers - 1;
  }

  /** An engine holding the trained weights plus one extra user row, loaded once; requests only rewrite that row. */
  static async create(
    trained: ModelShape,
    weights: Weights,
    makeEngine: EngineMaker,
    settings: FoldInSettings = FOLD_IN,
    /** The model's least-squares settings when it was fitted that way (model ials), and each item's training positives (for IalsSettings.popularityExp). */
    ials?: { settings: IalsSettings; itemPositives: ArrayLike<number> },
  ): Promise<FoldIn> {
    const shape: ModelShape = { ...trained, numUsers: trained.numUsers + 1 };
    // In paramSpecs order: the order the extra row's start values are drawn in.
    const userTables = paramSpecs(trained)
      .filter((p) => p.rows === 'users')
      .map((p): [string, number, boolean] => [p.name, p.shape[1], p.init === 'zeros']);
    const extended: Weights = new Map(weights);
    for (const [name, width] of userTables) {
      const t = new Float32Array(weights.get(name)!.length + width);
      t.set(weights.get(name)!);
      extended.set(name, t);
    }
    const engine = await makeEngine(shape);
    const solver =
      ials && engine.leastSquares
        ? { leastSquares: engine.leastSquares, settings: ials.settings, itemWeights: popularityWeights(ials.itemPositives, ials.settings.popularityExp) }
        : null;
    if (!solver && !engine.userRows) {
      await engine.dispose();
      throw new NcfError(`fold-in needs an engine that can fit one user's rows; ${engine.info.label} cannot`);
    }
    await engine.setWeights(extended);
    return new FoldIn(engine, engine.userRows ?? null, solver, shape, userTables, settings);
  }

  /** Fits the extra user's row to `likes` (dense item ids); returns its logits for every item. */
  async scoresFor(likes: Int32Array, seed: number): Promise<Float32Array> {
    if (this.solver) await this.solver.leastSquares.solveUser(this.user, likes, this.solver.settings, this.solver.itemWeights);
    else await this.fitByGradient(likes, seed);
    const I = this.shape.numItems;
    const items = Int32Array.from({ length: I }, (_, i) => i);
    return this.engine.score(new Int32Array(I).fill(this.user), items);
  }

  /** Adam on the training loss's gradient in the extra row, with fresh negatives every step. */
  private async fitByGradient(likes: Int32Array, seed: number): Promise<void> {
    const rows = this.rows!;
    const rng = new Rng(seed);
    const I = this.shape.numItems;
    const row = new Map<string, Float32Array>();
    const moments = new Map<string, { m: Float64Array; v: Float64Array }>();
    for (const [name, width, zeros] of this.userTables) {
      const std = zeros ? 0 : this.shape.embeddingStd; // as trained: factors ~ N(0, std), biases 0
      row.set(
        name,
        Float32Array.from({ length: width }, () => rng.nextNormal() * std),
      );
      moments.set(name, { m: new Float64Array(width), v: new Float64Array(width) });
    }

    const liked = new Set(likes);
    const per = 1 + this.settings.negatives;
    const n = likes.length * per;
    const inst: Instances = { length: n, users: new Int32Array(n).fill(this.user), items: new Int32Array(n), labels: new Float32Array(n) };
    const { lr, steps } = this.settings;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    for (let t = 1; t <= steps; t++) {
      for (let a = 0; a < likes.length; a++) {
        inst.items[a * per] = likes[a];
        inst.labels[a * per] = 1;
        for (let k = 1; k < per; k++) {
          let j: number;
          do j = rng.nextInt(I);
          while (liked.has(j));
          inst.items[a * per + k] = j;
          inst.labels[a * per + k] = 0;
        }
      }
      await rows.set(this.user, row);
      const { grads } = await rows.gradients(inst, 0, n, this.user);
      const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (const [name, r] of row) {
        const g = grads.get(name)!;
        const { m, v } = moments.get(name)!;
        for (let j = 0; j < r.length; j++) {
          m[j] = b1 * m[j] + (1 - b1) * g[j];
          v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
          r[j] -= (lrT * m[j]) / (Math.sqrt(v[j]) + eps);
        }
      }
    }
    await rows.set(this.user, row);
  }

  async dispose(): Promise<void> {
    await this.engine.dispose();
  }
}
