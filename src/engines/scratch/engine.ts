/**
 * The from-scratch engine: GMF / MLP / NeuMF over Float32Array with hand-derived backward,
 * split across worker_threads (one gradient shard per thread, shared weights).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ModelShape, Weights } from '../../core/model.js';
import { PLAIN_LOG_LOSS, type IalsSettings, type Instances, type OptimizerState } from '../../core/training.js';
import { type Interactions, usersByItem } from '../../data/interactions.js';
import { popularityWeights } from '../../models/ials.js';
import { checkWeights } from '../../models/weights.js';
import { checkOnHost, checkUser, type Engine, type EngineInfo, type EngineOptions, type LeastSquares, type UserRows } from '../engine.js';
import { flatLayout, type FlatLayout, type RowTable } from '../flat-layout.js';
import { balancedBounds, checkFoldIn, gramian, ialsLoss, RowSolver, type SweepJob } from '../least-squares.js';
import { ShardTrainer, type ScoringBuffers, type ShardInit } from './shard.js';
import type { WorkerCommand } from './worker.js';

/** Below this many pairs, `score` runs on the main thread alone (a round trip costs more). */
const SCORE_SPLIT_MIN = 16384;

export interface ScratchSettings {
  /** Worker threads (= gradient shards). Results depend on this number, not on the machine's cores. */
  threads: number;
}

/** `1 thread`, `2 threads`. */
export function threadsText(n: number): string {
  return `${n} ${n === 1 ? 'thread' : 'threads'}`;
}

export class ScratchEngine implements Engine {
  readonly info: EngineInfo;
  private readonly L: FlatLayout;
  private readonly main: ShardTrainer;
  private readonly workers: Worker[];
  private optStep = 0;
  private sharedInstances: Instances | null = null;
  private sourceInstances: Instances | null = null;
  private sourceVersion: number | undefined = undefined;
  private workerError: Error | null = null;
  /** Bumped whenever the weights change; the scoring tables remember the version they match. */
  private weightsVersion = 0;
  private tables: ScoringBuffers | null = null;
  private tablesVersion = -1;
  /** Users whose rows setUserRow changed since the tables were filled: only their table rows are stale. */
  private readonly changedUsers = new Set<number>();
  /** Shared scratch for splitting `score` across threads, grown on demand. */
  private scoreBuf: { users: Int32Array; items: Int32Array; out: Float32Array } | null = null;
  /** leastSquares' interactions by user and by item and a Gramian buffer, all shared with the workers. */
  private lsq: { sides: Record<'users' | 'items', LsqSide>; gram: Float64Array; solver: RowSolver; itemPositives: Int32Array } | null = null;

  private constructor(
    readonly shape: ModelShape,
    init: ShardInit,
    workers: Worker[],
  ) {
    this.L = init.layout;
    this.main = new ShardTrainer(init);
    this.workers = workers;
    const threads = threadsText(init.threads);
    this.info = { name: 'scratch', backend: 'js', label: `scratch (${threads})`, detail: threads, threads: init.threads };
    for (const w of workers) {
      w.on('error', (err) => {
        this.workerError = err;
        this.main.barrier.fail();
      });
    }
  }

  static async create(shape: ModelShape, opts: EngineOptions<ScratchSettings>): Promise<ScratchEngine> {
    const layout = flatLayout(shape);
    const threads = Math.max(1, Math.floor(opts.settings.threads));
    const floats = (n: number): SharedArrayBuffer => new SharedArrayBuffer(n * 4);
    const base = {
      layout,
      opt: opts.optimizer,
      objective: opts.objective ?? PLAIN_LOG_LOSS,
      threads,
      params: floats(layout.total),
      grads: Array.from({ length: threads }, () => floats(layout.total)),
      m: floats(layout.total),
      v: floats(layout.total),
      ctrl: new SharedArrayBuffer(16),
      losses: new SharedArrayBuffer(8 * threads),
    };
    const workers: Worker[] = [];
    for (let t = 1; t < threads; t++) {
      const w = new Worker(workerUrl(), { workerData: { ...base, thread: t } satisfies ShardInit });
      await new Promise<void>((resolve, reject) => {
        w.once('online', resolve);
        w.once('error', reject);
      });
      workers.push(w);
    }
    return new ScratchEngine(shape, { ...base, thread: 0 }, workers);
  }

  async setWeights(w: Weights): Promise<void> {
    checkWeights(this.shape, w);
    for (const [name, off] of this.L.entries) this.main.P.set(w.get(name)!, off);
    this.weightsVersion++;
  }

  /** Fold-in fits one row and keeps every other weight: no full copy, and scoring then refreshes only that user's table row. */
  readonly userRows: UserRows = {
    set: (user, values) => this.setUserRow(user, values),
    gradients: (instances, start, end, user) => this.userRowGradients(instances, start, end, user),
  };

  private async setUserRow(user: number, values: ReadonlyMap<string, Float32Array>): Promise<void> {
    checkUser(user, this.shape);
    for (const [name, row] of values) {
      const t = this.userTable(name);
      if (row.length !== t.width) throw new Error(`userRows.set: ${name} rows hold ${t.width} values, got ${row.length}`);
      this.main.P.set(row, t.off + user * t.width);
    }
    this.changedUsers.add(user);
  }

  /** `gradients` for one row, without copying out (and zeroing) the whole buffer. */
  private async userRowGradients(instances: Instances, start: number, end: number, user: number): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
    checkUser(user, this.shape);
    const dP = this.main.dP;
    const L = this.L;
    const units = (end - start) / this.main.perUnit;
    const loss = this.main.accumulate(instances, start, end, 1 / units) / units;
    const grads = new Map<string, Float32Array>();
    for (const t of L.userTables) grads.set(t.name, dP.slice(t.off + user * t.width, t.off + (user + 1) * t.width));
    // accumulate writes only the rows these instances read and the dense parameters. Fold-in's
    // instances all share one user, so a user row is cleared once per run of equal ids.
    for (let s = start; s < end; s++) {
      const u = instances.users[s];
      if (s === start || u !== instances.users[s - 1]) for (const t of L.userTables) dP.fill(0, t.off + u * t.width, t.off + (u + 1) * t.width);
      for (const t of L.itemTables) dP.fill(0, t.off + instances.items[s] * t.width, t.off + (instances.items[s] + 1) * t.width);
    }
    dP.fill(0, L.denseStart, L.total);
    return { loss, grads };
  }

  /** Alternating least squares over the model's one user and one item table (model ials); see least-squares.ts. */
  readonly leastSquares: LeastSquares = {
    prepare: async (train) => this.prepareLeastSquares(train),
    sweep: async (side, s) => this.sweep(side, s),
    loss: async (s) => this.leastSquaresLoss(s),
    solveUser: async (user, items, s, itemWeights) => this.solveUser(user, items, s, itemWeights),
  };

  /** The user and item table of a dot-product model, or an error naming the model. */
  private dotTables(): { user: { off: number; width: number }; item: { off: number; width: number } } {
    const L = this.L;
    const [u, i] = [L.userTables, L.itemTables];
    if (u.length !== 1 || i.length !== 1 || u[0].width !== i[0].width || L.denseStart !== L.total)
      throw new Error(`leastSquares fits a dot product of one user and one item table; ${this.shape.type} is not one`);
    return { user: u[0], item: i[0] };
  }

  private prepareLeastSquares(train: Interactions): void {
    const { user: u, item: i } = this.dotTables();
    if (train.numUsers !== this.shape.numUsers || train.numItems !== this.shape.numItems)
      throw new Error(`leastSquares: the interactions are ${train.numUsers} × ${train.numItems}, the model ${this.shape.numUsers} × ${this.shape.numItems}`);
    const d = u.width;
    const byItem = usersByItem(train);
    const shared = (a: Int32Array): Int32Array => {
      const out = new Int32Array(new SharedArrayBuffer(a.length * 4));
      out.set(a);
      return out;
    };
    const side = (off: number, rows: number, offsets: Int32Array, index: Int32Array, fixedOff: number, fixedRows: number): LsqSide => ({
      off,
      rows,
      fixedOff,
      fixedRows,
      offsets: shared(offsets),
      index: shared(index),
      bounds: balancedBounds(offsets, rows, d, this.info.threads ?? 1),
    });
    const { numUsers: U, numItems: I } = this.shape;
    this.itemWeightsOf = null;
    this.lsq = {
      sides: { users: side(u.off, U, train.offsets, train.items, i.off, I), items: side(i.off, I, byItem.offsets, byItem.users, u.off, U) },
      gram: new Float64Array(new SharedArrayBuffer(d * d * 8)),
      solver: new RowSolver(d),
      itemPositives: Int32Array.from({ length: I }, (_, j) => byItem.offsets[j + 1] - byItem.offsets[j]),
    };
  }

  private sweep(side: 'users' | 'items', settings: IalsSettings): void {
    this.throwIfWorkerFailed();
    if (!this.lsq) throw new Error('leastSquares.sweep before prepare');
    const { gram, solver } = this.lsq;
    const t = this.lsq.sides[side];
    const d = solver.d;
    const itemWeights = this.itemWeights(settings);
    gramian(this.main.P, t.fixedOff, t.fixedRows, d, gram, side === 'users' ? itemWeights : null);
    const job: SweepJob = {
      solvedOff: t.off,
      solvedRows: t.rows,
      fixedOff: t.fixedOff,
      fixedRows: t.fixedRows,
      d,
      offsets: t.offsets,
      index: t.index,
      gram,
      rowWeights: side === 'items' ? itemWeights : null,
      settings,
      bounds: t.bounds,
    };
    this.weightsVersion++;
    const cmd: WorkerCommand = { type: 'solve', job };
    for (const w of this.workers) w.postMessage(cmd);
    try {
      solver.solveRows(this.main.P, job, t.bounds[0], t.bounds[1]);
      this.main.barrier.wait();
    } catch (err) {
      this.throwIfWorkerFailed();
      throw err;
    }
  }

  /** The items' c for the last popularityExp asked, from the prepared interactions. */
  private itemWeightsOf: { exponent: number; weights: Float64Array | null } | null = null;

  /** eALS's c of the training items, for this exponent (null: uniform). */
  private itemWeights(settings: IalsSettings): Float64Array | null {
    if (this.itemWeightsOf?.exponent !== settings.popularityExp)
      this.itemWeightsOf = { exponent: settings.popularityExp, weights: popularityWeights(this.lsq!.itemPositives, settings.popularityExp) };
    return this.itemWeightsOf.weights;
  }

  /** The item table's Gramian for fold-in, kept while the weights (and the items' c) are unchanged (fold-in only rewrites user rows). */
  private foldInGram: { version: number; itemWeights: Float64Array | null; gram: Float64Array; solver: RowSolver } | null = null;

  private solveUser(user: number, items: Int32Array, settings: IalsSettings, itemWeights: Float64Array | null): void {
    checkUser(user, this.shape);
    const { user: u, item: i } = this.dotTables();
    const { numItems: I } = this.shape;
    const d = u.width;
    checkFoldIn(items, itemWeights, I);
    if (this.foldInGram?.version !== this.weightsVersion || this.foldInGram.itemWeights !== itemWeights) {
      const gram = new Float64Array(d * d);
      gramian(this.main.P, i.off, I, d, gram, itemWeights);
      this.foldInGram = { version: this.weightsVersion, itemWeights, gram, solver: this.foldInGram?.solver ?? new RowSolver(d) };
    }
    const job: SweepJob = {
      solvedOff: u.off + user * d,
      solvedRows: 1,
      fixedOff: i.off,
      fixedRows: I,
      d,
      offsets: Int32Array.of(0, items.length),
      index: items,
      gram: this.foldInGram.gram,
      rowWeights: null,
      settings: { ...settings, solver: 'cholesky' },
      bounds: Int32Array.of(0, 1),
    };
    this.foldInGram.solver.solveRows(this.main.P, job, 0, 1);
    this.changedUsers.add(user);
  }

  private leastSquaresLoss(settings: IalsSettings): { observed: number; unobserved: number; regularization: number } {
    if (!this.lsq) throw new Error('leastSquares.loss before prepare');
    const { users, items } = this.lsq.sides;
    const d = this.lsq.solver.d;
    const P = this.main.P;
    const weights = this.itemWeights(settings);
    const gramOf = (t: LsqSide, c: Float64Array | null): Float64Array => {
      const G = new Float64Array(d * d);
      gramian(P, t.off, t.rows, d, G, c);
      return G;
    };
    return ialsLoss(P, { ...users, gram: gramOf(users, null) }, { ...items, gram: gramOf(items, weights), weights }, d, settings);
  }

  async getWeights(): Promise<Weights> {
    return this.copyOut(this.main.P, '');
  }

  async getOptimizerState(): Promise<OptimizerState> {
    const slots: Weights = new Map();
    if (this.main.init.opt.name !== 'sgd') {
      for (const [k, v] of this.copyOut(this.main.shared.m, 'm:')) slots.set(k, v);
      for (const [k, v] of this.copyOut(this.main.shared.v, 'v:')) slots.set(k, v);
    }
    return { step: this.optStep, slots };
  }

  async setOptimizerState(s: OptimizerState): Promise<void> {
    this.optStep = s.step;
    for (const [name, off] of this.L.entries) {
      const m = s.slots.get(`m:${name}`);
      const v = s.slots.get(`v:${name}`);
      if (m) this.main.shared.m.set(m, off);
      if (v) this.main.shared.v.set(v, off);
    }
  }

  async trainSteps(instances: Instances, batchSize: number, firstStep: number, count: number): Promise<Float32Array> {
    this.throwIfWorkerFailed();
    this.useInstances(instances);
    this.weightsVersion++;
    const losses = new Float32Array(count);
    const cmd: WorkerCommand = { type: 'train', batchSize, firstStep, count, optStep: this.optStep };
    for (const w of this.workers) w.postMessage(cmd);
    try {
      this.main.runSteps(batchSize, firstStep, count, this.optStep, losses);
    } catch (err) {
      this.throwIfWorkerFailed();
      throw err;
    }
    this.optStep += count;
    return losses;
  }

  async gradients(instances: Instances, start: number, end: number): Promise<{ loss: number; grads: Weights }> {
    checkOnHost(instances);
    const dP = this.main.dP;
    const units = (end - start) / this.main.perUnit;
    const loss = this.main.accumulate(instances, start, end, 1 / units) / units;
    const grads = this.copyOut(dP, '');
    dP.fill(0);
    return { loss, grads };
  }

  /**
   * Logits for (users[k], items[k]). Through the net's scoring tables where it has them (the
   * first MLP layer's halves); large requests are split across the worker threads.
   */
  async score(users: Int32Array, items: Int32Array): Promise<Float32Array> {
    this.throwIfWorkerFailed();
    const n = users.length;
    const tables = this.scoringTables();
    if (this.workers.length === 0 || n < SCORE_SPLIT_MIN) {
      const out = new Float32Array(n);
      this.main.scoreRange(users, items, out, 0, n, tables);
      return out;
    }
    const buf = this.sharedScoreBuffers(n);
    buf.users.set(users);
    buf.items.set(items);
    const cmd: WorkerCommand = { type: 'score', users: buf.users, items: buf.items, out: buf.out, n, tables };
    for (const w of this.workers) w.postMessage(cmd);
    try {
      this.main.scoreShare(buf.users, buf.items, buf.out, n, tables);
    } catch (err) {
      this.throwIfWorkerFailed();
      throw err;
    }
    return buf.out.slice(0, n);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Workers read instances from shared memory: copy once into shared buffers if they are not. */
  private useInstances(inst: Instances): void {
    checkOnHost(inst);
    const inPlace = isShared(inst);
    if (this.sourceInstances === inst && this.sharedInstances && (inPlace || this.sourceVersion === inst.version)) return;
    const shared = inPlace ? inst : copyToShared(inst);
    this.sourceInstances = inst;
    this.sourceVersion = inst.version;
    this.sharedInstances = shared;
    this.main.setInstances(shared);
    const cmd: WorkerCommand = { type: 'instances', inst: shared };
    for (const w of this.workers) w.postMessage(cmd);
  }

  /** The scoring tables for the current weights (computed on first use per weight version). */
  private scoringTables(): ScoringBuffers | null {
    const scoring = this.main.net.scoring;
    if (!scoring) return null;
    const { numUsers: U, numItems: I } = this.shape;
    const P = this.main.P;
    if (this.tables && this.tablesVersion === this.weightsVersion) {
      for (const u of this.changedUsers) scoring.fill(P, this.tables.user, 'users', u, u + 1);
      this.changedUsers.clear();
      return this.tables;
    }
    if (!this.tables) {
      const doubles = (rows: number): Float64Array =>
        this.workers.length > 0 ? new Float64Array(new SharedArrayBuffer(rows * scoring.width * 8)) : new Float64Array(rows * scoring.width);
      this.tables = { user: doubles(U), item: doubles(I) };
    }
    scoring.fill(P, this.tables.user, 'users', 0, U);
    scoring.fill(P, this.tables.item, 'items', 0, I);
    this.tablesVersion = this.weightsVersion;
    this.changedUsers.clear();
    return this.tables;
  }

  private sharedScoreBuffers(n: number): { users: Int32Array; items: Int32Array; out: Float32Array } {
    if (!this.scoreBuf || this.scoreBuf.users.length < n) {
      const cap = Math.max(n, 2 * (this.scoreBuf?.users.length ?? 0));
      this.scoreBuf = {
        users: new Int32Array(new SharedArrayBuffer(cap * 4)),
        items: new Int32Array(new SharedArrayBuffer(cap * 4)),
        out: new Float32Array(new SharedArrayBuffer(cap * 4)),
      };
    }
    const b = this.scoreBuf;
    return { users: b.users.subarray(0, n), items: b.items.subarray(0, n), out: b.out.subarray(0, n) };
  }

  private userTable(name: string): RowTable {
    const t = this.L.userTables.find((u) => u.name === name);
    if (!t) throw new Error(`${name} is not a per-user table of this ${this.shape.type} model`);
    return t;
  }

  private copyOut(buf: Float32Array, prefix: string): Weights {
    const w: Weights = new Map();
    for (const [name, off, n] of this.L.entries) w.set(prefix + name, buf.slice(off, off + n));
    return w;
  }

  private throwIfWorkerFailed(): void {
    if (this.workerError) throw this.workerError;
  }
}

/** One side of leastSquares: its table, the fixed table it is solved against, its interactions and thread bounds. */
interface LsqSide {
  off: number;
  rows: number;
  fixedOff: number;
  fixedRows: number;
  offsets: Int32Array;
  index: Int32Array;
  bounds: Int32Array;
}

function isShared(inst: Instances): boolean {
  return inst.users.buffer instanceof SharedArrayBuffer && inst.items.buffer instanceof SharedArrayBuffer && inst.labels.buffer instanceof SharedArrayBuffer;
}

function copyToShared(inst: Instances): Instances {
  const n = inst.length;
  const users = new Int32Array(new SharedArrayBuffer(n * 4));
  const items = new Int32Array(new SharedArrayBuffer(n * 4));
  const labels = new Float32Array(new SharedArrayBuffer(n * 4));
  users.set(inst.users.subarray(0, n));
  items.set(inst.items.subarray(0, n));
  labels.set(inst.labels.subarray(0, n));
  return { length: n, users, items, labels };
}

/**
 * The compiled worker next to this module. Under vitest this module runs from src/*.ts, where
 * Node cannot start a .ts worker, so fall back to the build in dist/ (`npm test` builds first).
 */
function workerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL(here.href.replace('/src/engines/scratch/', '/dist/src/engines/scratch/'));
}
