/// <reference types="@webgpu/types" />
/**
 * The fused engine's DeviceSampler: the training CSR uploaded once, then one dispatch per epoch
 * fills a buffer of the step kernels' layout [users | items | labels] (sampler-shaders.ts).
 */
import type { Instances, Objective } from '../../../core/training.js';
import { counterPlan } from '../../../data/counter-sampling.js';
import type { Interactions } from '../../../data/interactions.js';
import type { DeviceSampler } from '../../engine.js';
import { WORKGROUP } from './mf-shaders.js';
import { PLAN_FIELDS, samplerShader } from './sampler-shaders.js';

const MAX_WORKGROUPS = 65535;

export class FusedSampler implements DeviceSampler {
  private pipeline: GPUComputePipeline | null = null;
  private run: { train: Interactions; negatives: number; loss: Objective['loss']; csr: GPUBuffer; epoch: GPUBuffer; instances: Instances } | null = null;

  constructor(private readonly device: GPUDevice) {}

  /** The epoch buffer of resident instances this sampler made, or null for any others. */
  bufferOf(instances: Instances): GPUBuffer | null {
    return this.run && instances.resident === this && instances === this.run.instances ? this.run.epoch : null;
  }

  async prepare(train: Interactions, negatives: number, loss: Objective['loss']): Promise<void> {
    const r = this.run;
    if (r && r.train === train && r.negatives === negatives && r.loss === loss) return;
    this.dispose();
    const length = counterPlan(train, negatives, loss, 0, 0).length;
    const csr = this.device.createBuffer({ size: 4 * (train.offsets.length + train.items.length), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(csr, 0, new Uint32Array(train.offsets.buffer, train.offsets.byteOffset, train.offsets.length));
    this.device.queue.writeBuffer(csr, 4 * train.offsets.length, new Uint32Array(train.items.buffer, train.items.byteOffset, train.items.length));
    const epoch = this.device.createBuffer({
      size: Math.max(16, 12 * length),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const empty = new Int32Array(0);
    const instances: Instances = { length, users: empty, items: empty, labels: new Float32Array(0), version: 0, resident: this };
    this.run = { train, negatives, loss, csr, epoch, instances };
    this.pipeline ??= this.device.createComputePipeline({
      layout: 'auto',
      compute: { module: this.device.createShaderModule({ code: samplerShader() }), entryPoint: 'main' },
    });
  }

  async sample(seed: number, epoch: number): Promise<Instances> {
    const r = this.run;
    if (!r || !this.pipeline) throw new Error('DeviceSampler.sample before prepare');
    const plan = counterPlan(r.train, r.negatives, r.loss, seed, epoch);
    const groups = Math.max(1, Math.ceil(plan.blocks / WORKGROUP));
    const x = Math.min(groups, MAX_WORKGROUPS);
    const fields: Record<(typeof PLAN_FIELDS)[number], number> = {
      blocks: plan.blocks,
      perBlock: plan.perBlock,
      unit: plan.unit,
      K: plan.negatives,
      U: r.train.numUsers,
      I: plan.numItems,
      n: plan.length,
      lastOk: plan.lastOk,
      key0: plan.key0,
      key1: plan.key1,
      seedHi: plan.seedHi,
      hiBits: plan.hiBits,
      loBits: plan.loBits,
      width: x * WORKGROUP,
      pad0: 0,
      pad1: 0,
    };
    const uniform = new Uint32Array(PLAN_FIELDS.length + 4);
    PLAN_FIELDS.forEach((f, k) => {
      uniform[k] = fields[f];
    });
    uniform.set(plan.roundKeys, PLAN_FIELDS.length);
    const ub = this.device.createBuffer({ size: uniform.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(ub, 0, uniform);
    const group = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [r.csr, r.epoch, ub].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, Math.ceil(groups / x));
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    // Awaited, so that the epoch's sampling time is its own and not the first chunk's.
    await this.device.queue.onSubmittedWorkDone();
    ub.destroy();
    r.instances.version = (r.instances.version ?? 0) + 1;
    return r.instances;
  }

  async download(instances: Instances): Promise<Instances> {
    const buffer = this.bufferOf(instances);
    if (!buffer) throw new Error('download: these instances were not made by this sampler');
    const n = instances.length;
    const staging = this.device.createBuffer({ size: Math.max(16, 12 * n), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, Math.max(16, 12 * n));
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const all = staging.getMappedRange().slice(0, 12 * n);
    staging.unmap();
    staging.destroy();
    return {
      length: n,
      users: new Int32Array(all, 0, n),
      items: new Int32Array(all, 4 * n, n),
      labels: new Float32Array(all, 8 * n, n),
      version: instances.version,
    };
  }

  /** The CSR and epoch buffers (how many the sampler holds: 0 or 2). */
  buffers(): number {
    return this.run ? 2 : 0;
  }

  dispose(): void {
    if (!this.run) return;
    this.run.csr.destroy();
    this.run.epoch.destroy();
    this.run = null;
  }
}
