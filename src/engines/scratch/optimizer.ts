/**
 * Optimizers over the flat layout, split between threads so each updates a disjoint part:
 * thread t owns user rows u ≡ t (mod T), item rows i ≡ t (mod T) and the t-th slice of the
 * dense parameters (or, for dense Adam, the t-th slice of everything).
 *
 * Each gradient buffer holds one shard's sum; the update reads Σ_shards in a fixed order (so the
 * result does not depend on timing) and zeroes what it read, ready for the next step.
 *
 *   sgd:       θ -= lr·g                                   (only touched rows have g ≠ 0)
 *   adam:      Kingma & Ba on every parameter every step    (as Keras / PyTorch Adam)
 *   lazy_adam: Adam on the embedding rows this batch touched and on all dense parameters
 *              (as TensorFlow's LazyAdam / PyTorch's SparseAdam): untouched rows keep their
 *              moments and values, so a step costs O(B) instead of O(U + I).
 */
import type { Instances, OptimizerConfig } from '../engine.js';
import type { FlatLayout } from './layout.js';

export interface SharedParams {
  /** θ, (total). */
  params: Float32Array;
  /** One gradient buffer per shard, each (total). */
  grads: Float32Array[];
  /** Adam moments, (total) each. */
  m: Float32Array;
  v: Float32Array;
}

export class OptimizerPartition {
  private readonly userStamp: Int32Array;
  private readonly itemStamp: Int32Array;
  private readonly denseLo: number;
  private readonly denseHi: number;
  private readonly allLo: number;
  private readonly allHi: number;
  // Per-step constants, set by prepare().
  private lrT = 0;
  private epsHat = 0;

  constructor(
    private readonly L: FlatLayout,
    private readonly opt: OptimizerConfig,
    private readonly thread: number,
    private readonly threads: number,
    private readonly buf: SharedParams,
  ) {
    this.userStamp = new Int32Array(L.shape.numUsers).fill(-1);
    this.itemStamp = new Int32Array(L.shape.numItems).fill(-1);
    const denseN = L.total - L.denseStart;
    this.denseLo = L.denseStart + Math.floor((denseN * thread) / threads);
    this.denseHi = L.denseStart + Math.floor((denseN * (thread + 1)) / threads);
    this.allLo = Math.floor((L.total * thread) / threads);
    this.allHi = Math.floor((L.total * (thread + 1)) / threads);
  }

  /**
   * Applies optimizer step number `step` (1-based) with the gradients of instances [b0, b1).
   * Adam's bias correction is folded into the step size: lr·√(1−β2^t)/(1−β1^t) and ε·√(1−β2^t)
   * give exactly lr·m̂/(√v̂ + ε).
   */
  update(step: number, inst: Instances, b0: number, b1: number): void {
    const { opt } = this;
    if (opt.name !== 'sgd') {
      const c2 = Math.sqrt(1 - Math.pow(opt.beta2, step));
      this.lrT = (opt.lr * c2) / (1 - Math.pow(opt.beta1, step));
      this.epsHat = opt.epsilon * c2;
    }
    if (opt.name === 'adam') {
      this.applyRange(this.allLo, this.allHi - this.allLo);
      return;
    }
    const L = this.L;
    const T = this.threads;
    const t = this.thread;
    const users = inst.users;
    const items = inst.items;
    for (let s = b0; s < b1; s++) {
      const u = users[s];
      if (u % T === t && this.userStamp[u] !== step) {
        this.userStamp[u] = step;
        if (L.gmf) this.applyRange(L.gmfUser + u * L.G, L.G);
        if (L.mlp) this.applyRange(L.mlpUser + u * L.E, L.E);
      }
      const i = items[s];
      if (i % T === t && this.itemStamp[i] !== step) {
        this.itemStamp[i] = step;
        if (L.gmf) this.applyRange(L.gmfItem + i * L.G, L.G);
        if (L.mlp) this.applyRange(L.mlpItem + i * L.E, L.E);
      }
    }
    this.applyRange(this.denseLo, this.denseHi - this.denseLo);
  }

  private applyRange(off: number, n: number): void {
    const { params, grads, m, v } = this.buf;
    const g0 = grads[0];
    const g1 = grads.length > 1 ? grads[1] : null;
    const nShards = grads.length;
    const end = off + n;
    if (this.opt.name === 'sgd') {
      const lr = this.opt.lr;
      for (let k = off; k < end; k++) {
        const g = sumAndZero(g0, g1, grads, nShards, k);
        params[k] -= lr * g;
      }
      return;
    }
    const b1 = this.opt.beta1;
    const b2 = this.opt.beta2;
    const lrT = this.lrT;
    const epsHat = this.epsHat;
    for (let k = off; k < end; k++) {
      const g = sumAndZero(g0, g1, grads, nShards, k);
      const mk = b1 * m[k] + (1 - b1) * g;
      const vk = b2 * v[k] + (1 - b2) * g * g;
      m[k] = mk;
      v[k] = vk;
      params[k] -= (lrT * mk) / (Math.sqrt(vk) + epsHat);
    }
  }
}

/** Σ over shards of grads[s][k] in shard order, zeroing each; fast paths for 1 and 2 shards. */
function sumAndZero(g0: Float32Array, g1: Float32Array | null, grads: Float32Array[], nShards: number, k: number): number {
  let g = g0[k];
  g0[k] = 0;
  if (g1 !== null) {
    g += g1[k];
    g1[k] = 0;
    for (let s = 2; s < nShards; s++) {
      g += grads[s][k];
      grads[s][k] = 0;
    }
  }
  return g;
}
