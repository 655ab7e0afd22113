/**
 * The per-thread training loop, run identically by the main thread (shard 0) and each worker
 * (shard t): for every step, forward+backward over this thread's contiguous part of the batch
 * into its own gradient buffer, meet at a barrier, apply its part of the optimizer update
 * (which reads every shard's gradients), meet again. No allocation per step.
 */
import type { Instances, Objective, OptimizerConfig } from '../../core/training.js';
import type { FlatLayout } from '../flat-layout.js';
import { MicroBatch } from './micro-batch.js';
import { scratchModel } from './models/index.js';
import type { ScratchNet } from './net.js';
import { forwardBackwardMicro } from './objective.js';
import { MB } from './ops.js';
import { OptimizerPartition, type SharedParams } from './optimizer.js';

/** What a thread needs to join training; every buffer is a SharedArrayBuffer. */
export interface ShardInit {
  layout: FlatLayout;
  opt: OptimizerConfig;
  objective: Objective;
  thread: number;
  threads: number;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer[];
  m: SharedArrayBuffer;
  v: SharedArrayBuffer;
  /** Int32 ×4: barrier count, barrier generation, failure flag, unused. */
  ctrl: SharedArrayBuffer;
  /** Float64 × threads: each shard's summed loss of the current step. */
  losses: SharedArrayBuffer;
}

/** The net's scoring tables for the current weights (see ScoringTables), shared with the workers. */
export interface ScoringBuffers {
  user: Float64Array;
  item: Float64Array;
}

const COUNT = 0;
const GEN = 1;
const FAILED = 2;
/** Barrier spin budget in polls (one poll ≈ 7 ns): between ≈ 7 µs and ≈ 150 µs. */
const SPIN_MIN = 1000;
const SPIN_MAX = 20000;
const SPIN_STEP = 500;

/**
 * A reusable barrier over a shared Int32Array: spins for a while, then sleeps on a futex.
 * Spinning wins when every thread has a core of its own (a futex wake-up costs tens of µs);
 * sleeping wins when the cores are shared with other work (a spinning thread takes CPU time from
 * the thread it waits for). So the spin budget adapts: it halves whenever a wait had to sleep
 * and grows back while spinning succeeds.
 */
export class Barrier {
  private spinLimit = SPIN_MAX;

  constructor(
    private readonly ctrl: Int32Array,
    private readonly parties: number,
  ) {}

  wait(): void {
    if (this.parties === 1) return;
    const ctrl = this.ctrl;
    const gen = Atomics.load(ctrl, GEN);
    if (Atomics.add(ctrl, COUNT, 1) === this.parties - 1) {
      Atomics.store(ctrl, COUNT, 0);
      Atomics.add(ctrl, GEN, 1);
      Atomics.notify(ctrl, GEN);
      return;
    }
    for (let spin = this.spinLimit; spin > 0; spin--) {
      if (Atomics.load(ctrl, GEN) !== gen) {
        this.spinLimit = Math.min(SPIN_MAX, this.spinLimit + SPIN_STEP);
        return;
      }
    }
    this.spinLimit = Math.max(SPIN_MIN, this.spinLimit >> 1);
    while (Atomics.load(ctrl, GEN) === gen) {
      if (Atomics.load(ctrl, FAILED) !== 0) throw new Error('a scratch-engine worker thread failed');
      Atomics.wait(ctrl, GEN, gen, 1000);
    }
  }

  /** Marks the group failed and wakes everyone, so no thread waits forever on a dead peer. */
  fail(): void {
    Atomics.store(this.ctrl, FAILED, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
  }
}

export class ShardTrainer {
  readonly L: FlatLayout;
  readonly net: ScratchNet;
  readonly P: Float32Array;
  readonly dP: Float32Array;
  readonly shared: SharedParams;
  readonly barrier: Barrier;
  private readonly losses: Float64Array;
  private readonly mb: MicroBatch;
  private readonly optimizer: OptimizerPartition;
  private inst: Instances | null = null;

  constructor(readonly init: ShardInit) {
    this.L = init.layout;
    this.net = scratchModel(init.layout.shape.type)(init.layout);
    this.shared = {
      params: new Float32Array(init.params),
      grads: init.grads.map((g) => new Float32Array(g)),
      m: new Float32Array(init.m),
      v: new Float32Array(init.v),
    };
    this.P = this.shared.params;
    this.dP = this.shared.grads[init.thread];
    this.losses = new Float64Array(init.losses);
    this.barrier = new Barrier(new Int32Array(init.ctrl), init.threads);
    this.mb = new MicroBatch(init.layout, this.net.stride);
    this.optimizer = new OptimizerPartition(init.layout, init.opt, init.thread, init.threads, this.shared);
  }

  setInstances(inst: Instances): void {
    this.inst = inst;
  }

  /**
   * Steps [firstStep, firstStep + count); `optStep` is the optimizer's step count before the
   * first of them. On the main thread, `stepLosses[k]` receives step k's mean loss.
   */
  runSteps(batchSize: number, firstStep: number, count: number, optStep: number, stepLosses: Float32Array | null): void {
    const inst = this.inst;
    if (!inst) throw new Error('no training instances set');
    const { thread: t, threads: T } = this.init;
    // Under bpr a batch is n/2 pairs, each shard a whole number of them.
    const per = this.perUnit;
    for (let k = 0; k < count; k++) {
      const b0 = (firstStep + k) * batchSize;
      const b1 = Math.min(b0 + batchSize, inst.length);
      const units = (b1 - b0) / per;
      const lo = b0 + per * Math.floor((units * t) / T);
      const hi = b0 + per * Math.floor((units * (t + 1)) / T);
      this.losses[t] = this.accumulate(inst, lo, hi, 1 / units);
      this.barrier.wait();
      if (stepLosses) {
        let sum = 0;
        for (let s = 0; s < T; s++) sum += this.losses[s];
        stepLosses[k] = sum / units;
      }
      this.optimizer.update(optStep + k + 1, inst, b0, b1);
      this.barrier.wait();
    }
  }

  /** Instances per loss term: 1, or 2 under bpr (a pair). */
  get perUnit(): number {
    return this.init.objective.loss === 'bpr' ? 2 : 1;
  }

  /**
   * Forward + backward over [lo, hi) into this shard's gradients, each sample weighted `w` (each
   * pair under bpr), plus the dense parameters' share of L2; returns the loss sum.
   */
  accumulate(inst: Instances, lo: number, hi: number, w: number): number {
    const { L, net, P, dP, mb } = this;
    const obj = this.init.objective;
    let loss = 0;
    for (let s = lo; s < hi; s += MB) {
      mb.load(inst.users, inst.items, inst.labels, s, hi, w);
      loss += forwardBackwardMicro(net, L, P, dP, mb, obj);
    }
    if (obj.l2 > 0 && hi > lo) {
      const c = obj.l2 * w * (hi - lo);
      for (let k = L.denseStart; k < L.total; k++) dP[k] += c * P[k];
    }
    return loss;
  }

  /** This thread's share of scoring n pairs (see ScratchEngine.score); meets the others at the barrier. */
  scoreShare(users: Int32Array, items: Int32Array, out: Float32Array, n: number, tables: ScoringBuffers | null): void {
    const { thread: t, threads: T } = this.init;
    this.scoreRange(users, items, out, Math.floor((n * t) / T), Math.floor((n * (t + 1)) / T), tables);
    this.barrier.wait();
  }

  /**
   * Logits of pairs [lo, hi) into out[lo, hi): through the first-layer tables when given,
   * else the plain forward.
   */
  scoreRange(users: Int32Array, items: Int32Array, out: Float32Array, lo: number, hi: number, tables: ScoringBuffers | null): void {
    const { net, P, mb } = this;
    const scoring = tables ? net.scoring : undefined;
    for (let s = lo; s < hi; s += MB) {
      mb.load(users, items, null, s, hi, 0);
      if (scoring) scoring.forward(P, tables!, mb, users, items, s);
      else net.forward(P, mb);
      for (let k = 0; k < mb.n; k++) out[s + k] = mb.z[k];
    }
  }
}
