/**
 * The per-thread training loop, run identically by the main thread (shard 0) and each worker
 * (shard t): for every step, forward+backward over this thread's contiguous part of the batch
 * into its own gradient buffer, meet at a barrier, apply its part of the optimizer update
 * (which reads every shard's gradients), meet again. No allocation per step.
 */
import type { Instances, OptimizerConfig } from '../engine.js';
import type { FlatLayout } from './layout.js';
import { activationLayout, forwardBackwardSample, SampleScratch, type ActivationLayout } from './model.js';
import { OptimizerPartition, type SharedParams } from './optimizer.js';

/** What a thread needs to join training; every buffer is a SharedArrayBuffer. */
export interface ShardInit {
  layout: FlatLayout;
  opt: OptimizerConfig;
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

const COUNT = 0;
const GEN = 1;
const FAILED = 2;

/** A reusable barrier over a shared Int32Array; spins briefly, then sleeps on a futex. */
export class Barrier {
  constructor(private readonly ctrl: Int32Array, private readonly parties: number) {}

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
    for (let spin = 0; spin < 4000; spin++) {
      if (Atomics.load(ctrl, GEN) !== gen) return;
    }
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
  readonly A: ActivationLayout;
  readonly P: Float32Array;
  readonly dP: Float32Array;
  readonly shared: SharedParams;
  readonly barrier: Barrier;
  private readonly losses: Float64Array;
  private readonly scratch: SampleScratch;
  private readonly optimizer: OptimizerPartition;
  private inst: Instances | null = null;

  constructor(readonly init: ShardInit) {
    this.L = init.layout;
    this.A = activationLayout(init.layout);
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
    this.scratch = new SampleScratch(this.A);
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
    for (let k = 0; k < count; k++) {
      const b0 = (firstStep + k) * batchSize;
      const b1 = Math.min(b0 + batchSize, inst.length);
      const n = b1 - b0;
      const lo = b0 + Math.floor((n * t) / T);
      const hi = b0 + Math.floor((n * (t + 1)) / T);
      this.losses[t] = this.accumulate(inst, lo, hi, 1 / n);
      this.barrier.wait();
      if (stepLosses) {
        let sum = 0;
        for (let s = 0; s < T; s++) sum += this.losses[s];
        stepLosses[k] = sum / n;
      }
      this.optimizer.update(optStep + k + 1, inst, b0, b1);
      this.barrier.wait();
    }
  }

  /** Forward + backward over [lo, hi) into this shard's gradients, each sample weighted `w`; returns the loss sum. */
  accumulate(inst: Instances, lo: number, hi: number, w: number): number {
    const { L, A, P, dP, scratch } = this;
    const users = inst.users;
    const items = inst.items;
    const labels = inst.labels;
    let loss = 0;
    for (let s = lo; s < hi; s++) {
      loss += forwardBackwardSample(L, A, P, dP, scratch, users[s], items[s], labels[s], w);
    }
    return loss;
  }
}
