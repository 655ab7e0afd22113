/** Worker-thread entry of the scratch engine: one training shard, driven by the main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Instances } from '../../core/training.js';
import { RowSolver, type SweepJob } from '../least-squares.js';
import { ShardTrainer, type ScoringBuffers, type ShardInit } from './shard.js';

export type WorkerCommand =
  | { type: 'instances'; inst: Instances }
  | { type: 'train'; batchSize: number; firstStep: number; count: number; optStep: number }
  | { type: 'score'; users: Int32Array; items: Int32Array; out: Float32Array; n: number; tables: ScoringBuffers | null }
  | { type: 'solve'; job: SweepJob }
  | { type: 'exit' };

const init = workerData as ShardInit;
const trainer = new ShardTrainer(init);
let solver: RowSolver | null = null;

parentPort!.on('message', (cmd: WorkerCommand) => {
  try {
    if (cmd.type === 'instances') trainer.setInstances(cmd.inst);
    else if (cmd.type === 'train') trainer.runSteps(cmd.batchSize, cmd.firstStep, cmd.count, cmd.optStep, null);
    else if (cmd.type === 'score') trainer.scoreShare(cmd.users, cmd.items, cmd.out, cmd.n, cmd.tables);
    else if (cmd.type === 'solve') {
      const { job } = cmd;
      if (solver?.d !== job.d) solver = new RowSolver(job.d);
      solver.solveRows(trainer.P, job, job.bounds[init.thread], job.bounds[init.thread + 1]);
      trainer.barrier.wait();
    } else if (cmd.type === 'exit') parentPort!.close();
  } catch (err) {
    trainer.barrier.fail();
    throw err;
  }
});
