/**
 * Optimizers over the flat layout, split between threads so each updates a disjoint part:
 * thread t owns the t-th contiguous part of the user rows, of the item rows and of the dense
 * parameters.
 *
 * Each gradient buffer holds one shard's sum; the update reads Σ_shards in a fixed order (so the
 * result does not depend on timing) and zeroes what it read, ready for the next step.
 *
 *   sgd:       θ -= lr·g                                   (only touched rows have g ≠ 0)
 *   adam:      Kingma & Ba on every parameter every step    (as Keras / PyTorch Adam)
 *   lazy_adam: Adam on the embedding rows this batch touched and on all dense parameters
 *              (as TensorFlow's LazyAdam / PyTorch's SparseAdam): untouched rows keep their
 *              moments and values, so a step costs O(B) instead of O(U + I).
 * Dense Adam still knows which rows the batch touched: the others have g = 0, so their update
 * skips reading (and zeroing) the gradient buffers; the arithmetic is the same.
 */
import type { Instances, OptimizerConfig } from '../../core/training.js';
import type { FlatLayout, RowTable } from '../flat-layout.js';

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
  /** This thread's rows: users [uLo, uHi), items [iLo, iHi); dense parameters [denseLo, denseHi). */
  private readonly uLo: number;
  private readonly uHi: number;
  private readonly iLo: number;
  private readonly iHi: number;
  private readonly denseLo: number;
  private readonly denseHi: number;
  /**
   * Gradient shards 0 and 1 are read directly (g1 = g0, unused, with one shard); with three or
   * more, shards 1.. are first folded into shard 0.
   */
  private readonly g0: Float32Array;
  private readonly g1: Float32Array;
  private readonly twoShards: boolean;
  private readonly foldShards: boolean;
  private readonly sgd: boolean;
  private readonly lazy: boolean;
  /** Stamp of the current update in userStamp/itemStamp: its own counter, since a restored optimizer state can move `step` back. */
  private mark = 0;
  // Per-step constants, set by update().
  private lrT = 0;
  private epsHat = 0;

  constructor(
    private readonly L: FlatLayout,
    private readonly opt: OptimizerConfig,
    thread: number,
    threads: number,
    private readonly buf: SharedParams,
  ) {
    const U = L.shape.numUsers;
    const I = L.shape.numItems;
    this.userStamp = new Int32Array(U).fill(-1);
    this.itemStamp = new Int32Array(I).fill(-1);
    const part = (n: number, t: number): number => Math.floor((n * t) / threads);
    this.uLo = part(U, thread);
    this.uHi = part(U, thread + 1);
    this.iLo = part(I, thread);
    this.iHi = part(I, thread + 1);
    const denseN = L.total - L.denseStart;
    this.denseLo = L.denseStart + part(denseN, thread);
    this.denseHi = L.denseStart + part(denseN, thread + 1);
    this.g0 = buf.grads[0];
    this.twoShards = buf.grads.length === 2;
    this.foldShards = buf.grads.length > 2;
    this.g1 = this.twoShards ? buf.grads[1] : this.g0;
    this.sgd = opt.name === 'sgd';
    this.lazy = opt.name !== 'adam';
  }

  /**
   * Applies optimizer step number `step` (1-based) with the gradients of instances [b0, b1).
   * Adam's bias correction is folded into the step size: lr·√(1−β2^t)/(1−β1^t) and ε·√(1−β2^t)
   * give exactly lr·m̂/(√v̂ + ε).
   */
  update(step: number, inst: Instances, b0: number, b1: number): void {
    const { opt, L } = this;
    if (!this.sgd) {
      const c2 = Math.sqrt(1 - opt.beta2 ** step);
      this.lrT = (opt.lr * c2) / (1 - opt.beta1 ** step);
      this.epsHat = opt.epsilon * c2;
    }
    const lazy = this.lazy;
    // Rows this batch touched (and this thread owns): lazy optimizers update them right away,
    // dense Adam stamps them and sweeps all its rows below.
    const users = inst.users;
    const items = inst.items;
    const { uLo, uHi, iLo, iHi, userStamp, itemStamp } = this;
    const mark = ++this.mark;
    for (let s = b0; s < b1; s++) {
      this.touchRow(users[s], uLo, uHi, userStamp, mark, lazy, L.userTables);
      this.touchRow(items[s], iLo, iHi, itemStamp, mark, lazy, L.itemTables);
    }
    if (!lazy) {
      for (const t of L.userTables) this.sweepRows(t.off, t.width, uLo, uHi, userStamp, mark);
      for (const t of L.itemTables) this.sweepRows(t.off, t.width, iLo, iHi, itemStamp, mark);
    }
    this.applyRange(this.denseLo, this.denseHi - this.denseLo);
  }

  /** Dense Adam over table rows [r0, r1): touched rows read their gradients, the rest have g = 0. */
  private sweepRows(table: number, width: number, r0: number, r1: number, stamp: Int32Array, mark: number): void {
    let r = r0;
    while (r < r1) {
      if (stamp[r] === mark) {
        this.applyRange(table + r * width, width);
        r++;
      } else {
        // A run of untouched rows is one contiguous range of parameters.
        let e = r + 1;
        while (e < r1 && stamp[e] !== mark) e++;
        this.decayRange(table + r * width, (e - r) * width);
        r = e;
      }
    }
  }

  /**
   * Row `id` of the user (or item) tables: if this thread owns it and has not seen it this step,
   * stamp it and, for lazy optimizers, update it in every table.
   */
  private touchRow(id: number, lo: number, hi: number, stamp: Int32Array, mark: number, lazy: boolean, tables: RowTable[]): void {
    if (id < lo || id >= hi || stamp[id] === mark) return;
    stamp[id] = mark;
    if (!lazy) return;
    for (const t of tables) this.applyRange(t.off + id * t.width, t.width);
  }

  /** θ[off, off+n) update with g = Σ_shards grads (read in shard order, then zeroed). */
  private applyRange(off: number, n: number): void {
    const { params, m, v } = this.buf;
    const end = off + n;
    if (this.foldShards) this.sumShardsInto0(off, end);
    const g0 = this.g0;
    const g1 = this.g1;
    const two = this.twoShards;
    if (this.sgd) {
      const lr = this.opt.lr;
      for (let k = off; k < end; k++) {
        let g = g0[k];
        g0[k] = 0;
        if (two) {
          g += g1[k];
          g1[k] = 0;
        }
        params[k] -= lr * g;
      }
      return;
    }
    const b1 = this.opt.beta1;
    const b2 = this.opt.beta2;
    const c1 = 1 - b1;
    const c2 = 1 - b2;
    const lrT = this.lrT;
    const epsHat = this.epsHat;
    for (let k = off; k < end; k++) {
      let g = g0[k];
      g0[k] = 0;
      if (two) {
        g += g1[k];
        g1[k] = 0;
      }
      const mk = b1 * m[k] + c1 * g;
      const vk = b2 * v[k] + c2 * g * g;
      m[k] = mk;
      v[k] = vk;
      params[k] -= (lrT * mk) / (Math.sqrt(vk) + epsHat);
    }
  }

  /** The Adam update with g = 0 (rows no sample touched): the same arithmetic as applyRange. */
  private decayRange(off: number, n: number): void {
    const { params, m, v } = this.buf;
    const b1 = this.opt.beta1;
    const b2 = this.opt.beta2;
    const lrT = this.lrT;
    const epsHat = this.epsHat;
    const end = off + n;
    for (let k = off; k < end; k++) {
      const mk = b1 * m[k];
      const vk = b2 * v[k];
      m[k] = mk;
      v[k] = vk;
      params[k] -= (lrT * mk) / (Math.sqrt(vk) + epsHat);
    }
  }

  /** 3+ shards: fold shards 1.. into shard 0 (in shard order) and zero them. */
  private sumShardsInto0(off: number, end: number): void {
    const grads = this.buf.grads;
    const g0 = this.g0;
    for (let s = 1; s < grads.length; s++) {
      const gs = grads[s];
      for (let k = off; k < end; k++) {
        g0[k] += gs[k];
        gs[k] = 0;
      }
    }
  }
}
