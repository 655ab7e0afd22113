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
    private readonly weights: Weights,
    private readonly shape: ModelShape,
    private readonly settings: FoldInSettings,
    private readonly std: number,
  ) {
    this.user = shape.numUsers - 1;
  }

  static async create(trained: ModelShape, weights: Weights, settings: FoldInSettings = FOLD_IN): Promise<FoldIn> {
    const shape: ModelShape = { ...trained, numUsers: trained.numUsers + 1 };
    const extended: Weights = new Map();
    for (const [name, w] of weights) {
      if (!(USER_TABLES as readonly string[]).includes(name)) {
        extended.set(name, w);
        continue;
      }
      const width = w.length / trained.numUsers;
      const t = new Float32Array(w.length + width);
      t.set(w);
      extended.set(name, t);
    }
    const engine = await ScratchEngine.create(shape, { threads: 1, optimizer: NO_OPTIMIZER });
    return new FoldIn(engine, extended, shape, settings, trained.embeddingStd);
  }

  /** Fits the extra user's row to `likes` (dense item ids); returns its logits for every item. */
  async scoresFor(likes: Int32Array, seed: number): Promise<Float32Array> {
    const rng = new Rng(seed);
    const I = this.shape.numItems;
    const rows = USER_TABLES.filter((n) => this.weights.has(n)).map((name) => {
      const table = this.weights.get(name)!;
      const width = table.length / this.shape.numUsers;
      return { name, table, off: this.user * width, width, m: new Float64Array(width), v: new Float64Array(width) };
    });
    for (const r of rows) {
      const std = r.name === 'user_bias' ? 0 : this.std; // as trained: factors ~ N(0, std), biases 0
      for (let j = 0; j < r.width; j++) r.table[r.off + j] = rng.nextNormal() * std;
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
      await this.engine.setWeights(this.weights);
      const { grads } = await this.engine.gradients(inst, 0, n);
      const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (const r of rows) {
        const g = grads.get(r.name)!;
        for (let j = 0; j < r.width; j++) {
          const gj = g[r.off + j];
          r.m[j] = b1 * r.m[j] + (1 - b1) * gj;
          r.v[j] = b2 * r.v[j] + (1 - b2) * gj * gj;
          r.table[r.off + j] -= (lrT * r.m[j]) / (Math.sqrt(r.v[j]) + eps);
        }
      }
    }
    await this.engine.setWeights(this.weights);
    const items = Int32Array.from({ length: I }, (_, i) => i);
    return this.engine.score(new Int32Array(I).fill(this.user), items);
  }

  async dispose(): Promise<void> {
    await this.engine.dispose();
  }
}
