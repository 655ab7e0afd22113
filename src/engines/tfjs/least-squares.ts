/**
 * Alternating least squares for model ials on the tfjs engine (the normal equations are in
 * ../least-squares.ts). Solver cg solves every row of a side at once on the backend's device:
 * each CG step is one (rows, d) × (d, d) matmul for the Gramian term and, per chunk of
 * interactions, two row gathers and a scatter-add for Σ_j h_j (h_j·p), so a sweep issues a few
 * hundred large ops at any size, never one per row. Sums run in float32 (the scratch engine's in
 * float64). Solvers cholesky and eals and fold-in (solveUser) solve on the host with the scratch engine's
 * row solver over a downloaded copy of the tables: exact, not fast.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelShape } from '../../core/model.js';
import type { IalsSettings } from '../../core/training.js';
import { usersByItem, type Interactions } from '../../data/interactions.js';
import { popularityWeights } from '../../models/ials.js';
import { paramSpecs } from '../../models/index.js';
import { checkUser, type LeastSquares } from '../engine.js';
import { checkFoldIn, gramian, RowSolver, rowRegularization, type SweepJob } from '../least-squares.js';
import type { Params } from './models/lookup.js';

/** Interactions per chunk: a chunk's gathered rows hold at most this many floats (128 MiB). */
const CHUNK_FLOATS = 1 << 25;

/** One side's rows and the chunks of its interactions, solved row ids beside the fixed row ids. */
interface Side {
  table: tf.Variable;
  fixed: tf.Variable;
  rows: number;
  fixedRows: number;
  offsets: Int32Array;
  index: Int32Array;
  chunks: { rows: tf.Tensor1D; rows2d: tf.Tensor2D; cols: tf.Tensor1D; cols2d: tf.Tensor2D }[];
}

/** The cpu backend gathers rows fastest with gather, the others with gatherND (lookup.ts says why). */
function gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D, ids2d: tf.Tensor2D): tf.Tensor2D {
  return (tf.getBackend() === 'cpu' ? tf.gather(table, ids) : tf.gatherND(table, ids2d)) as tf.Tensor2D;
}

/** Each row's λ·#_r^ν (rows, 1); rowC: the rows' c when they are items weighted by popularity. */
function rowLambdas(side: Side, s: IalsSettings, rowC: Float64Array | null): tf.Tensor2D {
  const lam = Float32Array.from({ length: side.rows }, (_, r) =>
    rowRegularization(side.offsets[r + 1] - side.offsets[r], side.fixedRows, s, rowC === null ? 1 : rowC[r]),
  );
  return tf.tensor2d(lam, [side.rows, 1]);
}

/**
 * Resolves once the device has run the work queued on `t`: webgpu returns from ops before the GPU
 * runs them, so a sweep timed without this would be timed as its enqueueing. One float comes back.
 */
async function settled(t: tf.Tensor): Promise<void> {
  const corner = tf.slice(t, [0, 0], [1, 1]);
  await corner.data();
  corner.dispose();
}

export class TfjsLeastSquares implements LeastSquares {
  private sides: { users: Side; items: Side } | null = null;
  private itemPositives: Int32Array | null = null;
  /** The host copy fold-in solves against, kept while the tables are unchanged (fold-in only rewrites user rows). */
  private host: { version: number; itemWeights: Float64Array | null; P: Float32Array; gram: Float64Array; solver: RowSolver } | null = null;
  private version = 0;

  constructor(
    private readonly shape: ModelShape,
    private readonly params: Params,
    /** At most this many gathered floats per chunk of interactions (tests make it small to get many chunks). */
    private readonly chunkFloats = CHUNK_FLOATS,
  ) {}

  /** Call when the weights change outside this class (setWeights). */
  invalidate(): void {
    this.version++;
  }

  /** The user and item table of a dot-product model, or an error naming the model. */
  private dotTables(): { user: tf.Variable; item: tf.Variable; d: number } {
    const specs = paramSpecs(this.shape);
    const u = specs.filter((p) => p.rows === 'users');
    const i = specs.filter((p) => p.rows === 'items');
    if (u.length !== 1 || i.length !== 1 || specs.length !== 2 || u[0].shape[1] !== i[0].shape[1])
      throw new Error(`leastSquares fits a dot product of one user and one item table; ${this.shape.type} is not one`);
    return { user: this.params.get(u[0].name)!, item: this.params.get(i[0].name)!, d: u[0].shape[1] };
  }

  async prepare(train: Interactions): Promise<void> {
    const { user, item, d } = this.dotTables();
    const { numUsers: U, numItems: I } = this.shape;
    if (train.numUsers !== U || train.numItems !== I)
      throw new Error(`leastSquares: the interactions are ${train.numUsers} × ${train.numItems}, the model ${U} × ${I}`);
    this.disposeSides();
    const byItem = usersByItem(train);
    const perChunk = Math.max(1, Math.floor(this.chunkFloats / d));
    const side = (table: tf.Variable, fixed: tf.Variable, rows: number, fixedRows: number, offsets: Int32Array, index: Int32Array): Side => {
      const owner = new Int32Array(index.length);
      for (let r = 0; r < rows; r++) owner.fill(r, offsets[r], offsets[r + 1]);
      const chunks: Side['chunks'] = [];
      for (let a = 0; a < index.length; a += perChunk) {
        const b = Math.min(a + perChunk, index.length);
        const [rowIds, colIds] = [owner.slice(a, b), index.slice(a, b)];
        chunks.push({
          rows: tf.tensor1d(rowIds, 'int32'),
          rows2d: tf.tensor2d(rowIds, [b - a, 1], 'int32'),
          cols: tf.tensor1d(colIds, 'int32'),
          cols2d: tf.tensor2d(colIds, [b - a, 1], 'int32'),
        });
      }
      return { table, fixed, rows, fixedRows, offsets, index, chunks };
    };
    this.sides = { users: side(user, item, U, I, train.offsets, train.items), items: side(item, user, I, U, byItem.offsets, byItem.users) };
    this.itemPositives = Int32Array.from({ length: I }, (_, j) => byItem.offsets[j + 1] - byItem.offsets[j]);
  }

  async sweep(which: 'users' | 'items', s: IalsSettings): Promise<void> {
    if (!this.sides) throw new Error('leastSquares.sweep before prepare');
    const side = this.sides[which];
    const c = popularityWeights(this.itemPositives!, s.popularityExp);
    this.version++;
    if (s.solver !== 'cg') return this.sweepOnHost(which, s, c);
    const rowC = which === 'items' ? c : null;
    const a0 = Float32Array.from({ length: side.rows }, (_, r) => s.unobservedWeight * (rowC === null ? 1 : rowC[r]));
    const H = side.fixed as tf.Tensor2D;
    const [G, lamT, a0T, b] = tf.tidy(() => [
      this.gram(H, which === 'users' ? c : null),
      rowLambdas(side, s, rowC),
      tf.tensor2d(a0, [side.rows, 1]),
      this.partnerSum(side, H, null),
    ]);
    const times = (p: tf.Tensor2D): tf.Tensor2D => tf.tidy(() => tf.add(tf.add(tf.mul(a0T, tf.matMul(p, G)), tf.mul(lamT, p)), this.partnerSum(side, H, p)));
    const rowDot = (x: tf.Tensor, y: tf.Tensor): tf.Tensor2D => tf.sum(tf.mul(x, y), 1, true);
    // The scratch engine's conjugateGradient, on every row at once; a row stops where its residual vanishes (alpha 0).
    let x = tf.clone(side.table) as tf.Tensor2D;
    let r: tf.Tensor2D = tf.tidy(() => tf.sub(b, times(x)));
    let p: tf.Tensor2D = tf.clone(r);
    let rs: tf.Tensor2D = tf.tidy(() => rowDot(r, r));
    for (let step = 0; step < s.cgSteps; step++) {
      const next = tf.tidy(() => {
        const Ap = times(p);
        const active = tf.greater(rs, 1e-20);
        const alpha = tf.where(active, tf.div(rs, rowDot(p, Ap)), tf.zerosLike(rs));
        const x2 = tf.add(x, tf.mul(alpha, p));
        const r2 = tf.sub(r, tf.mul(alpha, Ap));
        const rs2 = rowDot(r2, r2);
        const beta = tf.where(active, tf.div(rs2, rs), tf.zerosLike(rs));
        return { x: x2, r: r2, p: tf.add(r2, tf.mul(beta, p)), rs: tf.where(active, rs2, rs) } as Record<string, tf.Tensor2D>;
      });
      tf.dispose([x, r, p, rs]);
      ({ x, r, p, rs } = next);
    }
    side.table.assign(x);
    tf.dispose([x, r, p, rs, G, lamT, a0T, b]);
    await settled(side.table);
  }

  /** Hᵀ diag(c) H, (d, d). */
  private gram(H: tf.Tensor2D, c: Float64Array | null): tf.Tensor2D {
    const weighted = c === null ? H : tf.mul(H, tf.tensor2d(Float32Array.from(c), [c.length, 1]));
    return tf.matMul(H, weighted, true, false);
  }

  /** Per solved row r, Σ_{j∈S_r} h_j — or, given p, Σ_{j∈S_r} h_j (h_j·p_r) — summed chunk by chunk. */
  private partnerSum(side: Side, H: tf.Tensor2D, p: tf.Tensor2D | null): tf.Tensor2D {
    const d = H.shape[1];
    let sum: tf.Tensor2D = tf.zeros([side.rows, d]);
    for (const ch of side.chunks) {
      // A scope per chunk: a chunk's gathered rows are freed before the next one's are made.
      const next = tf.tidy(() => {
        const h = gatherRows(H, ch.cols, ch.cols2d);
        const terms = p === null ? h : tf.mul(h, tf.sum(tf.mul(h, gatherRows(p, ch.rows, ch.rows2d)), 1, true));
        return tf.add(sum, tf.scatterND(ch.rows2d, terms, [side.rows, d])) as tf.Tensor2D;
      });
      sum.dispose();
      sum = next;
    }
    return sum;
  }

  async loss(s: IalsSettings): Promise<{ observed: number; unobserved: number; regularization: number }> {
    if (!this.sides) throw new Error('leastSquares.loss before prepare');
    const { users, items } = this.sides;
    const c = popularityWeights(this.itemPositives!, s.popularityExp);
    const parts = tf.tidy(() => {
      const W = users.table as tf.Tensor2D;
      const H = items.table as tf.Tensor2D;
      let observed: tf.Tensor = tf.scalar(0);
      for (const ch of users.chunks) {
        const next = tf.tidy(() => {
          const y = tf.sum(tf.mul(gatherRows(W, ch.rows, ch.rows2d), gatherRows(H, ch.cols, ch.cols2d)), 1);
          return tf.add(observed, tf.sum(tf.square(tf.sub(y, 1))));
        });
        observed.dispose();
        observed = next;
      }
      const unobserved = tf.mul(s.unobservedWeight, tf.sum(tf.mul(this.gram(W, null), this.gram(H, c))));
      const norms = (T: tf.Tensor2D, lam: tf.Tensor2D): tf.Tensor => tf.sum(tf.mul(lam, tf.sum(tf.square(T), 1, true)));
      const regularization = tf.add(norms(W, rowLambdas(users, s, null)), norms(H, rowLambdas(items, s, c)));
      return tf.stack([observed, unobserved, regularization]);
    });
    const [observed, unobserved, regularization] = await parts.data();
    parts.dispose();
    return { observed, unobserved, regularization };
  }

  async solveUser(user: number, items: Int32Array, s: IalsSettings, itemWeights: Float64Array | null): Promise<void> {
    checkUser(user, this.shape);
    const { user: W, item: H, d } = this.dotTables();
    const I = this.shape.numItems;
    checkFoldIn(items, itemWeights, I);
    if (this.host?.version !== this.version || this.host.itemWeights !== itemWeights) {
      const P = new Float32Array(d + I * d);
      P.set((await H.data()) as Float32Array, d);
      const gram = new Float64Array(d * d);
      gramian(P, d, I, d, gram, itemWeights);
      this.host = { version: this.version, itemWeights, P, gram, solver: this.host?.solver ?? new RowSolver(d) };
    }
    const job: SweepJob = {
      solvedOff: 0,
      solvedRows: 1,
      fixedOff: d,
      fixedRows: I,
      d,
      offsets: Int32Array.of(0, items.length),
      index: items,
      gram: this.host.gram,
      rowWeights: null,
      settings: { ...s, solver: 'cholesky' },
      bounds: Int32Array.of(0, 1),
    };
    this.host.solver.solveRows(this.host.P, job, 0, 1);
    const row = this.host.P.slice(0, d);
    tf.tidy(() => W.assign(tf.tensorScatterUpdate(W, tf.tensor2d([[user]], [1, 1], 'int32'), tf.tensor2d(row, [1, d]))));
  }

  /** Solvers cholesky and eals: the side's rows solved on the host, as the scratch engine solves them, and uploaded. */
  private async sweepOnHost(which: 'users' | 'items', s: IalsSettings, c: Float64Array | null): Promise<void> {
    const side = this.sides![which];
    const d = this.dotTables().d;
    const solvedSize = side.rows * d;
    const P = new Float32Array(solvedSize + side.fixedRows * d);
    P.set((await side.table.data()) as Float32Array, 0);
    P.set((await side.fixed.data()) as Float32Array, solvedSize);
    const gram = new Float64Array(d * d);
    gramian(P, solvedSize, side.fixedRows, d, gram, which === 'users' ? c : null);
    const job: SweepJob = {
      solvedOff: 0,
      solvedRows: side.rows,
      fixedOff: solvedSize,
      fixedRows: side.fixedRows,
      d,
      offsets: side.offsets,
      index: side.index,
      gram,
      rowWeights: which === 'items' ? c : null,
      settings: s,
      bounds: Int32Array.of(0, side.rows),
    };
    new RowSolver(d).solveRows(P, job, 0, side.rows);
    tf.tidy(() => side.table.assign(tf.tensor2d(P.subarray(0, solvedSize).slice(), [side.rows, d])));
  }

  private disposeSides(): void {
    for (const side of Object.values(this.sides ?? {}) as Side[]) for (const ch of side.chunks) tf.dispose([ch.rows, ch.rows2d, ch.cols, ch.cols2d]);
    this.sides = null;
  }

  dispose(): void {
    this.disposeSides();
    this.host = null;
  }
}
