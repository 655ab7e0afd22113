/// <reference types="@webgpu/types" />
/**
 * The fused engine's Ranker: evaluation's ranks counted on the GPU with the model's own logit
 * (rank-shaders.ts), one dispatch per chunk of rows, only the ranks read back. The pipelines are
 * made on first use; the training CSR is uploaded once per TrainedItems object.
 */
import type { Ranker, TrainedItems } from '../../../core/evaluation.js';
import { rankFullShader, rankSampledShader } from './rank-shaders.js';

const MAX_WORKGROUPS = 65535;

export class FusedRanker implements Ranker {
  private sampled: GPUComputePipeline | null = null;
  private full: GPUComputePipeline | null = null;
  private csr: { source: TrainedItems; offsets: GPUBuffer; items: GPUBuffer } | null = null;

  /** `logitCode` defines `fn logit(u: u32, i: u32) -> f32` over `P`, the parameter arena `params`. */
  constructor(
    private readonly device: GPUDevice,
    private readonly logitCode: string,
    private readonly params: GPUBuffer,
    private readonly numItems: number,
  ) {}

  async rankSampled(users: Int32Array, items: Int32Array, width: number): Promise<Int32Array> {
    const n = users.length;
    if (items.length !== n * width) throw new Error(`rankSampled: ${items.length} items for ${n} rows of ${width}`);
    this.sampled ??= await this.pipeline(rankSampledShader(this.logitCode));
    return this.rank(this.sampled, [users, items], n, width, []);
  }

  async rankFull(train: TrainedItems, users: Int32Array, heldOut: Int32Array): Promise<Int32Array> {
    const n = users.length;
    if (heldOut.length !== n) throw new Error(`rankFull: ${heldOut.length} held-out items for ${n} users`);
    this.full ??= await this.pipeline(rankFullShader(this.logitCode));
    const csr = this.upload(train);
    return this.rank(this.full, [users, heldOut], n, this.numItems, [csr.offsets, csr.items]);
  }

  /** GPU buffers the ranker holds (the CSR's two, once uploaded). */
  buffers(): number {
    return this.csr ? 2 : 0;
  }

  dispose(): void {
    if (!this.csr) return;
    this.csr.offsets.destroy();
    this.csr.items.destroy();
    this.csr = null;
  }

  private async pipeline(code: string): Promise<GPUComputePipeline> {
    this.device.pushErrorScope('validation');
    const p = this.device.createComputePipeline({ layout: 'auto', compute: { module: this.device.createShaderModule({ code }), entryPoint: 'main' } });
    const err = await this.device.popErrorScope();
    if (err) throw new Error(`rank kernel failed to compile: ${err.message}`);
    return p;
  }

  private upload(train: TrainedItems): { offsets: GPUBuffer; items: GPUBuffer } {
    if (this.csr?.source === train) return this.csr;
    this.dispose();
    const buffer = (a: Int32Array): GPUBuffer => {
      const b = this.device.createBuffer({ size: Math.max(16, a.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      this.device.queue.writeBuffer(b, 0, a.buffer, a.byteOffset, a.byteLength);
      return b;
    };
    this.csr = { source: train, offsets: buffer(train.offsets), items: buffer(train.items) };
    return this.csr;
  }

  /** One workgroup per row over `rows` = the parts end to end; the rows' ranks. */
  private async rank(pipeline: GPUComputePipeline, parts: Int32Array[], n: number, dim: number, extra: GPUBuffer[]): Promise<Int32Array> {
    if (n === 0) return new Int32Array(0);
    const d = this.device;
    const words = parts.reduce((s, p) => s + p.length, 0);
    const rows = d.createBuffer({ size: 4 * words, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    let at = 0;
    for (const p of parts) {
      d.queue.writeBuffer(rows, at, p.buffer, p.byteOffset, p.byteLength);
      at += p.byteLength;
    }
    const ranks = d.createBuffer({ size: Math.max(16, 4 * n), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const dims = d.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    d.queue.writeBuffer(dims, 0, Uint32Array.of(n, dim, 0, 0));
    const staging = d.createBuffer({ size: Math.max(16, 4 * n), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const group = d.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [this.params, rows, ranks, dims, ...extra].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = d.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    const x = Math.min(n, MAX_WORKGROUPS);
    pass.dispatchWorkgroups(x, Math.ceil(n / x));
    pass.end();
    encoder.copyBufferToBuffer(ranks, 0, staging, 0, Math.max(16, 4 * n));
    d.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(GPUMapMode.READ);
      return new Int32Array(staging.getMappedRange().slice(0, 4 * n));
    } finally {
      staging.unmap();
      for (const b of [rows, ranks, dims, staging]) b.destroy();
    }
  }
}
