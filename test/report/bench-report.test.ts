import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchTable, writeBenchReport } from '../../src/report/bench-html.js';
import { runCompare } from '../../src/run/compare.js';
import { runReport } from '../../src/run/report.js';
import { NcfError } from '../../src/util/errors.js';
import { ariaValues, benchFixture, itemsOf, tempDir } from './fixtures.js';

const textOf = (html: string): string =>
  html
    .replace(/<svg[\s\S]*?<\/svg>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
const read = (...p: string[]): string => readFileSync(join(...p), 'utf8');

describe('writeBenchReport', () => {
  it("writes bench.json as given, a chart per measure, and a page with each engine's numbers", async () => {
    const dir = join(tempDir('bench'), 'bench-1');
    const b = benchFixture({ epochs: true, current: true });
    await writeBenchReport(dir, b);

    expect(JSON.parse(read(dir, 'bench.json'))).toEqual(b);
    const charts = ['convergence-hr', 'convergence-loss', 'ms-per-step', 'samples-per-second', 'speedup'];
    expect(readdirSync(join(dir, 'charts')).sort()).toEqual(charts.map((c) => `${c}.svg`));
    const html = read(dir, 'report.html');
    for (const c of charts) expect(html).toContain(read(dir, 'charts', `${c}.svg`));

    const text = textOf(html);
    expect(text).toContain('machine AMD EPYC, 2 cores, linux x64, Node v20.20.2');
    expect(text).toContain('ml-1m-ncf: 6,040 users, 3,706 items, 994,169 training positives, 4,970,845 samples per epoch');
    // label, detail, parity, parity after training, ms/step median and p90, host ms/step, samples/s, epoch s, eval s, speed-up
    expect(text).toContain('scratch 2 worker threads reference reference 0.75 0.90 0.75† 340,000 14.6 measured 0.20 1.00×');
    expect(text).toContain(
      'tfjs:wasm wasm SIMD, 2 threads loss 2.4e-7, grad 3.1e-6 (mlp.dense0.kernel) adam 1.2e-6 (gmf.user), lazy_adam 3.4e-6 (mlp.dense0.kernel), sgd 5.0e-8 (out.bias) 2.00 2.50 1.50 120,000 41.4 extrapolated 0.50 0.35×',
    );
    expect(text).toContain('† computes on the host: every ms of its step is host time.');
    expect(text).toContain('parity after 20 steps = the weights after 20 steps of batch 256 with each optimizer');
    expect(text).toContain('tfjs:webgpu (SwiftShader, CPU emulator) Google SwiftShader (a CPU emulator, not a GPU)');
    expect(text).toContain('tfjs:webgpu ran on SwiftShader, a CPU emulator of a GPU');
    // Convergence: a table per engine, a row per epoch.
    expect(text).toContain('tfjs:wasm: per epoch from the shared initial weights epoch loss sampled HR sampled NDCG train s 1 0.3510 0.5490 0.3100 14.5');

    const md = read(dir, 'summary.md');
    expect(md).toContain(
      '| tfjs:wasm | wasm SIMD, 2 threads | loss 2.4e-7, grad 3.1e-6 (mlp.dense0.kernel) | adam 1.2e-6 (gmf.user), lazy_adam 3.4e-6 (mlp.dense0.kernel), sgd 5.0e-8 (out.bias) | 2.00 | 2.50 | 1.50 | 120,000 | 41.4 extrapolated | 0.50 | 0.35× |',
    );
    expect(md).toContain('† computes on the host');
  });

  it('an older bench.json, without host ms/step or parity after training, still renders: a dash in those cells', async () => {
    const dir = join(tempDir('bench'), 'bench-old');
    await writeBenchReport(dir, benchFixture());
    rmSync(join(dir, 'report.html'));
    await runReport(dir);
    const text = textOf(read(dir, 'report.html'));
    expect(text).toContain('scratch 2 worker threads reference reference 0.75 0.90 - 340,000 14.6 measured');
    expect(text).toContain('tfjs:wasm wasm SIMD, 2 threads loss 2.4e-7, grad 3.1e-6 (mlp.dense0.kernel) - 2.00 2.50 - 120,000 41.4 extrapolated');
    expect(text).not.toContain('†');
    expect(text).not.toContain('parity after 20 steps');
    const lines = benchTable(benchFixture()).split('\n');
    expect(lines[3].split(/\s{2,}/)).toEqual([
      'tfjs:wasm',
      '2.00',
      '2.50',
      '-',
      '120,000',
      '41.4*',
      '0.50',
      '0.35×',
      '2.4e-7, 3.1e-6',
      '-',
      '269 kernels',
      '-',
    ]);
    expect(lines).toHaveLength(6);
  });

  it('no convergence charts or tables when the bench trained no epochs', async () => {
    const dir = join(tempDir('bench'), 'bench-2');
    await writeBenchReport(dir, benchFixture());
    expect(readdirSync(join(dir, 'charts')).sort()).toEqual(['ms-per-step.svg', 'samples-per-second.svg', 'speedup.svg']);
    expect(read(dir, 'report.html')).not.toContain('Convergence');
  });

  it('ncf report redraws a bench folder identically from bench.json', async () => {
    const dir = join(tempDir('bench'), 'bench-3');
    await writeBenchReport(dir, benchFixture({ epochs: true }));
    const files = ['report.html', 'summary.md', ...readdirSync(join(dir, 'charts')).map((f) => `charts/${f}`)];
    const before = files.map((f) => read(dir, f));
    rmSync(join(dir, 'charts'), { recursive: true });
    rmSync(join(dir, 'report.html'));
    expect((await runReport(dir)).html).toBe(join(dir, 'report.html'));
    expect(files.map((f) => read(dir, f))).toEqual(before);
  });

  it('a broken bench.json: a one-line NcfError', async () => {
    const dir = join(tempDir('bench'), 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bench.json'), '{"engines": 3}');
    await expect(runReport(dir)).rejects.toThrow(NcfError);
    await expect(runReport(dir)).rejects.toThrow(/bench\.json: not a bench report \(needs engines, machine, config and data\)$/);
  });
});

describe('benchTable', () => {
  it('one aligned line per engine with its numbers, extrapolated epochs starred, host-only engines marked', () => {
    const lines = benchTable(benchFixture({ current: true })).split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0].split(/\s{2,}/)).toEqual([
      'engine',
      'ms/step',
      'p90',
      'host ms/step',
      'samples/s',
      'epoch s',
      'eval s',
      'speed-up',
      'parity (loss, grad)',
      'trained',
      'per step',
      'twice',
    ]);
    expect(lines[1]).toMatch(/^-+( +-+)+$/);
    expect(lines[2].split(/\s{2,}/)).toEqual(['scratch', '0.75', '0.90', '0.75†', '340,000', '14.6', '0.20', '1.00×', '-', '-', '-', 'same bits']);
    expect(lines[3].split(/\s{2,}/)).toEqual([
      'tfjs:wasm',
      '2.00',
      '2.50',
      '1.50',
      '120,000',
      '41.4*',
      '0.50',
      '0.35×',
      '2.4e-7, 3.1e-6',
      '3.4e-6 (lazy_adam)',
      '269 kernels',
      'same bits',
    ]);
    expect(lines[4]).toMatch(
      /^tfjs:webgpu \(SwiftShader, CPU emulator\)\s+28\.40\s+31\.70\s+3\.20\s+9,000\s+552\.3\*.*\s6\.8e-6 \(lazy_adam\)\s+219 dispatches\s+1,234 of 392,601 differ$/,
    );
    expect(lines[5]).toBe('* extrapolated from the timed steps');
    expect(lines[6]).toBe('† computes on the host: every ms of its step is host time');
    expect(lines[7]).toBe("trained: the worst optimizer's weights after 20 steps, relative error against scratch");
    expect(lines[8]).toBe('twice: two fresh engines trained 20 steps of batch 256 from the same weights, their weights compared bit for bit');
    // Columns line up: every row as wide as the header's right edge.
    expect(new Set(lines.slice(0, 5).map((l) => l.length)).size).toBe(1);
  });
});

describe('runCompare', () => {
  it('both benches side by side: a row per engine label, B/A ratios, a chart with every bar', async () => {
    const root = tempDir('compare');
    const a = join(root, 'cpu-box');
    const b = join(root, 'gpu-box');
    await writeBenchReport(a, benchFixture({ cpu: 'AMD EPYC' }));
    await writeBenchReport(b, benchFixture({ cpu: 'Intel Xeon', scale: 2, webgpu: false }));
    const reports = join(root, 'reports');
    const r = await runCompare(a, b, reports, new Date('2026-01-02T03:04:05Z'));

    expect(r.dir).toBe(join(reports, 'compare-20260102-030405'));
    const rows = r.table.split('\n').map((l) => l.split(/\s{2,}/));
    expect(rows[0].slice(0, 4)).toEqual(['engine', 'A samples/s', 'B samples/s', 'B/A']);
    expect(rows[2].slice(0, 4)).toEqual(['scratch', '340,000', '680,000', '2.00×']);
    expect(rows[3].slice(0, 4)).toEqual(['tfjs:wasm', '120,000', '240,000', '2.00×']);
    // Only A ran WebGPU: B's cells stay blank.
    expect(rows[4].slice(0, 2)).toEqual(['tfjs:webgpu (SwiftShader, CPU emulator)', '9,000']);
    expect(rows).toHaveLength(5);

    const html = read(r.dir, 'report.html');
    const text = textOf(html);
    expect(text).toContain('A machine AMD EPYC, 2 cores');
    expect(text).toContain('B machine Intel Xeon, 2 cores');
    expect(text).toContain('scratch 340,000 680,000 2.00×');
    const bars = itemsOf(read(r.dir, 'charts', 'samples-per-second.svg'), 'rect').map(ariaValues);
    expect(bars.map((x) => [x.run, x.engine])).toEqual([
      ['A: cpu-box', 'scratch'],
      ['A: cpu-box', 'tfjs:wasm'],
      ['A: cpu-box', 'tfjs:webgpu (SwiftShader, CPU emulator)'],
      ['B: gpu-box', 'scratch'],
      ['B: gpu-box', 'tfjs:wasm'],
    ]);
    expect(html).toContain(read(r.dir, 'charts', 'samples-per-second.svg'));
  });

  it('says when the two benches did not do the same work, and refuses a folder without bench.json', async () => {
    const root = tempDir('compare');
    const a = join(root, 'a');
    const b = join(root, 'b');
    await writeBenchReport(a, benchFixture());
    const other = benchFixture();
    await writeBenchReport(b, { ...other, config: { ...other.config, batchSize: 1024 } });
    const r = await runCompare(a, b, join(root, 'reports'));
    expect(textOf(read(r.dir, 'report.html'))).toContain('Not the same batch size: A 256, B 1024 — the speeds are not directly comparable.');
    await expect(runCompare(a, root, join(root, 'reports'))).rejects.toThrow(new NcfError(`${root} is not a bench report folder (no bench.json)`));
  });
});
