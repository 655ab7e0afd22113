/**
 * Fold-in: recommendations for a person the model was not trained on, without retraining. The
 * model gets one extra user row; that row alone is fitted to the person's likes (each like a
 * positive, with fresh sampled negatives every step, as in training) by Adam, every other weight
 * frozen. The gradients come from the scratch engine, so this is the training loss, not a copy.
 */
import type { Instances } from '../engines/engine.js';
import { NO_OPTIMIZER, ScratchEngine } from '../engines/scratch/engine.js';
import { USER_TABLES, type ModelShape, type Weights } from '../model/spec.js';
import { Rng } from '../util/rng.js';

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
    private readonly engine: ScratchEngine,
    private readonly shape: ModelShape,
    /** The model's per-user tables and their row widths. */
    private readonly userTables: [name: string, width: number][],
    private readonly settings: FoldInSettings,
  ) {
    this.user = shape.numUsers - 1;
  }

  /** An engine holding the trained weights plus one extra user row, loaded once; requests only rewrite that row. */
  static async create(trained: ModelShape, weights: Weights, settings: FoldInSettings = FOLD_IN): Promise<FoldIn> {
    const shape: ModelShape = { ...trained, numUsers: trained.numUsers + 1 };
    // In USER_TABLES order: the order the extra row's start values are drawn in.
    const userTables = USER_TABLES.filter((name) => weights.has(name)).map((name): [string, number] => [name, weights.get(name)!.length / trained.numUsers]);
    const extended: Weights = new Map(weights);
    for (const [name, width] of userTables) {
      const t = new Float32Array(weights.get(name)!.length + width);
      t.set(weights.get(name)!);
      extended.set(name, t);
    }
    const engine = await ScratchEngine.create(shape, { threads: 1, optimizer: NO_OPTIMIZER });
    await engine.setWeights(extended);
    return new FoldIn(engine, shape, userTables, settings);
  }

  /** Fits the extra user's row to `likes` (dense item ids); returns its logits for every item. */
  async scoresFor(likes: Int32Array, seed: number): Promise<Float32Array> {
    const rng = new Rng(seed);
    const I = this.shape.numItems;
    const row = new Map<string, Float32Array>();
    const moments = new Map<string, { m: Float64Array; v: Float64Array }>();
    for (const [name, width] of this.userTables) {
      const std = name === 'user_bias' ? 0 : this.shape.embeddingStd; // as trained: factors ~ N(0, std), biases 0
      row.set(name, Float32Array.from({ length: width }, () => rng.nextNormal() * std));
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
      await this.engine.setUserRow(this.user, row);
      const { grads } = await this.engine.userRowGradients(inst, 0, n, this.user);
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
    await this.engine.setUserRow(this.user, row);
    const items = Int32Array.from({ length: I }, (_, i) => i);
    return this.engine.score(new Int32Array(I).fill(this.user), items);
  }

  async dispose(): Promise<void> {
    await this.engine.dispose();
  }
}
