/** What `ncf bench` measures, as written to bench.json: one entry per engine, the scratch engine first. */
import type { OptimizerName } from '../core/training.js';

/** One optimizer's weights after the parity steps against the reference engine's: ‖a − b‖ / ‖b‖, the worst parameter named. */
export interface StepParity {
  relError: number;
  worstParam: string;
}

/** Agreement with the reference engine from the same weights (null for the reference itself). */
export interface BenchParity {
  /** On a fixed batch: the loss and the worst parameter's gradient. */
  lossRelError: number;
  maxGradRelError: number;
  worstParam: string;
  /**
   * After `count` training steps of `batchSize` on the bench's instances, a fresh engine per
   * optimizer: the weights against the reference engine's (absent in reports from before it was checked).
   */
  steps?: { count: number; batchSize: number; optimizers: Record<OptimizerName, StepParity> };
}

export interface BenchEngineResult {
  /** As given on the command line: "scratch", "tfjs:wasm", "tfjs:webgpu", ... */
  label: string;
  /** The engine's registry name. */
  engine: string;
  /** What it ran on: the tfjs backend actually used; 'js' for scratch (null in older reports). */
  backend: string | null;
  /** The engine's own description: threads, backend detail, GPU adapter name. */
  detail: string;
  /** True when the backend runs on a CPU emulator of a GPU (WebGPU on SwiftShader). */
  emulated: boolean;
  /** Agreement with the reference engine (the first, scratch) from the same weights (null for the reference itself). */
  parity: BenchParity | null;
  batchSize: number;
  /**
   * What one training step issues beyond its chunk's own cost: GPU dispatches (webgpu) or
   * framework kernels (other tfjs backends); null for an engine that issues none (scratch), absent
   * in reports from before it was counted.
   */
  stepCount?: { count: number; unit: 'dispatches' | 'kernels' } | null;
  /** stepCount's count where it counts GPU dispatches, else null. */
  dispatchesPerStep?: number | null;
  /**
   * Two fresh engines trained `steps` steps of the bench's batch with its optimizer from the same
   * weights: how many weights differ between the two to the bit (0: the engine repeats itself).
   * Absent in reports from before it was checked.
   */
  repeat?: { steps: number; differing: number; total: number };
  /** Timed training steps (after warm-up). */
  steps: number;
  /** Per chunk of steps, divided by the chunk's steps. */
  msPerStep: { median: number; p90: number; chunks: number[] };
  /**
   * Median over the same chunks of the milliseconds per step trainSteps spent on the host thread
   * issuing work, not waiting for the device (Engine.hostSeconds): what a step costs the host.
   * Where hostMsMeasured is false the engine computes on the host (scratch), and this is its
   * wall ms/step. Both absent in reports from before it was measured.
   */
  hostMsPerStep?: number;
  hostMsMeasured?: boolean;
  samplesPerSecond: number;
  /** Seconds for one epoch of training: measured when a whole epoch was run, else extrapolated. */
  epochSeconds: number;
  epochSecondsMeasured: boolean;
  /** Sampled-protocol evaluation of every test user (seconds). */
  evalSeconds: number;
  /** samples/s over the scratch engine's (1 for scratch). */
  speedup: number;
  /** Present when bench trained every engine for the same epochs from the same weights. */
  convergence: { loss: number[]; hr: number[]; ndcg: number[]; trainSeconds: number[] } | null;
}

export interface BenchReport {
  createdAt: string;
  machine: { cpu: string; cores: number; platform: string; node: string };
  config: {
    name: string;
    dataset: string;
    model: { type: string; factors: number; layers: number[] };
    optimizer: string;
    lr: number;
    batchSize: number;
    seed: number;
  };
  data: { users: number; items: number; trainPositives: number; instancesPerEpoch: number };
  engines: BenchEngineResult[];
}
