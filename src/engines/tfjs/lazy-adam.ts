/**
 * LazyAdam for the tfjs engine, the same update as the scratch engine's `lazy_adam`: Adam on the
 * embedding rows the batch touched (their moments and values only) and on every dense parameter.
 * The touched rows are found on the host (the batch's ids are there too) because not every backend
 * has a Unique kernel; rows are written back with TensorScatterUpdate.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelShape } from '../../model/spec.js';
import type { Instances, OptimizerConfig, OptimizerState } from '../engine.js';
import type { Params } from './model.js';

const USER_TABLES = new Set(['gmf_user', 'mlp_user']);
const ITEM_TABLES = new Set(['gmf_item', 'mlp_item']);

export class LazyAdam {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  step = 0;
  /** Host scratch for finding each step's distinct users and items. */
  private readonly userStamp: Int32Array;
  private readonly itemStamp: Int32Array;
  private rowsScratch = new Int32Array(0);
  /** Stamp value of the current step; its own counter, since setState can move `step` back. */
  private mark = 0;

  constructor(private readonly opt: OptimizerConfig, private readonly params: Params, shape: ModelShape) {
    this.userStamp = new Int32Array(shape.numUsers).fill(-1);
    this.itemStamp = new Int32Array(shape.numItems).fill(-1);
    for (const [name, p] of params) {
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /** One step for the batch inst[from, to); call inside tf.tidy. `grads` by parameter name. */
  apply(grads: Map<string, tf.Tensor>, inst: Instances, from: number, to: number): void {
    const { beta1: b1, beta2: b2, lr, epsilon } = this.opt;
    const t = ++this.step;
    if (this.rowsScratch.length < to - from) this.rowsScratch = new Int32Array(to - from);
    const mark = ++this.mark;
    const userRows = tf.tensor1d(distinct(inst.users, from, to, this.userStamp, mark, this.rowsScratch), 'int32');
    const itemRows = tf.tensor1d(distinct(inst.items, from, to, this.itemStamp, mark, this.rowsScratch), 'int32');
    const c2 = Math.sqrt(1 - Math.pow(b2, t));
    const lrT = tf.scalar((lr * c2) / (1 - Math.pow(b1, t)));
    const epsHat = tf.scalar(epsilon * c2);
    const update = (g: tf.Tensor, m0: tf.Tensor, v0: tf.Tensor, p0: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] => {
      const m1 = tf.add(tf.mul(b1, m0), tf.mul(1 - b1, g));
      const v1 = tf.add(tf.mul(b2, v0), tf.mul(1 - b2, tf.square(g)));
      const p1 = tf.sub(p0, tf.div(tf.mul(lrT, m1), tf.add(tf.sqrt(v1), epsHat)));
      return [m1, v1, p1];
    };
    for (const [name, p] of this.params) {
      const g = grads.get(name)!;
      const M = this.m.get(name)!;
      const V = this.v.get(name)!;
      const rows = USER_TABLES.has(name) ? userRows : ITEM_TABLES.has(name) ? itemRows : null;
      if (rows === null) {
        const [m1, v1, p1] = update(g, M, V, p);
        M.assign(m1);
        V.assign(v1);
        p.assign(p1);
        continue;
      }
      const idx = tf.expandDims(rows, 1);
      const [m1, v1, p1] = update(tf.gather(g, rows), tf.gather(M, rows), tf.gather(V, rows), tf.gather(p, rows));
      M.assign(tf.tensorScatterUpdate(M, idx, m1));
      V.assign(tf.tensorScatterUpdate(V, idx, v1));
      p.assign(tf.tensorScatterUpdate(p, idx, p1));
    }
  }

  async getState(): Promise<OptimizerState> {
    const slots = new Map<string, Float32Array>();
    for (const [name, t] of this.m) slots.set(`m:${name}`, ((await t.data()) as Float32Array).slice());
    for (const [name, t] of this.v) slots.set(`v:${name}`, ((await t.data()) as Float32Array).slice());
    return { step: this.step, slots };
  }

  setState(s: OptimizerState): void {
    this.step = s.step;
    for (const [kind, vars] of [['m', this.m], ['v', this.v]] as const) {
      for (const [name, variable] of vars) {
        const data = s.slots.get(`${kind}:${name}`);
        tf.tidy(() => variable.assign(data ? tf.tensor(data.slice(), variable.shape) : tf.zerosLike(variable)));
      }
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/**
 * The distinct values of ids[from, to), in a new array (tfjs may keep a reference to the array a
 * tensor is made from, so scratch must not be handed over); `stamp` has one slot per id.
 */
function distinct(ids: Int32Array, from: number, to: number, stamp: Int32Array, mark: number, scratch: Int32Array): Int32Array {
  let k = 0;
  for (let s = from; s < to; s++) {
    const id = ids[s];
    if (stamp[id] !== mark) {
      stamp[id] = mark;
      scratch[k++] = id;
    }
  }
  return scratch.slice(0, k);
}
