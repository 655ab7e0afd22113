/**
 * Adam for the tfjs engine, step for step the scratch engine's `adam` and `lazy_adam`: Adam on
 * every parameter, or (lazy) on the embedding rows the batch touched and every dense parameter.
 * The bias correction is folded into the step size as in the scratch engine: lr·√(1−β2^t)/(1−β1^t)
 * and ε·√(1−β2^t).
 *
 * Nothing is uploaded per step: the β constants live on the device, and what changes per step
 * (the step sizes, and for lazy the rows the batch touched, found on the host since not every
 * backend has a Unique kernel) is uploaded once per chunk of steps (`beginChunk`).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelShape } from '../../core/model.js';
import type { Instances, OptimizerConfig, OptimizerState } from '../../core/training.js';
import { paramSpecs } from '../../models/index.js';
import { constant } from './constants.js';
import type { Params } from './models/lookup.js';

interface Chunk {
  /** (count, 2): each step's lr_t and ε̂. */
  sizes: tf.Tensor2D;
  /** (count, batchSize): each step's distinct users / items, padded by repeating the first. */
  users: tf.Tensor2D | null;
  items: tf.Tensor2D | null;
  batchSize: number;
}

export class TfjsAdam {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  step = 0;
  /** Host scratch for finding each step's distinct users and items (lazy only). */
  private readonly userStamp: Int32Array;
  private readonly itemStamp: Int32Array;
  /** Stamp value of the current step; its own counter, since setState can move `step` back. */
  private mark = 0;
  private chunk: Chunk | null = null;
  /** Which rows each per-user and per-item table has. */
  private readonly rowsOf: Map<string, 'users' | 'items'>;

  constructor(
    private readonly opt: OptimizerConfig,
    private readonly params: Params,
    shape: ModelShape,
    readonly lazy: boolean,
  ) {
    this.userStamp = new Int32Array(lazy ? shape.numUsers : 0).fill(-1);
    this.itemStamp = new Int32Array(lazy ? shape.numItems : 0).fill(-1);
    this.rowsOf = new Map(paramSpecs(shape).flatMap((p) => (p.rows ? [[p.name, p.rows] as const] : [])));
    for (const [name, p] of params) {
      this.m.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      );
      this.v.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      );
    }
  }

  /** Uploads what the next `count` steps need; their batches are inst[(firstStep+k)·B, …). */
  beginChunk(inst: Instances, batchSize: number, firstStep: number, count: number): void {
    this.endChunk();
    const { beta1: b1, beta2: b2, lr, epsilon } = this.opt;
    const sizes = new Float32Array(count * 2);
    for (let k = 0; k < count; k++) {
      const t = this.step + 1 + k;
      const c2 = Math.sqrt(1 - b2 ** t);
      sizes[2 * k] = (lr * c2) / (1 - b1 ** t);
      sizes[2 * k + 1] = epsilon * c2;
    }
    let users: tf.Tensor2D | null = null;
    let items: tf.Tensor2D | null = null;
    if (this.lazy) {
      const u = new Int32Array(count * batchSize);
      const i = new Int32Array(count * batchSize);
      for (let k = 0; k < count; k++) {
        const from = (firstStep + k) * batchSize;
        const to = Math.min(from + batchSize, inst.length);
        const mark = ++this.mark;
        distinctPadded(inst.users, from, to, this.userStamp, mark, u.subarray(k * batchSize, (k + 1) * batchSize));
        distinctPadded(inst.items, from, to, this.itemStamp, mark, i.subarray(k * batchSize, (k + 1) * batchSize));
      }
      users = tf.tensor2d(u, [count, batchSize], 'int32');
      items = tf.tensor2d(i, [count, batchSize], 'int32');
    }
    this.chunk = { sizes: tf.tensor2d(sizes, [count, 2]), users, items, batchSize };
  }

  endChunk(): void {
    if (!this.chunk) return;
    this.chunk.sizes.dispose();
    this.chunk.users?.dispose();
    this.chunk.items?.dispose();
    this.chunk = null;
  }

  /** Step k of the current chunk; call inside tf.tidy. `grads` by parameter name. */
  apply(grads: Map<string, tf.Tensor>, k: number): void {
    const c = this.chunk!;
    this.step++;
    const b1 = constant(this.opt.beta1);
    const nb1 = constant(1 - this.opt.beta1);
    const b2 = constant(this.opt.beta2);
    const nb2 = constant(1 - this.opt.beta2);
    const lrT = tf.reshape(tf.slice(c.sizes, [k, 0], [1, 1]), []);
    const epsHat = tf.reshape(tf.slice(c.sizes, [k, 1], [1, 1]), []);
    const rowsOf = (t: tf.Tensor2D | null) => (t ? tf.reshape(tf.slice(t, [k, 0], [1, c.batchSize]), [c.batchSize]) : null);
    const userRows = rowsOf(c.users);
    const itemRows = rowsOf(c.items);
    const update = (g: tf.Tensor, m0: tf.Tensor, v0: tf.Tensor, p0: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] => {
      const m1 = tf.add(tf.mul(b1, m0), tf.mul(nb1, g));
      const v1 = tf.add(tf.mul(b2, v0), tf.mul(nb2, tf.square(g)));
      const p1 = tf.sub(p0, tf.div(tf.mul(lrT, m1), tf.add(tf.sqrt(v1), epsHat)));
      return [m1, v1, p1];
    };
    for (const [name, p] of this.params) {
      const g = grads.get(name)!;
      const M = this.m.get(name)!;
      const V = this.v.get(name)!;
      const table = this.rowsOf.get(name);
      const rows = table === 'users' ? userRows : table === 'items' ? itemRows : null;
      if (rows === null) {
        const [m1, v1, p1] = update(g, M, V, p);
        M.assign(m1);
        V.assign(v1);
        p.assign(p1);
        continue;
      }
      // Padding repeats a row, whose update is then written twice with the same values.
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
    for (const [kind, vars] of [
      ['m', this.m],
      ['v', this.v],
    ] as const) {
      for (const [name, variable] of vars) {
        const data = s.slots.get(`${kind}:${name}`);
        tf.tidy(() => variable.assign(data ? tf.tensor(data.slice(), variable.shape) : tf.zerosLike(variable)));
      }
    }
  }

  dispose(): void {
    this.endChunk();
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/**
 * Writes the distinct values of ids[from, to) to `out`, then fills the rest of `out` with the
 * first of them; `stamp` has one slot per id.
 */
function distinctPadded(ids: Int32Array, from: number, to: number, stamp: Int32Array, mark: number, out: Int32Array): void {
  let k = 0;
  for (let s = from; s < to; s++) {
    const id = ids[s];
    if (stamp[id] !== mark) {
      stamp[id] = mark;
      out[k++] = id;
    }
  }
  out.fill(out[0], k);
}
