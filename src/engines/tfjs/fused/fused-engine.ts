/// <reference types="@webgpu/types" />
/**
 * The fused WebGPU path of the tfjs engine (tfjs.kernels = "fused"): the model's own kernels on
 * tfjs' GPUDevice instead of ~220 tfjs dispatches per step. The parameters, Adam's moments and
 * the gradients live in arenas of the flat layout; the epoch's instances are uploaded once; each
 * step is two dispatches (forward + loss + backward, then the optimizer) with its batch offset
 * and step sizes in a uniform slot, a whole chunk of steps goes in one submit, and the losses are
 * read back once per chunk. adam sweeps the whole arena; sgd and lazy_adam update only the rows
 * the batch touched (and the dense parameters). MLP and NeuMF add a third dispatch, their dense
 * gradients summed over the batch's stored activations (tower-shaders.ts). Sums across threads
 * are in fixed point (fixed-point.ts), so a seed gives the same numbers however the GPU schedules.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelShape, Weights } from '../../../core/model.js';
import { PLAIN_LOG_LOSS, type Instances, type Objective, type OptimizerConfig, type OptimizerState } from '../../../core/training.js';
import { checkWeights } from '../../../models/weights.js';
import { NcfError } from '../../../util/errors.js';
import { checkOnHost, type Engine, type EngineInfo, type EngineOptions, type StepCount } from '../../engine.js';
import { flatLayout, offsetOf, tableOf, type FlatLayout } from '../../flat-layout.js';
import { useBackend } from '../backend.js';
import type { TfjsSettings } from '../backends.js';
import { FusedSampler } from './device-sampler.js';
import { FusedRanker } from './device-ranker.js';
import { fixedToFloats, LOSS_WORDS, slotLosses } from './fixed-point.js';
import { gmfLogit, gmfStepShader } from './gmf-shaders.js';
import { DENSE_CHUNK, towerDenseShader, towerLogit, towerStepShader, towerStrides, type TowerLayout } from './tower-shaders.js';
import { adamShader, mfLogit, mfStepShader, scoreShader, touchedRowsShader, WORKGROUP, type ArenaTables, type MfLayout } from './mf-shaders.js';

/**
 * A model's own kernels: the training step's (forward + loss + backward) and its logit, which the
 * scoring and ranking kernels call; towers add the dense-gradient kernel.
 */
interface FusedModel {
  step(L: FlatLayout, pairs: boolean): string;
  /** WGSL defining `fn logit(u: u32, i: u32) -> f32` over the arena `P`. */
  logit(L: FlatLayout): string;
  dense?(L: FlatLayout, pairs: boolean): string;
  strides?(L: FlatLayout): { x: number; d: number };
}

const mfOffsets = (L: FlatLayout): MfLayout => ({
  biases: true,
  pu: tableOf(L, 'mf_user').off,
  qi: tableOf(L, 'mf_item').off,
  bu: tableOf(L, 'user_bias').off,
  bi: tableOf(L, 'item_bias').off,
  b: offsetOf(L, 'out_bias'),
  F: L.shape.factors,
  total: L.total,
});
/** iALS's plain dot product through MF's kernels, without the biases. */
const dotOffsets = (L: FlatLayout): MfLayout => ({
  biases: false,
  pu: tableOf(L, 'ials_user').off,
  qi: tableOf(L, 'ials_item').off,
  bu: 0,
  bi: 0,
  b: 0,
  F: L.shape.factors,
  total: L.total,
});
const gmfOffsets = (L: FlatLayout) => ({
  pu: tableOf(L, 'gmf_user').off,
  qi: tableOf(L, 'gmf_item').off,
  h: offsetOf(L, 'out_kernel'),
  b: offsetOf(L, 'out_bias'),
  G: L.shape.factors,
});

const towerOffsets = (L: FlatLayout): TowerLayout => {
  const layers = L.shape.layers;
  const gmf = L.rowTables.some((t) => t.name === 'gmf_user');
  return {
    G: gmf ? L.shape.factors : 0,
    gu: gmf ? tableOf(L, 'gmf_user').off : 0,
    gi: gmf ? tableOf(L, 'gmf_item').off : 0,
    mu: tableOf(L, 'mlp_user').off,
    mi: tableOf(L, 'mlp_item').off,
    H: layers.slice(),
    kernels: layers.slice(1).map((_, k) => offsetOf(L, `mlp_${k + 1}_kernel`)),
    biases: layers.slice(1).map((_, k) => offsetOf(L, `mlp_${k + 1}_bias`)),
    out: offsetOf(L, 'out_kernel'),
    outBias: offsetOf(L, 'out_bias'),
    denseStart: L.denseStart,
    total: L.total,
  };
};
const tower: FusedModel = {
  step: (L, pairs) => towerStepShader(towerOffsets(L), pairs),
  logit: (L) => towerLogit(towerOffsets(L)),
  dense: (L, pairs) => towerDenseShader(towerOffsets(L), pairs),
  strides: (L) => towerStrides(towerOffsets(L)),
};

/** The models the fused path covers; others are refused in one line. */
const FUSED_MODELS: Record<string, FusedModel> = {
  gmf: { step: (L, pairs) => gmfStepShader(gmfOffsets(L), pairs), logit: (L) => gmfLogit(gmfOffsets(L)) },
  mlp: tower,
  neumf: tower,
  mf: { step: (L, pairs) => mfStepShader(mfOffsets(L), pairs), logit: (L) => mfLogit(mfOffsets(L)) },
  ials: { step: (L, pairs) => mfStepShader(dotOffsets(L), pairs), logit: (L) => mfLogit(dotOffsets(L)) },
};

/** Bytes per step's uniform slot: the usual minUniformBufferOffsetAlignment. */
const SLOT = 256;
const MAX_WORKGROUPS = 65535;

export class FusedEngine implements Engine {
  readonly info: EngineInfo;
  /** train.sampler "philox" on the GPU: the epoch's instances made in the buffer the steps read. */
  readonly sampler: FusedSampler;
  /** Evaluation's ranks counted on the GPU with the model's logit, only the ranks read back. */
  readonly ranker: FusedRanker;
  private readonly L: FlatLayout;
  private readonly params: GPUBuffer;
  private readonly grads: GPUBuffer;
  private readonly m: GPUBuffer;
  private readonly v: GPUBuffer;
  private readonly stepPipeline: GPUComputePipeline;
  private readonly optPipeline: GPUComputePipeline;
  private readonly stepLayout: GPUBindGroupLayout;
  private readonly denseLayout: GPUBindGroupLayout;
  private readonly densePipeline: GPUComputePipeline | null;
  /** MLP and NeuMF: a third kernel sums the dense gradients over per-instance rows of X and D. */
  private readonly tower: { dense: string; strides: { x: number; d: number } } | null;
  private scratch: { x: GPUBuffer; d: GPUBuffer; rows: number } | null = null;
  private readonly optLayout: GPUBindGroupLayout;
  /** sgd and lazy_adam: only the rows a batch touched, claimed with a stamp per user and item row. */
  private readonly sparse: boolean;
  private readonly stamps: GPUBuffer;
  /** The stamp of the next step: its own counter, since setOptimizerState can move the step count back. */
  private mark = 0;
  private readonly scorePipeline: GPUComputePipeline;
  private readonly owned: GPUBuffer[] = [];
  private epoch: { source: Instances; version: number | undefined; buffer: GPUBuffer; n: number } | null = null;
  private optStep = 0;
  /** Dispatches issued so far (what countStep reports). */
  private dispatches = 0;
  /** Seconds trainSteps spent encoding and submitting (hostSeconds). */
  private issued = 0;

  private constructor(
    readonly shape: ModelShape,
    private readonly device: GPUDevice,
    private readonly opt: OptimizerConfig,
    private readonly obj: Objective,
    detail: string,
    emulated: boolean,
  ) {
    this.L = flatLayout(shape);
    this.sampler = new FusedSampler(device);
    this.info = { name: 'tfjs', backend: 'webgpu', label: `tfjs on webgpu, fused kernels (${detail})`, detail: `fused kernels; ${detail}`, emulated };
    const floats = (n: number): GPUBuffer => this.buffer(n * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.params = floats(this.L.total);
    this.grads = floats(2 * this.L.total); // fixed point, two words per parameter (fixed-point.ts)
    this.m = floats(this.L.total);
    this.v = floats(this.L.total);
    const model = FUSED_MODELS[shape.type];
    const tables: ArenaTables = {
      users: this.L.userTables,
      items: this.L.itemTables,
      denseStart: this.L.denseStart,
      total: this.L.total,
      numUsers: shape.numUsers,
    };
    const module = (code: string): GPUShaderModule => device.createShaderModule({ code });
    // Explicit layouts, for the uniform's dynamic offset: one bind group serves every step of a chunk.
    // Bindings 0–3 storage, 4 the step uniform, 5.. more storage; `true`: read-only.
    const layout = (before: boolean[], after: boolean[] = []): GPUBindGroupLayout =>
      device.createBindGroupLayout({
        entries: [
          ...[...before, null, ...after].map((ro, binding) =>
            ro === null
              ? { binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } as const }
              : { binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: ro ? 'read-only-storage' : 'storage' } as const },
          ),
        ],
      });
    this.tower = model.dense ? { dense: model.dense(this.L, this.obj.loss === 'bpr'), strides: model.strides!(this.L) } : null;
    this.stepLayout = layout([true, false, true, false], this.tower ? [false, false] : []);
    this.sparse = opt.name !== 'adam';
    this.optLayout = layout([false, false, false, false], this.sparse ? [true, false] : []);
    this.denseLayout = layout([true, false, true, true], [false]);
    this.stamps = this.buffer(4 * (shape.numUsers + shape.numItems), GPUBufferUsage.STORAGE);
    const pipeline = (code: string, group: GPUBindGroupLayout): GPUComputePipeline =>
      device.createComputePipeline({
        layout: device.createPipelineLayout({ bindGroupLayouts: [group] }),
        compute: { module: module(code), entryPoint: 'main' },
      });
    this.stepPipeline = pipeline(model.step(this.L, this.obj.loss === 'bpr'), this.stepLayout);
    this.densePipeline = this.tower ? pipeline(this.tower.dense, this.denseLayout) : null;
    this.optPipeline = pipeline(
      this.sparse
        ? touchedRowsShader(tables, this.obj.loss === 'bpr', opt.name === 'lazy_adam', opt.beta1, opt.beta2)
        : adamShader(this.L.total, opt.beta1, opt.beta2),
      this.optLayout,
    );
    const logit = model.logit(this.L);
    this.scorePipeline = device.createComputePipeline({ layout: 'auto', compute: { module: module(scoreShader(logit)), entryPoint: 'main' } });
    this.ranker = new FusedRanker(device, logit, this.params, shape.numItems);
  }

  static async create(shape: ModelShape, o: EngineOptions<TfjsSettings>): Promise<FusedEngine> {
    if (!Object.hasOwn(FUSED_MODELS, shape.type)) {
      throw new NcfError(`tfjs.kernels "fused" covers models ${Object.keys(FUSED_MODELS).join(', ')} so far, not ${shape.type}: use tfjs.kernels "graph"`);
    }
    const choice = await useBackend(o.settings.backend === 'auto' ? 'webgpu' : o.settings.backend);
    if (choice.name !== 'webgpu') throw new NcfError(`tfjs.kernels "fused" needs the webgpu backend, not ${choice.name}`);
    const device = (tf.backend() as unknown as { device: GPUDevice }).device;
    device.pushErrorScope('validation');
    const detail = choice.emulated ? `${choice.detail} (a CPU emulator, not a GPU)` : choice.detail;
    const engine = new FusedEngine(shape, device, o.optimizer, o.objective ?? PLAIN_LOG_LOSS, detail, Boolean(choice.emulated));
    const err = await device.popErrorScope();
    if (err) {
      await engine.dispose();
      throw new Error(`fused kernels failed to compile: ${err.message}`);
    }
    return engine;
  }

  async setWeights(w: Weights): Promise<void> {
    checkWeights(this.shape, w);
    const flat = new Float32Array(this.L.total);
    for (const [name, off] of this.L.entries) flat.set(w.get(name)!, off);
    this.device.queue.writeBuffer(this.params, 0, flat);
  }

  async getWeights(): Promise<Weights> {
    return this.split(await this.read(this.params, this.L.total), '');
  }

  async getOptimizerState(): Promise<OptimizerState> {
    const slots: Weights = new Map();
    if (this.opt.name !== 'sgd') {
      for (const [k, t] of this.split(await this.read(this.m, this.L.total), 'm:')) slots.set(k, t);
      for (const [k, t] of this.split(await this.read(this.v, this.L.total), 'v:')) slots.set(k, t);
    }
    return { step: this.optStep, slots };
  }

  async setOptimizerState(s: OptimizerState): Promise<void> {
    this.optStep = s.step;
    for (const [kind, buf] of [
      ['m', this.m],
      ['v', this.v],
    ] as const) {
      const flat = new Float32Array(this.L.total);
      for (const [name, off] of this.L.entries) {
        const t = s.slots.get(`${kind}:${name}`);
        if (t) flat.set(t, off);
      }
      this.device.queue.writeBuffer(buf, 0, flat);
    }
  }

  async trainSteps(instances: Instances, batchSize: number, firstStep: number, count: number): Promise<Float32Array> {
    const t0 = performance.now();
    const epoch = this.upload(instances);
    const per = this.obj.loss === 'bpr' ? 2 : 1;
    const uniforms = new ArrayBuffer(count * SLOT);
    for (let k = 0; k < count; k++) {
      const b0 = (firstStep + k) * batchSize;
      const n = Math.min(batchSize, instances.length - b0);
      const t = this.optStep + 1 + k;
      const c2 = Math.sqrt(1 - this.opt.beta2 ** t);
      const lr = this.opt.name === 'sgd' ? this.opt.lr : (this.opt.lr * c2) / (1 - this.opt.beta1 ** t);
      const slot = new DataView(uniforms, k * SLOT, 32);
      slot.setUint32(0, b0, true);
      slot.setUint32(4, n / per, true);
      slot.setUint32(8, k, true);
      slot.setUint32(12, epoch.n, true);
      slot.setFloat32(16, lr, true);
      slot.setFloat32(20, this.opt.epsilon * c2, true);
      slot.setFloat32(24, this.obj.l2, true);
      slot.setUint32(28, ++this.mark, true);
    }
    const steps = this.buffer(count * SLOT, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    const losses = this.buffer(count * LOSS_WORDS * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(steps, 0, uniforms);
    const xd = this.towerScratch(batchSize);
    const stepGroup = this.group(this.stepLayout, [this.params, this.grads, epoch.buffer, losses], steps, xd);
    const denseGroup = this.densePipeline ? this.group(this.denseLayout, [this.params, this.grads, ...xd], steps, [losses]) : null;
    const optGroup = this.group(this.optLayout, [this.params, this.grads, this.m, this.v], steps, this.sparse ? [epoch.buffer, this.stamps] : []);
    const [x, y] = grid(this.L.total);
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (let k = 0; k < count; k++) {
      const units = Math.min(batchSize, instances.length - (firstStep + k) * batchSize) / per;
      pass.setPipeline(this.stepPipeline);
      pass.setBindGroup(0, stepGroup, [k * SLOT]);
      pass.dispatchWorkgroups(Math.ceil(units / WORKGROUP));
      if (this.densePipeline && denseGroup) {
        pass.setPipeline(this.densePipeline);
        pass.setBindGroup(0, denseGroup, [k * SLOT]);
        pass.dispatchWorkgroups(Math.ceil((this.L.total - this.L.denseStart) / WORKGROUP), Math.ceil((units * per) / DENSE_CHUNK));
        this.dispatches++;
      }
      pass.setPipeline(this.optPipeline);
      pass.setBindGroup(0, optGroup, [k * SLOT]);
      if (this.sparse) pass.dispatchWorkgroups(Math.max(1, Math.ceil(Math.max(units, this.L.total - this.L.denseStart) / WORKGROUP)));
      else pass.dispatchWorkgroups(x, y);
      this.dispatches += 2;
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    this.issued += (performance.now() - t0) / 1000;
    this.optStep += count;
    const out = slotLosses(await this.readWords(losses, count * LOSS_WORDS), count);
    this.release(steps, losses);
    return out;
  }

  async gradients(instances: Instances, start: number, end: number): Promise<{ loss: number; grads: Weights }> {
    checkOnHost(instances);
    const sub: Instances = {
      length: end - start,
      users: instances.users.subarray(start, end),
      items: instances.items.subarray(start, end),
      labels: instances.labels.subarray(start, end),
    };
    const per = this.obj.loss === 'bpr' ? 2 : 1;
    const buffer = this.instanceBuffer(sub);
    const slot = new DataView(new ArrayBuffer(32));
    slot.setUint32(4, sub.length / per, true);
    slot.setUint32(12, sub.length, true);
    slot.setFloat32(24, this.obj.l2, true);
    const steps = this.buffer(SLOT, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    const losses = this.buffer(LOSS_WORDS * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(steps, 0, slot.buffer);
    const encoder = this.device.createCommandEncoder();
    encoder.clearBuffer(this.grads);
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.stepPipeline);
    const xd = this.towerScratch(sub.length);
    pass.setBindGroup(0, this.group(this.stepLayout, [this.params, this.grads, buffer, losses], steps, xd), [0]);
    pass.dispatchWorkgroups(Math.ceil(sub.length / per / WORKGROUP));
    if (this.densePipeline) {
      pass.setPipeline(this.densePipeline);
      pass.setBindGroup(0, this.group(this.denseLayout, [this.params, this.grads, ...xd], steps, [losses]), [0]);
      pass.dispatchWorkgroups(Math.ceil((this.L.total - this.L.denseStart) / WORKGROUP), Math.ceil(sub.length / DENSE_CHUNK));
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    const [loss] = slotLosses(await this.readWords(losses, LOSS_WORDS), 1);
    const grads = this.split(fixedToFloats(await this.readWords(this.grads, 2 * this.L.total)), '');
    const clear = this.device.createCommandEncoder();
    clear.clearBuffer(this.grads);
    this.device.queue.submit([clear.finish()]);
    this.release(buffer, steps, losses);
    return { loss, grads };
  }

  async score(users: Int32Array, items: Int32Array): Promise<Float32Array> {
    const n = users.length;
    const pairs = this.buffer(Math.max(16, 8 * n), GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const out = this.buffer(Math.max(16, 4 * n), GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const count = this.buffer(16, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    const ids = new Int32Array(2 * n);
    ids.set(users);
    ids.set(items, n);
    this.device.queue.writeBuffer(pairs, 0, ids);
    this.device.queue.writeBuffer(count, 0, Uint32Array.of(n, 0, 0, 0));
    const group = this.device.createBindGroup({
      layout: this.scorePipeline.getBindGroupLayout(0),
      entries: [pairs, out, count].map((buffer, k) => ({ binding: k + 1, resource: { buffer } })).concat([{ binding: 0, resource: { buffer: this.params } }]),
    });
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.scorePipeline);
    pass.setBindGroup(0, group);
    const [x, y] = grid(n);
    pass.dispatchWorkgroups(x, y);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    const z = await this.read(out, n);
    this.release(pairs, out, count);
    return z;
  }

  /** Two dispatches a step, counted as they are encoded. */
  readonly countStep = async (instances: Instances, batchSize: number, step: number): Promise<StepCount> => {
    await this.trainSteps(instances, batchSize, step, 1);
    const before = this.dispatches;
    await this.trainSteps(instances, batchSize, step + 1, 1);
    return { count: this.dispatches - before, unit: 'dispatches' };
  };

  hostSeconds(): number {
    return this.issued;
  }

  async dispose(): Promise<void> {
    if (this.epoch) this.epoch.buffer.destroy();
    this.epoch = null;
    this.sampler.dispose();
    this.ranker.dispose();
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
  }

  /** The epoch's instances as one buffer [users | items | labels]: the sampler's own, or uploaded once per Instances object and version. */
  private upload(inst: Instances): { buffer: GPUBuffer; n: number } {
    if (inst.resident) {
      const buffer = this.sampler.bufferOf(inst);
      if (!buffer) throw new Error('these instances live on another engine’s device');
      return { buffer, n: inst.length };
    }
    const e = this.epoch;
    if (e && e.source === inst && e.version === inst.version) return e;
    if (e) this.release(e.buffer);
    this.epoch = { source: inst, version: inst.version, buffer: this.instanceBuffer(inst), n: inst.length };
    return this.epoch;
  }

  private instanceBuffer(inst: Instances): GPUBuffer {
    const n = inst.length;
    const data = new Uint32Array(3 * n);
    data.set(new Uint32Array(inst.users.buffer, inst.users.byteOffset, n), 0);
    data.set(new Uint32Array(inst.items.buffer, inst.items.byteOffset, n), n);
    data.set(new Uint32Array(inst.labels.buffer, inst.labels.byteOffset, n), 2 * n);
    const b = this.buffer(Math.max(16, data.byteLength), GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(b, 0, data);
    return b;
  }

  /** Storage buffers at bindings 0–3, the step uniform (32 bytes at a dynamic offset) at 4, more storage from 5. */
  private group(layout: GPUBindGroupLayout, before: GPUBuffer[], steps: GPUBuffer, after: GPUBuffer[] = []): GPUBindGroup {
    return this.device.createBindGroup({
      layout,
      entries: [
        ...before.map((buffer, b) => ({ binding: b, resource: { buffer } })),
        { binding: 4, resource: { buffer: steps, size: 32 } },
        ...after.map((buffer, b) => ({ binding: 5 + b, resource: { buffer } })),
      ],
    });
  }

  /** MLP and NeuMF: X and D for `rows` instances (grown when a larger batch comes); [] for the others. */
  private towerScratch(rows: number): GPUBuffer[] {
    if (!this.tower) return [];
    if (!this.scratch || this.scratch.rows < rows) {
      if (this.scratch) this.release(this.scratch.x, this.scratch.d);
      const usage = GPUBufferUsage.STORAGE;
      this.scratch = { x: this.buffer(4 * rows * this.tower.strides.x, usage), d: this.buffer(4 * rows * this.tower.strides.d, usage), rows };
    }
    return [this.scratch.x, this.scratch.d];
  }

  private buffer(size: number, usage: number): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.ceil(size / 4) * 4, usage });
    this.owned.push(b);
    return b;
  }

  private release(...buffers: GPUBuffer[]): void {
    for (const b of buffers) {
      b.destroy();
      const i = this.owned.indexOf(b);
      if (i >= 0) this.owned.splice(i, 1);
    }
  }

  /** The first `floats` values of `src`, through a mapped staging copy. */
  private async read(src: GPUBuffer, floats: number): Promise<Float32Array> {
    return new Float32Array(await this.readBytes(src, floats * 4));
  }

  /** The first `words` u32 of `src` (the fixed-point sums). */
  private async readWords(src: GPUBuffer, words: number): Promise<Uint32Array> {
    return new Uint32Array(await this.readBytes(src, words * 4));
  }

  private async readBytes(src: GPUBuffer, size: number): Promise<ArrayBuffer> {
    const bytes = Math.max(4, size);
    const staging = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(src, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = staging.getMappedRange().slice(0, size);
    staging.unmap();
    staging.destroy();
    return out;
  }

  private split(flat: Float32Array, prefix: string): Weights {
    const w: Weights = new Map();
    for (const [name, off, n] of this.L.entries) w.set(prefix + name, flat.slice(off, off + n));
    return w;
  }
}

/** Workgroups for `n` threads: x up to the 65,535 limit, y for the rest. */
function grid(n: number): [number, number] {
  const groups = Math.max(1, Math.ceil(n / WORKGROUP));
  const x = Math.min(groups, MAX_WORKGROUPS);
  return [x, Math.ceil(groups / x)];
}
