import { describe, expect, it } from 'vitest';
import { benchCharts, compareCharts, trainCharts } from '../../src/report/charts.js';
import { readTrainRun } from '../../src/report/train-files.js';
import { ariaValues, benchFixture, BLOCKS_PER_EPOCH, itemsOf, markGroups, tempDir, writeTrainFixture } from './fixtures.js';

const byName = <T extends { name: string }>(xs: T[], name: string): T => {
  const x = xs.find((c) => c.name === name);
  if (!x) throw new Error(`no chart ${name} among ${xs.map((c) => c.name).join(', ')}`);
  return x;
};

describe('train charts', () => {
  const { dir, records } = writeTrainFixture(tempDir('charts'), 4);
  const run = readTrainRun(dir);

  it("draw one point per epoch at the run's loss, a line through every loss block, bars of samples/s", async () => {
    const charts = await trainCharts(run);
    expect(charts.map((c) => c.name)).toEqual(['loss-per-epoch', 'loss-within-epochs', 'ranking-per-epoch', 'throughput-per-epoch']);
    for (const c of charts) expect(c.svg).toMatch(/^<svg [^>]*width="\d+" height="\d+"/);

    const loss = itemsOf(byName(charts, 'loss-per-epoch').svg, 'symbol').map(ariaValues);
    expect(loss.map((p) => Number(p.epoch))).toEqual([1, 2, 3, 4]);
    for (const [i, p] of loss.entries()) expect(Number(p['mean training loss (log loss)'])).toBeCloseTo(records[i].loss, 6);

    // One line whose path has a vertex per block: M then (blocks − 1) L segments.
    const [line] = itemsOf(byName(charts, 'loss-within-epochs').svg, 'line');
    const d = /\bd="([^"]*)"/.exec(line)![1];
    expect(d.split('L')).toHaveLength(4 * BLOCKS_PER_EPOCH);

    const bars = itemsOf(byName(charts, 'throughput-per-epoch').svg, 'rect').map(ariaValues);
    expect(bars).toHaveLength(4);
    for (const [i, b] of bars.entries()) expect(Number(b['training samples / s'].replace(/,/g, ''))).toBe(Math.round(records[i].samplesPerSecond));
  });

  it('HR and NDCG: a point per epoch each, full-ranking squares only where the run ranked (the last epoch)', async () => {
    const svg = byName(await trainCharts(run), 'ranking-per-epoch').svg;
    const points = itemsOf(svg, 'symbol').map(ariaValues);
    const sampledHr = points.filter((p) => p.metric === 'sampled HR@10');
    expect(sampledHr.map((p) => Number(p['metric value']))).toEqual(records.map((r) => Number(r.sampled.hr.toFixed(6))));
    expect(points.filter((p) => p.metric === 'sampled NDCG@10')).toHaveLength(4);
    const full = points.filter((p) => p.metric.startsWith('full-ranking'));
    expect(full.map((p) => [p.epoch, p.metric, Number(p['metric value'])])).toEqual([
      ['4', 'full-ranking HR@10', 0.0812],
      ['4', 'full-ranking NDCG@10', 0.0413],
    ]);
  });
});

describe('bench charts', () => {
  it('a bar per engine, the emulated WebGPU labelled as such, speed-ups written on the bars', async () => {
    const b = benchFixture();
    const charts = await benchCharts(b);
    expect(charts.map((c) => c.name)).toEqual(['samples-per-second', 'speedup', 'ms-per-step']);

    const sps = byName(charts, 'samples-per-second').svg;
    const bars = itemsOf(sps, 'rect').map(ariaValues);
    expect(bars.map((x) => x.engine)).toEqual(['scratch', 'tfjs:wasm', 'tfjs:webgpu (SwiftShader, CPU emulator)']);
    expect(bars.map((x) => Number(x['training samples / s'].replace(/,/g, '')))).toEqual([340_000, 120_000, 9_000]);

    const speedup = byName(charts, 'speedup').svg;
    expect(itemsOf(speedup, 'rect')).toHaveLength(3);
    expect(itemsOf(speedup, 'text').map((t) => />([^<]*)<\/text>$/.exec(t)![1])).toEqual(['1.00×', '0.35×', '0.03×']);
    expect(itemsOf(speedup, 'rule')).toHaveLength(1); // the 1× reference line

    const ms = byName(charts, 'ms-per-step').svg;
    const medians = itemsOf(ms, 'rect')
      .filter((r) => /ms per step/.test(r))
      .map(ariaValues);
    expect(medians.map((m) => Number(m['ms per step']))).toEqual([0.75, 2, 28.4]);
    // Whiskers from median to p90, one per engine.
    expect(itemsOf(ms, 'rule')).toHaveLength(3);
  });

  it('convergence charts only when the bench trained epochs: a point per engine per epoch', async () => {
    const charts = await benchCharts(benchFixture({ epochs: true }));
    expect(charts.map((c) => c.name)).toContain('convergence-loss');
    const hr = itemsOf(byName(charts, 'convergence-hr').svg, 'symbol').map(ariaValues);
    expect(hr).toHaveLength(9);
    expect(hr.filter((p) => p.engine === 'tfjs:wasm').map((p) => Number(p['sampled HR@K']))).toEqual([0.549, 0.609, 0.639]);
    expect(
      markGroups(byName(charts, 'convergence-loss').svg)
        .filter((g) => g.type === 'line')
        .flatMap((g) => g.items),
    ).toHaveLength(3);
  });

  it('comparison: one bar per engine per bench', async () => {
    const [c] = await compareCharts([
      { name: 'A: cpu', report: benchFixture() },
      { name: 'B: gpu', report: benchFixture({ scale: 2, webgpu: false }) },
    ]);
    const bars = itemsOf(c.svg, 'rect').map(ariaValues);
    expect(bars).toHaveLength(5);
    expect(bars.filter((x) => x.run === 'B: gpu').map((x) => Number(x['training samples / s'].replace(/,/g, '')))).toEqual([680_000, 240_000]);
  });
});
