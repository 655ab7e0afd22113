/** Report fixtures made in the test (a train folder written by the real RunReport, a hand-made BenchReport) and SVG inspection. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS, type Config } from '../../src/config/schema.js';
import type { EngineInfo, RecordedEngine } from '../../src/engines/index.js';
import type { BenchEngineResult, BenchReport } from '../../src/report/bench-report.js';
import { RunReport } from '../../src/report/run-report.js';
import type { EpochRecord } from '../../src/core/records.js';

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `ncf-report-${prefix}-`));

export const WEBGPU_INFO: EngineInfo = {
  name: 'tfjs',
  backend: 'webgpu',
  label: 'tfjs on webgpu (NVIDIA H100 80GB HBM3 (nvidia hopper))',
  detail: 'NVIDIA H100 80GB HBM3 (nvidia hopper)',
};
export const BLOCKS_PER_EPOCH = 5;

/** Epoch e of a made-up run: loss falls, HR peaks at epoch 3 (so the best epoch is not the last), full ranking on the last. */
export function epochRecord(epoch: number, last: number): EpochRecord {
  const hr = [0.4512, 0.5234, 0.6071, 0.5987, 0.5913, 0.5899][epoch - 1];
  return {
    epoch,
    loss: 0.5 - 0.04 * epoch + 0.0001 * epoch * epoch,
    sampled: { protocol: 'sampled', hr, ndcg: hr * 0.6, k: 10, users: 100, candidates: 100 },
    full: epoch === last ? { protocol: 'full', hr: 0.0812, ndcg: 0.0413, k: 10, users: 100, candidates: 1500 } : null,
    instances: 50_000,
    sampleSeconds: 0.1 * epoch,
    trainSeconds: 1 + 0.25 * epoch,
    evalSeconds: 0.05,
    samplesPerSecond: 50_000 / (1 + 0.25 * epoch),
    lossBlocks: Array.from({ length: BLOCKS_PER_EPOCH }, (_, b) => 0.6 - 0.05 * epoch - 0.01 * b),
  };
}

/**
 * A train report folder as `ncf train` leaves it after `done` of `planned` epochs (fewer: a run
 * stopped with Ctrl-C). Returns the folder and the records it holds.
 */
export function writeTrainFixture(
  root: string,
  done = 4,
  planned = done,
  engine: RecordedEngine = WEBGPU_INFO,
): { dir: string; records: EpochRecord[]; config: Config } {
  const config: Config = { ...DEFAULTS, name: 'fixture', engine: 'tfjs', train: { ...DEFAULTS.train, epochs: planned } };
  const report = new RunReport(root, config.name, new Date('2026-01-02T03:04:05Z'));
  report.writeConfig(config, {
    dataDir: '/data/ml-1m-ncf',
    resumedFromEpoch: 0,
    cpu: 'Test CPU 9000',
    cores: 2,
    startedAt: '2026-01-02T03:04:05.000Z',
    engine,
    parameters: 392_601,
    data: { users: 6040, items: 3706, trainPositives: 994_169 },
  });
  const records = Array.from({ length: done }, (_, i) => epochRecord(i + 1, planned));
  for (const r of records) report.addEpoch(r);
  report.finish(records, engine, 'fixture');
  return { dir: report.dir, records, config };
}

function engine(over: Partial<BenchEngineResult> & Pick<BenchEngineResult, 'label' | 'samplesPerSecond'>): BenchEngineResult {
  return {
    engine: 'tfjs',
    backend: 'wasm',
    detail: 'wasm SIMD, 2 threads',
    emulated: false,
    parity: { lossRelError: 2.4e-7, maxGradRelError: 3.1e-6, worstParam: 'mlp.dense0.kernel' },
    batchSize: 256,
    steps: 200,
    msPerStep: { median: 2, p90: 2.5, chunks: [2, 2.1, 2.5] },
    epochSeconds: 10,
    epochSecondsMeasured: false,
    evalSeconds: 0.5,
    speedup: 1,
    convergence: null,
    ...over,
  };
}

/**
 * Three engines (one an emulated WebGPU), convergence over 3 epochs when `epochs` is set. As an
 * older bench.json, without host ms/step or parity after training, unless `current` is set.
 */
export function benchFixture(o: { cpu?: string; scale?: number; epochs?: boolean; webgpu?: boolean; current?: boolean } = {}): BenchReport {
  const scale = o.scale ?? 1;
  const conv = (d: number): BenchEngineResult['convergence'] =>
    o.epochs ? { loss: [0.35 + d, 0.29 + d, 0.27 + d], hr: [0.55 - d, 0.61 - d, 0.64 - d], ndcg: [0.31, 0.35, 0.37], trainSeconds: [14.5, 13.9, 14.1] } : null;
  const scratchSps = 340_000 * scale;
  const engines = [
    engine({
      label: 'scratch',
      engine: 'scratch',
      backend: null,
      detail: '2 worker threads',
      parity: null,
      samplesPerSecond: scratchSps,
      msPerStep: { median: 0.75 / scale, p90: 0.9 / scale, chunks: [0.75, 0.8, 0.9] },
      epochSeconds: 14.62 / scale,
      epochSecondsMeasured: true,
      evalSeconds: 0.2,
      speedup: 1,
      convergence: conv(0),
    }),
    engine({
      label: 'tfjs:wasm',
      stepCount: { count: 269, unit: 'kernels' },
      samplesPerSecond: 120_000 * scale,
      speedup: (120_000 * scale) / scratchSps,
      epochSeconds: 41.4 / scale,
      convergence: conv(0.001),
    }),
  ];
  if (o.webgpu !== false) {
    engines.push(
      engine({
        label: 'tfjs:webgpu',
        stepCount: { count: 219, unit: 'dispatches' },
        dispatchesPerStep: 219,
        backend: 'webgpu',
        detail: 'Google SwiftShader (a CPU emulator, not a GPU)',
        emulated: true,
        samplesPerSecond: 9_000 * scale,
        speedup: (9_000 * scale) / scratchSps,
        msPerStep: { median: 28.4, p90: 31.7, chunks: [28, 29, 31.7] },
        epochSeconds: 552.3,
        convergence: conv(0.002),
      }),
    );
  }
  if (o.current) {
    const host = [0.75, 1.5, 3.2];
    for (const [i, e] of engines.entries()) {
      e.hostMsPerStep = i === 0 ? e.msPerStep.median : host[i];
      e.hostMsMeasured = i > 0;
      e.repeat = { steps: 20, differing: i === 2 ? 1234 : 0, total: 392601 };
      if (e.parity) {
        const p = (relError: number, worstParam: string) => ({ relError, worstParam });
        e.parity = {
          ...e.parity,
          steps: {
            count: 20,
            batchSize: 256,
            optimizers: { adam: p(1.2e-6, 'gmf.user'), lazy_adam: p(3.4e-6 * i, 'mlp.dense0.kernel'), sgd: p(5e-8, 'out.bias') },
          },
        };
      }
    }
  }
  return {
    createdAt: '2026-01-02T03:04:05.000Z',
    machine: { cpu: o.cpu ?? 'AMD EPYC', cores: 2, platform: 'linux x64', node: 'v20.20.2' },
    config: {
      name: 'bench',
      dataset: 'ml-1m-ncf',
      model: { type: 'neumf', factors: 8, layers: [64, 32, 16, 8] },
      optimizer: 'lazy_adam',
      lr: 0.001,
      batchSize: 256,
      seed: 42,
    },
    data: { users: 6040, items: 3706, trainPositives: 994_169, instancesPerEpoch: 4_970_845 },
    engines,
  };
}

export interface MarkGroup {
  /** Vega's mark type: symbol, rect, line, text, rule. */
  type: string;
  /** The mark's name, e.g. layer_1_marks. */
  name: string;
  /** Each drawn item's element, e.g. `<path aria-label="epoch: 1; loss: 0.46" ... />`. */
  items: string[];
}

/** The mark groups of a Vega SVG and the items in each (items are leaf elements, so the first `</g>` closes a group). */
export function markGroups(svg: string): MarkGroup[] {
  const groups: MarkGroup[] = [];
  for (const m of svg.matchAll(/<g class="mark-([a-z]+) role-mark ([^"]*)"[^>]*>(.*?)<\/g>/g)) {
    const items = [...m[3].matchAll(/<(path|text|line)\b[^>]*?(?:\/>|>[^<]*<\/\1>)/g)].map((i) => i[0]);
    groups.push({ type: m[1], name: m[2], items });
  }
  return groups;
}

export function itemsOf(svg: string, type: string): string[] {
  return markGroups(svg)
    .filter((g) => g.type === type)
    .flatMap((g) => g.items);
}

/** The numbers in an item's aria-label, by field: `epoch: 1; loss: 0.46` → { epoch: 1, loss: 0.46 }. */
export function ariaValues(item: string): Record<string, string> {
  const label = /aria-label="([^"]*)"/.exec(item)?.[1] ?? '';
  return Object.fromEntries(
    label.split('; ').map((kv) => {
      const at = kv.indexOf(': ');
      return [kv.slice(0, at), kv.slice(at + 2)];
    }),
  );
}
