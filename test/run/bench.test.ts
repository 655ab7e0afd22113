/**
 * ncf bench: engine lists, the parity measure it refuses on, and a whole bench of scratch against
 * tfjs on the cpu backend on the smoke fixture (same instances and weights, so the same losses).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { BenchReport } from '../../src/report/bench-report.js';
import { assertParity, compare, engineLabels, runBench } from '../../src/run/bench.js';
import { NcfError } from '../../src/util/errors.js';
import { Progress } from '../../src/util/progress.js';
import { ROOT } from '../helpers/cli.js';

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

describe('runBench on the smoke fixture', () => {
  const out = mkdtempSync(join(tmpdir(), 'ncf-bench-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('times scratch and tfjs:cpu from the same weights and instances, and both train to the same loss', async () => {
    const config = loadConfig(join(ROOT, 'configs/smoke.json'), [
      `output.reports=${JSON.stringify(out)}`,
      `data.dir=${JSON.stringify(join(ROOT, 'test/fixtures/ml-100k-tiny'))}`,
    ]);
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
  }, 120_000);
});
