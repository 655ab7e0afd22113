/**
 * `npm run bench:pytorch`: training throughput of the scratch engine per optimizer, beside the PyTorch
 * reference (reference/pytorch/torch_neumf.py) measured in the same run on the same machine.
 * Both train the paper's NeuMF (ML-1M shape: 6040 users, 3706 items, G 8, MLP [64,32,16,8]) on
 * the same kind of synthetic batches (uniform ids, 20% positives); runs alternate so that
 * machine load hits both alike, and the median of the repeats is reported.
 *
 *   node dist/tools/bench-pytorch.js [--steps 2000] [--batch 256] [--threads 2] [--repeats 3]
 *       [--optimizers lazy_adam,adam,sgd] [--torch <path to torch_neumf.py>] [--python /usr/bin/python3]
 *
 * The reference runs with 1 and 2 threads (on 2 cores one thread is usually faster); speedups
 * are given over the faster of the two.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../src/config/schema.js';
import type { OptimizerName } from '../src/core/training.js';
import { createEngine } from '../src/engines/index.js';
import { allocateInstances } from '../src/data/sampling.js';
import type { ModelShape } from '../src/core/model.js';
import { initWeights } from '../src/models/weights.js';
import { Rng } from '../src/util/rng.js';

const ML1M_EPOCH_SAMPLES = 994_169 * 5;
const WARMUP_STEPS = 50;

const { values: a } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '256' },
    threads: { type: 'string', default: String(DEFAULTS.scratch.threads) },
    repeats: { type: 'string', default: '3' },
    optimizers: { type: 'string', default: 'lazy_adam,adam,sgd' },
    torch: { type: 'string', default: 'reference/pytorch/torch_neumf.py' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const steps = Number(a.steps);
const batch = Number(a.batch);
const threads = Number(a.threads);
const repeats = Number(a.repeats);
const optimizers = a.optimizers.split(',') as OptimizerName[];
const shape: ModelShape = { ...DEFAULTS.model, numUsers: 6040, numItems: 3706 };

async function scratchSamplesPerSecond(opt: OptimizerName): Promise<number> {
  const engine = await createEngine('scratch', shape, { settings: { threads }, optimizer: { ...DEFAULTS.train, name: opt, lr: 0.001 } });
  try {
    await engine.setWeights(initWeights(shape, 0));
    const n = (steps + WARMUP_STEPS) * batch;
    const inst = allocateInstances(n);
    const rng = new Rng(0);
    for (let k = 0; k < n; k++) {
      inst.users[k] = rng.nextInt(shape.numUsers);
      inst.items[k] = rng.nextInt(shape.numItems);
      inst.labels[k] = rng.nextFloat() < 0.2 ? 1 : 0;
    }
    await engine.trainSteps(inst, batch, 0, WARMUP_STEPS);
    const t0 = performance.now();
    await engine.trainSteps(inst, batch, WARMUP_STEPS, steps);
    return (steps * batch) / ((performance.now() - t0) / 1000);
  } finally {
    await engine.dispose();
  }
}

function torchSamplesPerSecond(torchThreads: number): number | null {
  const r = spawnSync(a.python, [a.torch, String(steps), String(batch), String(torchThreads)], { encoding: 'utf8' });
  const m = /samples\/s (\d+)/.exec(r.stdout ?? '');
  return m ? Number(m[1]) : null;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const line = (name: string, sps: number): string =>
  `${name.padEnd(34)} ${fmt(sps).padStart(9)} samples/s ${(ML1M_EPOCH_SAMPLES / sps).toFixed(1).padStart(6)} s/epoch (ML-1M, extrapolated)`;

const haveTorch = existsSync(a.torch) && existsSync(a.python);
const torchRuns = new Map<number, number[]>([
  [1, []],
  [2, []],
]);
const ours = new Map<OptimizerName, number[]>(optimizers.map((o) => [o, []]));
console.log(`NeuMF ML-1M shape, batch ${batch}, ${steps} timed steps after ${WARMUP_STEPS} warm-up, ${repeats} alternating repeats, median`);
for (let r = 0; r < repeats; r++) {
  if (haveTorch) {
    for (const [t, runs] of torchRuns) {
      const sps = torchSamplesPerSecond(t);
      if (sps !== null) runs.push(sps);
    }
  }
  for (const o of optimizers) ours.get(o)!.push(await scratchSamplesPerSecond(o));
}
let torch: number | null = null;
for (const [t, runs] of torchRuns) {
  if (runs.length === 0) continue;
  console.log(line(`torch (reference) adam t=${t} b=${batch}`, median(runs)));
  torch = Math.max(torch ?? 0, median(runs));
}
if (torch === null) console.log(`torch reference not run (${a.python} with torch and ${a.torch} needed: apt-get install -y python3-torch)`);
for (const [o, runs] of ours) {
  const sps = median(runs);
  console.log(`${line(`scratch ${o} t=${threads} b=${batch}`, sps)}${torch ? `  ${(sps / torch).toFixed(2)}× torch` : ''}`);
}
