/**
 * The TensorFlow.js engine: the same models and weight layout as the scratch engine, as a tfjs
 * graph on the cpu, wasm, webgpu or tensorflow backend. An epoch's instances are uploaded once
 * and batches are sliced on the device; losses are read back once per chunk of steps.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelShape, Weights } from '../../core/model.js';
import { PLAIN_LOG_LOSS, type Instances, type Objective, type OptimizerConfig, type OptimizerState } from '../../core/training.js';
import { paramSpecs } from '../../models/index.js';
import { checkWeights } from '../../models/weights.js';
import { checkOnHost, checkUser, type Engine, type EngineInfo, type EngineOptions, type StepCount, type UserRows } from '../engine.js';
import { useBackend, type BackendChoice } from './backend.js';
import { TfjsAdam } from './adam.js';
import { TfjsLeastSquares } from './least-squares.js';
import { constant } from './constants.js';
import type { TfjsSettings } from './backends.js';
import type { Params } from './models/lookup.js';
import { logits, objective } from './objective.js';

const SCORE_CHUNK = 1 << 16;
let engines = 0;

/**
 * An epoch on the device, in blocks of whole batches: slicing a batch out of one multi-million
 * element tensor costs far more than the step itself on the wasm backend (measured: 38 vs 11 ms
 * per step at ML-1M's 5M instances), while a block of ~64k instances slices for free.
 */
interface EpochTensors {
  source: Instances;
  version: number | undefined;
  batchSize: number;
  stepsPerBlock: number;
  blocks: { users: tf.Tensor1D; items: tf.Tensor1D; labels: tf.Tensor1D }[];
}

const BLOCK_INSTANCES = 1 << 16;

export class TfjsEngine implements Engine {
  readonly info: EngineInfo;
  private readonly params: Params = new Map();
  private readonly prefix: string;
  /** tfjs' own SGD, or our Adam (dense or lazy); exactly one is set. */
  private sgd: tf.Optimizer | null = null;
  private adam: TfjsAdam | null = null;
  private epoch: EpochTensors | null = null;
  /** Alternating least squares over the model's one user and one item table (model ials); see least-squares.ts. */
  readonly leastSquares: TfjsLeastSquares;

  private constructor(
    readonly shape: ModelShape,
    opt: OptimizerConfig,
    private readonly obj: Objective,
    readonly backend: BackendChoice,
  ) {
    const detail = backend.emulated ? `${backend.detail} (a CPU emulator, not a GPU)` : backend.detail;
    this.info = { name: 'tfjs', backend: backend.name, label: `tfjs on ${backend.name} (${detail})`, detail, emulated: Boolean(backend.emulated) };
    this.prefix = `ncf${engines++}/`;
    for (const p of paramSpecs(shape)) {
      this.params.set(
        p.name,
        tf.tidy(() => tf.variable(tf.zeros(p.shape), true, this.prefix + p.name)),
      );
    }
    // tf.train.adam would upload its β and ε constants at every step (constants.ts says why that is slow).
    if (opt.name === 'sgd') this.sgd = tf.train.sgd(opt.lr);
    else this.adam = new TfjsAdam(opt, this.params, shape, opt.name === 'lazy_adam');
    this.leastSquares = new TfjsLeastSquares(shape, this.params);
  }

  static async create(shape: ModelShape, opts: EngineOptions<TfjsSettings>): Promise<TfjsEngine> {
    const backend = await useBackend(opts.settings.backend);
    return new TfjsEngine(shape, opts.optimizer, opts.objective ?? PLAIN_LOG_LOSS, backend);
  }

  async setWeights(w: Weights): Promise<void> {
    checkWeights(this.shape, w);
    this.leastSquares.invalidate();
    for (const p of paramSpecs(this.shape)) {
      // A copy: the cpu backend would otherwise keep using the caller's array.
      tf.tidy(() => this.params.get(p.name)!.assign(tf.tensor(w.get(p.name)!.slice(), p.shape)));
    }
  }

  /** Fold-in on tfjs: a row written with a scatter, its gradient sliced out of the full gradients (simple, not fast). */
  readonly userRows: UserRows = {
    set: async (user, values) => {
      checkUser(user, this.shape);
      for (const [name, row] of values) {
        const v = this.params.get(name);
        const spec = paramSpecs(this.shape).find((p) => p.name === name);
        if (!v || spec?.rows !== 'users') throw new Error(`${name} is not a per-user table of this ${this.shape.type} model`);
        if (row.length !== spec.shape[1]) throw new Error(`userRows.set: ${name} rows hold ${spec.shape[1]} values, got ${row.length}`);
        tf.tidy(() => v.assign(tf.tensorScatterUpdate(v, tf.tensor2d([[user]], [1, 1], 'int32'), tf.tensor2d(row.slice(), [1, row.length]))));
      }
    },
    gradients: async (instances, start, end, user) => {
      checkUser(user, this.shape);
      const { loss, grads } = await this.gradients(instances, start, end);
      const rows = new Map<string, Float32Array>();
      for (const spec of paramSpecs(this.shape)) {
        if (spec.rows !== 'users') continue;
        const w = spec.shape[1];
        rows.set(spec.name, grads.get(spec.name)!.slice(user * w, (user + 1) * w));
      }
      return { loss, grads: rows };
    },
  };

  /**
   * On webgpu every GPU dispatch goes through the backend's recordAndSubmit, so wrapping it counts
   * them exactly; elsewhere tf.profile counts the kernels run.
   */
  readonly countStep = async (instances: Instances, batchSize: number, step: number): Promise<StepCount> => {
    await this.trainSteps(instances, batchSize, step, 1);
    const one = await this.countChunk(instances, batchSize, step + 1, 1);
    const two = await this.countChunk(instances, batchSize, step + 2, 2);
    return { count: two.count - one.count, unit: one.unit };
  };

  private async countChunk(instances: Instances, batchSize: number, firstStep: number, count: number): Promise<StepCount> {
    if (this.backend.name !== 'webgpu') {
      const info = await tf.profile(() => this.trainSteps(instances, batchSize, firstStep, count));
      return { count: info.kernels.length, unit: 'kernels' };
    }
    const backend = tf.backend() as unknown as { recordAndSubmit: (...a: unknown[]) => unknown };
    const record = backend.recordAndSubmit;
    let dispatches = 0;
    backend.recordAndSubmit = function (this: unknown, ...a: unknown[]) {
      dispatches++;
      return record.apply(this, a);
    };
    try {
      await this.trainSteps(instances, batchSize, firstStep, count);
    } finally {
      backend.recordAndSubmit = record;
    }
    return { count: dispatches, unit: 'dispatches' };
  }

  /** Seconds trainSteps spent issuing ops, before awaiting the losses (hostSeconds). */
  private issued = 0;
  hostSeconds(): number {
    return this.issued;
  }

  async getWeights(): Promise<Weights> {
    const w: Weights = new Map();
    for (const [name, v] of this.params) w.set(name, ((await v.data()) as Float32Array).slice());
    return w;
  }

  async getOptimizerState(): Promise<OptimizerState> {
    if (this.adam) return this.adam.getState();
    return { step: this.sgd!.iterations, slots: new Map() };
  }

  async setOptimizerState(s: OptimizerState): Promise<void> {
    if (this.adam) return this.adam.setState(s);
    await this.sgd!.setWeights([{ name: 'iter', tensor: tf.scalar(s.step, 'int32') }]);
  }

  async trainSteps(instances: Instances, batchSize: number, firstStep: number, count: number): Promise<Float32Array> {
    const t0 = performance.now();
    const e = this.upload(instances, batchSize);
    const names = [...this.params.keys()];
    const vars = [...this.params.values()];
    const costs: tf.Scalar[] = [];
    this.adam?.beginChunk(instances, batchSize, firstStep, count);
    for (let k = 0; k < count; k++) {
      const step = firstStep + k;
      const block = e.blocks[Math.floor(step / e.stepsPerBlock)];
      const b0 = (step % e.stepsPerBlock) * batchSize;
      const n = Math.min(batchSize, instances.length - step * batchSize);
      const cost = tf.tidy(() => {
        const u = tf.slice(block.users, b0, n);
        const i = tf.slice(block.items, b0, n);
        const y = tf.slice(block.labels, b0, n);
        // tf.variableGrads (and so Optimizer.minimize) would upload its seed gradient, ones(), at every step.
        // The data term is what a step reports; kept, since gradients() disposes all but its result.
        let data: tf.Scalar | null = null;
        const { grads } = tf.engine().gradients(
          () => {
            const o = objective(this.shape, this.params, u, i, y, this.obj);
            data = tf.keep(o.data);
            return o.total;
          },
          vars,
          constant(1),
        );
        const byName = new Map(names.map((name, j) => [name, grads[j]]));
        if (this.sgd) this.sgd.applyGradients(names.map((name, j) => ({ name: this.prefix + name, tensor: grads[j] })));
        else this.adam!.apply(byName, k);
        return data!;
      });
      costs.push(cost);
    }
    this.adam?.endChunk();
    const stacked = tf.stack(costs);
    this.issued += (performance.now() - t0) / 1000;
    const losses = (await stacked.data()) as Float32Array;
    stacked.dispose();
    for (const c of costs) c.dispose();
    return losses;
  }

  async gradients(instances: Instances, start: number, end: number): Promise<{ loss: number; grads: Weights }> {
    checkOnHost(instances);
    const names = [...this.params.keys()];
    const { value, grads } = tf.tidy(() => {
      const u = tf.tensor1d(instances.users.subarray(start, end), 'int32');
      const i = tf.tensor1d(instances.items.subarray(start, end), 'int32');
      const y = tf.tensor1d(instances.labels.subarray(start, end), 'float32');
      let data: tf.Scalar | null = null;
      const g = tf.variableGrads(() => {
        const o = objective(this.shape, this.params, u, i, y, this.obj);
        data = tf.keep(o.data);
        return o.total;
      }, [...this.params.values()]);
      return { value: data! as tf.Scalar, grads: g.grads };
    });
    const out: Weights = new Map();
    for (const name of names) {
      const g = grads[this.prefix + name];
      out.set(name, (await g.data()) as Float32Array);
    }
    const loss = (await value.data())[0];
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    return { loss, grads: out };
  }

  async score(users: Int32Array, items: Int32Array): Promise<Float32Array> {
    const out = new Float32Array(users.length);
    for (let a = 0; a < users.length; a += SCORE_CHUNK) {
      const b = Math.min(a + SCORE_CHUNK, users.length);
      const z = tf.tidy(() => logits(this.shape, this.params, tf.tensor1d(users.subarray(a, b), 'int32'), tf.tensor1d(items.subarray(a, b), 'int32')));
      out.set((await z.data()) as Float32Array, a);
      z.dispose();
    }
    return out;
  }

  async dispose(): Promise<void> {
    this.dropEpoch();
    this.leastSquares.dispose();
    this.sgd?.dispose();
    this.adam?.dispose();
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }

  /** Uploads an epoch's instances once; a new Instances object, version or batch size replaces them. */
  private upload(inst: Instances, batchSize: number): EpochTensors {
    checkOnHost(inst);
    const e = this.epoch;
    if (e && e.source === inst && e.version === inst.version && e.batchSize === batchSize) return e;
    this.dropEpoch();
    const stepsPerBlock = Math.max(1, Math.floor(BLOCK_INSTANCES / batchSize));
    const size = stepsPerBlock * batchSize;
    const blocks: EpochTensors['blocks'] = [];
    for (let a = 0; a < inst.length; a += size) {
      const b = Math.min(a + size, inst.length);
      blocks.push({
        // Copies: tfjs may keep a reference to the array, and the sampler rewrites it in place.
        users: tf.tensor1d(inst.users.slice(a, b), 'int32'),
        items: tf.tensor1d(inst.items.slice(a, b), 'int32'),
        labels: tf.tensor1d(inst.labels.slice(a, b), 'float32'),
      });
    }
    this.epoch = { source: inst, version: inst.version, batchSize, stepsPerBlock, blocks };
    return this.epoch;
  }

  private dropEpoch(): void {
    for (const b of this.epoch?.blocks ?? []) {
      b.users.dispose();
      b.items.dispose();
      b.labels.dispose();
    }
    this.epoch = null;
  }
}
