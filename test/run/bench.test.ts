/**
 * ncf bench: engine lists, the parity measures it refuses on, and a whole bench of scratch against
 * tfjs on the cpu backend on the smoke fixture (same instances and weights, so the same losses and
 * the same weights after the parity steps), and against a tfjs engine whose training diverges.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engineFor } from '../../src/config/engine.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { ModelShape } from '../../src/core/model.js';
import type { BenchParity, BenchReport } from '../../src/report/bench-report.js';
import { assertParity, assertStepParity, compare, differingBits, engineLabels, PARITY_STEPS, runBench, worstRelError } from '../../src/run/bench.js';
import { NcfError } from '../../src/util/errors.js';
import { Progress } from '../../src/util/progress.js';
import { ROOT } from '../helpers/cli.js';
import { divergingEngine, nudgedEngine } from '../helpers/fake-engine.js';

describe('differingBits', () => {
  it('counts values that differ in any bit: -0 against 0 differs, the same NaN does not, a missing tensor counts whole', () => {
    const a = new Map([
      ['x', Float32Array.of(1, 0, Number.NaN, 0.1)],
      ['y', Float32Array.of(2, 3)],
    ]);
    const b = new Map([['x', Float32Array.of(1, -0, Number.NaN, Math.fround(0.1) + 2 ** -27)]]);
    expect(differingBits(a, b)).toEqual({ differing: 4, total: 6 });
    expect(differingBits(a, a)).toEqual({ differing: 0, total: 6 });
  });
});

describe('engineLabels', () => {
  it('puts the scratch engine first, adding it when missing, and drops repeats', () => {
    expect(engineLabels(['tfjs:wasm', 'scratch', 'tfjs:cpu', 'tfjs:wasm'])).toEqual(['scratch', 'tfjs:wasm', 'tfjs:cpu']);
    expect(engineLabels(['tfjs:webgpu'])).toEqual(['scratch', 'tfjs:webgpu']);
  });
  it('rejects unknown engines with one line', () => {
    expect(() => engineLabels(['tfjs:cuda'])).toThrow(NcfError);
    expect(() => engineLabels(['torch'])).toThrow(/unknown engine "torch"/);
  });
});

describe('compare', () => {
  it('gives ‖a − b‖ / ‖b‖ per gradient, the worst one named, and the loss relative error', () => {
    const b = {
      loss: 2,
      grads: new Map([
        ['x', new Float32Array([3, 4])],
        ['y', new Float32Array([1, 0])],
      ]),
    };
    const a = {
      loss: 2.002,
      grads: new Map([
        ['x', new Float32Array([3, 4.05])],
        ['y', new Float32Array([1, 0.5])],
      ]),
    };
    const p = compare(a, b);
    expect(p.lossRelError).toBeCloseTo(0.001, 6);
    expect(p.maxGradRelError).toBeCloseTo(0.5, 6); // y: ‖(0, 0.5)‖ / ‖(1, 0)‖
    expect(p.worstParam).toBe('y');
    expect(compare(b, b)).toEqual({ lossRelError: 0, maxGradRelError: 0, worstParam: 'y' });
  });
});

describe('assertParity', () => {
  it('passes agreement within 1e-3 and refuses more, naming the engine, the parameter and both errors', () => {
    expect(() => assertParity('tfjs:cpu', 1024, { lossRelError: 1e-3, maxGradRelError: 9e-4, worstParam: 'mlp_1_kernel' })).not.toThrow();
    expect(() => assertParity('tfjs:webgpu', 1024, { lossRelError: 2e-7, maxGradRelError: 0.25, worstParam: 'gmf_item' })).toThrow(
      'bench: tfjs:webgpu disagrees with the scratch engine on a fixed batch of 1024 (relative error: loss 2.00e-7, gradient of gmf_item 2.50e-1; tolerance 0.001) — not timing it',
    );
    expect(() => assertParity('tfjs:wasm', 64, { lossRelError: 0.01, maxGradRelError: 0, worstParam: 'out_bias' })).toThrow(NcfError);
  });
});

describe('worstRelError', () => {
  it('names the parameter with the largest ‖a − b‖ / ‖b‖, and a NaN anywhere wins', () => {
    const b = new Map([
      ['x', new Float32Array([3, 4])],
      ['y', new Float32Array([1, 0])],
    ]);
    expect(worstRelError(new Map([...b, ['x', new Float32Array([3, 4.5])]]), b)).toEqual({ relError: 0.1, worstParam: 'x' });
    const nan = worstRelError(new Map([...b, ['x', new Float32Array([Number.NaN, 4])]]), b);
    expect(nan.relError).toBeNaN();
    expect(nan.worstParam).toBe('x');
    expect(worstRelError(new Map([['x', b.get('x')!]]), b)).toEqual({ relError: Number.NaN, worstParam: 'y' }); // y missing
  });
});

describe('assertStepParity', () => {
  const steps = (adam: number, worstParam = 'gmf_item'): NonNullable<BenchParity['steps']> => ({
    count: 20,
    batchSize: 256,
    optimizers: {
      adam: { relError: adam, worstParam },
      lazy_adam: { relError: 2e-4, worstParam: 'mlp_1_kernel' },
      sgd: { relError: 1e-7, worstParam: 'out_bias' },
    },
  });
  it('passes weights within 1e-3 after the steps and refuses the worst optimizer past it, or NaN, in one line', () => {
    expect(() => assertStepParity('tfjs:wasm', steps(1e-3))).not.toThrow();
    expect(() => assertStepParity('tfjs:webgpu', steps(0.03))).toThrow(
      new NcfError(
        'bench: tfjs:webgpu trains away from the scratch engine: after 20 adam steps of batch 256 from the same weights, gmf_item differs by 3.00e-2 (relative error; tolerance 0.001) — not timing it',
      ),
    );
    expect(() => assertStepParity('tfjs:cpu', steps(Number.NaN, 'mlp_0_bias'))).toThrow(/after 20 adam steps .* mlp_0_bias differs by NaN/);
  });
});

describe('runBench on the smoke fixture', () => {
  const out = mkdtempSync(join(tmpdir(), 'ncf-bench-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const smoke = (): Config =>
    loadConfig(join(ROOT, 'configs/smoke.json'), [
      `output.reports=${JSON.stringify(out)}`,
      `data.dir=${JSON.stringify(join(ROOT, 'test/fixtures/ml-100k-tiny'))}`,
    ]);

  it('times scratch and tfjs:cpu from the same weights and instances, and both train to the same loss', async () => {
    const config = smoke();
    const lines: string[] = [];
    const r = await runBench(config, { engines: ['tfjs:cpu'], steps: 10, epochs: 2, log: (l) => lines.push(l), progress: new Progress(false) });
    const saved = JSON.parse(readFileSync(join(r.dir, 'bench.json'), 'utf8')) as BenchReport;
    expect(saved.engines.map((e) => e.label)).toEqual(['scratch', 'tfjs:cpu']);
    const [scratch, cpu] = saved.engines;
    expect(scratch.parity).toBeNull();
    // The scratch engine issues no kernels; tfjs on cpu counts framework kernels, not GPU dispatches.
    expect(scratch.stepCount).toBeNull();
    expect(cpu.stepCount!.unit).toBe('kernels');
    expect(cpu.stepCount!.count).toBeGreaterThan(10);
    expect(cpu.dispatchesPerStep).toBeNull();
    expect(lines.some((l) => l.startsWith('tfjs:cpu') && l.includes(`${cpu.stepCount!.count} kernels/step`))).toBe(true);
    expect(scratch.speedup).toBe(1);
    expect(cpu.parity!.lossRelError).toBeLessThan(1e-5);
    expect(cpu.parity!.maxGradRelError).toBeLessThan(1e-4);
    expect(cpu.speedup).toBeCloseTo(cpu.samplesPerSecond / scratch.samplesPerSecond, 9);
    // 1,140 positives × 5 = 5,700 instances = 90 steps of 64: 10 steps plus a warm-up chunk stay under an epoch.
    expect(saved.data.instancesPerEpoch).toBe(5700);
    expect(cpu.epochSecondsMeasured).toBe(false);
    expect(cpu.steps).toBe(10);
    expect(cpu.msPerStep.chunks).toHaveLength(10);
    expect(cpu.msPerStep.p90).toBeGreaterThanOrEqual(cpu.msPerStep.median);
    expect(cpu.epochSeconds).toBeCloseTo(5700 / cpu.samplesPerSecond, 9);
    for (let e = 0; e < 2; e++) {
      expect(Math.abs(cpu.convergence!.loss[e] - scratch.convergence!.loss[e])).toBeLessThan(1e-4);
    }
    expect(cpu.convergence!.hr).toHaveLength(2);
    // The same weights after 20 steps of batch 64 with every optimizer, each from a fresh engine.
    const steps = cpu.parity!.steps!;
    expect(steps.count).toBe(PARITY_STEPS);
    expect(steps.batchSize).toBe(64);
    expect(Object.keys(steps.optimizers).sort()).toEqual(['adam', 'lazy_adam', 'sgd']);
    for (const p of Object.values(steps.optimizers)) {
      expect(p.relError).toBeLessThan(1e-4);
      expect(p.relError).toBeGreaterThanOrEqual(0);
      expect(p.worstParam).not.toBe('');
    }
    expect(lines.some((l) => l.startsWith('tfjs:cpu') && l.includes(`20 steps adam ${steps.optimizers.adam.relError.toExponential(1)}`))).toBe(true);
    // Host ms/step: measured for tfjs (its hostSeconds), within its wall ms/step; the scratch engine's is its wall time.
    expect(cpu.hostMsMeasured).toBe(true);
    expect(cpu.hostMsPerStep).toBeGreaterThan(0);
    expect(cpu.hostMsPerStep).toBeLessThanOrEqual(cpu.msPerStep.median);
    expect(scratch.hostMsMeasured).toBe(false);
    expect(scratch.hostMsPerStep).toBe(scratch.msPerStep.median);
    expect(r.table).toContain('host ms/step');
    // Trained twice from the same weights, 20 steps of batch 64: both engines repeat themselves to the bit.
    for (const e of [scratch, cpu]) expect(e.repeat, e.label).toEqual({ steps: PARITY_STEPS, differing: 0, total: 1861 });
    expect(r.table).toContain('same bits');
    expect(lines.some((l) => l.startsWith('tfjs:cpu') && l.endsWith('trained twice: same bits'))).toBe(true);
  }, 120_000);

  it('reports an engine whose two runs from the same weights part, counting the weights that differ', async () => {
    let made = 0;
    // Every other tfjs engine reads back one value per tensor a bit off; trainTwice makes two in a row.
    const makeEngine = async (c: Config, shape: ModelShape) => {
      const e = await engineFor(c, shape);
      return c.engine === 'scratch' ? e : nudgedEngine(e, made++ % 2 === 1);
    };
    const lines: string[] = [];
    const r = await runBench(smoke(), { engines: ['tfjs:cpu'], steps: 10, epochs: 0, log: (l) => lines.push(l), progress: new Progress(false), makeEngine });
    const cpu = r.report.engines[1];
    // The smoke config's NeuMF has ten tensors: four embedding tables, two MLP layers' kernels and biases, the output's.
    expect(cpu.repeat).toEqual({ steps: PARITY_STEPS, differing: 10, total: 1861 });
    expect(r.table).toContain('10 of 1,861 differ');
    expect(r.report.engines[0].repeat!.differing).toBe(0);
  }, 120_000);

  it('refuses an engine that computes the same gradients but trains away from scratch after a few steps', async () => {
    const lines: string[] = [];
    // tfjs on cpu, but from step 5 on each step is taken twice: the fixed batch's gradients still agree.
    const makeEngine = async (c: Config, shape: ModelShape) => {
      const e = await engineFor(c, shape);
      return c.engine === 'scratch' ? e : divergingEngine(e, 5);
    };
    const run = runBench(smoke(), { engines: ['tfjs:cpu'], steps: 10, epochs: 0, log: (l) => lines.push(l), progress: new Progress(false), makeEngine });
    await expect(run).rejects.toThrow(NcfError);
    await expect(run).rejects.toThrow(
      /^bench: tfjs:cpu trains away from the scratch engine: after 20 (adam|lazy_adam|sgd) steps of batch 64 from the same weights, \S+ differs by \d\.\d\de[-+]\d+ \(relative error; tolerance 0\.001\) — not timing it$/,
    );
    expect(lines.some((l) => l.startsWith('tfjs:cpu'))).toBe(false);
  }, 120_000);
});
