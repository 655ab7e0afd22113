/**
 * ItemPop (He et al. 2017's first baseline): every user gets the items ranked by how many training
 * interactions they have. No learning, so it checks the evaluation: He et al. report HR@10 ≈ 0.45
 * on ML-1M under the sampled protocol.
 */
import type { Interactions } from '../data/interactions.js';
import type { Scorer } from '../core/evaluation.js';

export class ItemPop implements Scorer {
  readonly counts: Float32Array;

  constructor(train: Interactions) {
    this.counts = new Float32Array(train.numItems);
    for (const i of train.items) this.counts[i]++;
  }

  async score(_users: Int32Array, items: Int32Array): Promise<Float32Array> {
    return Float32Array.from(items, (i) => this.counts[i]);
  }
}
