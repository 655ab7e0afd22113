/**
 * The from-scratch engine: GMF / MLP / NeuMF over Float32Array with hand-derived backward,
 * split across worker_threads (one gradient shard per thread, shared weights).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { checkWeights, type ModelShape, type Weights } from '../../model/spec.js';
import type { Engine, EngineInfo, Instances, OptimizerConfig, OptimizerState } from '../engine.js';
import { flatLayout, type FlatLayout } from './layout.js';
import { forwardSample, SampleScratch } from './model.js';
import { ShardTrainer, type ShardInit } from './shard.js';
import type { WorkerCommand } from './worker.js';

export interface ScratchOptions {
  optimizer: OptimizerConfig;
  /** Threads = gradient shards. Results depend on this number, not on the machine's cores. */
  threads: number;
}

export class ScratchEngine implements Engine {
  readonly info: EngineInfo;
  private readonly L: FlatLayout;
  private readonly main: ShardTrainer;
  private readonly workers: Worker[];
  private readonly scratch: SampleScratch;
  private optStep = 0;
  private sharedInstances: Instances | null = null;
  private sourceInstances: Instances | null = null;
  private workerError: Error | null = null;

  private constructor(readonly shape: ModelShape, init: ShardInit, workers: Worker[]) {
    this.L = init.layout;
    this.main = new ShardTrainer(init);
    this.workers = workers;
    this.scratch = new SampleScratch(this.main.A);
    this.info = { name: 'scratch', backend: 'js', threads: init.threads };
    for (const w of workers) {
      w.on('error', (err) => {
        this.workerError = err;
        this.main.barrier.fail();
      });
    }
  }

  static async create(shape: ModelShape, opts: ScratchOptions): Promise<ScratchEngine> {
    const layout = flatLayout(shape);
    const threads = Math.max(1, Math.floor(opts.threads));
    const floats = (n: number): SharedArrayBuffer => new SharedArrayBuffer(n * 4);
    const base = {
      layout,
      opt: opts.optimizer,
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
    const dP = this.main.dP;
    const loss = this.main.accumulate(instances, start, end, 1 / (end - start)) / (end - start);
    const grads = this.copyOut(dP, '');
    dP.fill(0);
    return { loss, grads };
  }

  async score(users: Int32Array, items: Int32Array): Promise<Float32Array> {
    const out = new Float32Array(users.length);
    const { L, scratch } = this;
    const { A, P } = this.main;
    for (let k = 0; k < users.length; k++) out[k] = forwardSample(L, A, P, scratch, users[k], items[k]);
    return out;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Workers read instances from shared memory: copy once into shared buffers if they are not. */
  private useInstances(inst: Instances): void {
    if (this.sourceInstances === inst && this.sharedInstances) return;
    const shared = isShared(inst) ? inst : copyToShared(inst);
    this.sourceInstances = inst;
    this.sharedInstances = shared;
    this.main.setInstances(shared);
    const cmd: WorkerCommand = { type: 'instances', inst: shared };
    for (const w of this.workers) w.postMessage(cmd);
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

function isShared(inst: Instances): boolean {
  return (
    inst.users.buffer instanceof SharedArrayBuffer &&
    inst.items.buffer instanceof SharedArrayBuffer &&
    inst.labels.buffer instanceof SharedArrayBuffer
  );
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
  return new URL(here.href.replace('/src/engines/scratch/', '/dist/engines/scratch/'));
}
