/**
 * The report charts as Vega-Lite specs, rendered to static SVG: a training run's loss, ranking
 * metrics and throughput; a bench's speed per engine and, when it trained them, their convergence.
 * Every value plotted is passed in from the report's own files.
 */
import type { BenchEngineResult, BenchReport } from './bench-report.js';
import type { Chart } from './html.js';
import type { EpochRow, LossBlockRow, TrainRunFiles } from './train-files.js';
import { renderSvg, type ChartSpec } from './vega.js';

const WIDTH = 460;
const HEIGHT = 240;
/** Height per bar in the horizontal bar charts, so their size follows the number of engines, not the page. */
const BAR_ROW = 34;

const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white',
  padding: 8,
  config: {
    font: 'sans-serif',
    axis: { titleFontSize: 12, labelFontSize: 11, titleFontWeight: 'normal' as const },
    legend: { titleFontSize: 12, labelFontSize: 11, orient: 'bottom' as const, labelLimit: 0 },
    view: { stroke: '#ddd' },
  },
};

const EPOCH_AXIS = { title: 'epoch', tickMinStep: 1, format: 'd' };
/** Epochs from the first to the last run (not rounded out, not from 0), with room for the end points' marks. */
const EPOCH_SCALE = { zero: false, nice: false, padding: 8 };

/** An engine's name as charts and tables show it; emulated GPUs say so, lest their speed be read as a GPU's. */
export function benchLabel(e: BenchEngineResult): string {
  return e.emulated ? `${e.label} (SwiftShader, CPU emulator)` : e.label;
}

async function chart(name: string, title: string, spec: ChartSpec): Promise<Chart> {
  return { name, title, svg: await renderSvg(spec) };
}

// ---- a training run ----

export async function trainCharts(run: TrainRunFiles): Promise<Chart[]> {
  const k = run.epochs[0]?.k ?? 10;
  return [
    await chart('loss-per-epoch', 'Training loss per epoch', lossPerEpochSpec(run.epochs)),
    await chart('loss-within-epochs', 'Training loss within epochs (mean per block of steps)', lossWithinEpochsSpec(run.lossBlocks)),
    await chart('ranking-per-epoch', `HR@${k} and NDCG@${k} per epoch`, rankingPerEpochSpec(run.epochs)),
    await chart('throughput-per-epoch', 'Training throughput per epoch', throughputSpec(run.epochs)),
  ];
}

export function lossPerEpochSpec(rows: EpochRow[]): ChartSpec {
  return {
    ...BASE,
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows.map((r) => ({ epoch: r.epoch, loss: r.loss })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: EPOCH_AXIS, scale: EPOCH_SCALE },
      y: { field: 'loss', type: 'quantitative', title: 'mean training loss (log loss)', scale: { zero: false } },
    },
  };
}

/** Block b of B in epoch e sits at x = e + b/B: epoch e's steps span [e, e + 1). */
export function lossWithinEpochsSpec(blocks: LossBlockRow[]): ChartSpec {
  const perEpoch = new Map<number, number>();
  for (const b of blocks) perEpoch.set(b.epoch, Math.max(perEpoch.get(b.epoch) ?? 0, b.block + 1));
  const values = blocks.map((b) => ({ progress: b.epoch + b.block / (perEpoch.get(b.epoch) ?? 1), loss: b.loss }));
  return {
    ...BASE,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', strokeWidth: 1 },
    encoding: {
      x: { field: 'progress', type: 'quantitative', title: 'epoch (+ fraction of its steps)', axis: { tickMinStep: 1 }, scale: EPOCH_SCALE },
      y: { field: 'loss', type: 'quantitative', title: 'mean loss per block of steps', scale: { zero: false } },
    },
  };
}

/** Sampled metrics as lines with points (left axis); full-ranking ones as squares on the epochs that ranked (right axis). */
export function rankingPerEpochSpec(rows: EpochRow[]): ChartSpec {
  const k = rows[0]?.k ?? 10;
  const sampled = rows.flatMap((r) => [
    { epoch: r.epoch, metric: `sampled HR@${k}`, value: r.sampledHr },
    { epoch: r.epoch, metric: `sampled NDCG@${k}`, value: r.sampledNdcg },
  ]);
  const full = rows.flatMap((r) => [
    ...(r.fullHr === null ? [] : [{ epoch: r.epoch, metric: `full-ranking HR@${k}`, value: r.fullHr }]),
    ...(r.fullNdcg === null ? [] : [{ epoch: r.epoch, metric: `full-ranking NDCG@${k}`, value: r.fullNdcg }]),
  ]);
  const x = { field: 'epoch', type: 'quantitative' as const, axis: EPOCH_AXIS, scale: EPOCH_SCALE };
  // Two y axes: sampled figures (~0.3–0.7) and full-ranking ones (~0.05) on one scale would flatten both.
  const y = { field: 'value', type: 'quantitative' as const, title: 'metric value', scale: { zero: false }, axis: { title: 'sampled protocol (lines)' } };
  const yFull = {
    field: 'value',
    type: 'quantitative' as const,
    title: 'metric value',
    scale: { zero: true },
    axis: { title: 'full ranking (squares)', orient: 'right' as const, grid: false },
  };
  // HR in blues, NDCG in oranges: the sampled and full-ranking versions of a metric read as a pair.
  const palette: [string, string][] = [
    [`sampled HR@${k}`, '#4c78a8'],
    [`full-ranking HR@${k}`, '#9ecae9'],
    [`sampled NDCG@${k}`, '#f58518'],
    [`full-ranking NDCG@${k}`, '#ffbf79'],
  ];
  const present = palette.filter(([name]) => [...sampled, ...full].some((v) => v.metric === name));
  const color = {
    field: 'metric',
    type: 'nominal' as const,
    title: null,
    scale: { domain: present.map(([name]) => name), range: present.map(([, colour]) => colour) },
  };
  return {
    ...BASE,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      { data: { values: sampled }, mark: { type: 'line', point: true }, encoding: { x, y, color } },
      ...(full.length
        ? [{ data: { values: full }, mark: { type: 'point' as const, shape: 'square', filled: true, size: 80 }, encoding: { x, y: yFull, color } }]
        : []),
    ],
    resolve: { scale: { y: 'independent' } },
  };
}

export function throughputSpec(rows: EpochRow[]): ChartSpec {
  return {
    ...BASE,
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows.map((r) => ({ epoch: r.epoch, samplesPerSecond: r.samplesPerSecond })) },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      x: { field: 'epoch', type: 'ordinal', title: 'epoch', axis: { labelAngle: 0 } },
      y: { field: 'samplesPerSecond', type: 'quantitative', title: 'training samples / s' },
    },
  };
}

// ---- a bench ----

export async function benchCharts(b: BenchReport): Promise<Chart[]> {
  const charts = [
    await chart('samples-per-second', 'Training throughput per engine', samplesPerSecondSpec(b.engines)),
    await chart('speedup', 'Speed-up over the scratch engine (samples/s ratio)', speedupSpec(b.engines)),
    await chart('ms-per-step', `Milliseconds per training step (batch ${b.config.batchSize}): median, whisker to p90`, msPerStepSpec(b.engines)),
  ];
  const trained = b.engines.filter((e) => e.convergence !== null);
  if (trained.length) {
    charts.push(await chart('convergence-loss', 'Training loss per epoch, per engine', convergenceSpec(trained, 'loss', 'mean training loss')));
    charts.push(await chart('convergence-hr', 'Sampled HR per epoch, per engine', convergenceSpec(trained, 'hr', 'sampled HR@K')));
  }
  return charts;
}

// labelLimit 0: never truncate; engine names carry the emulator warning, and headless Vega over-estimates text widths.
function engineAxis(engines: BenchEngineResult[]): { field: string; type: 'nominal'; title: string; sort: string[]; axis: { labelLimit: number } } {
  return { field: 'engine', type: 'nominal', title: 'engine', sort: engines.map(benchLabel), axis: { labelLimit: 0 } };
}

export function samplesPerSecondSpec(engines: BenchEngineResult[]): ChartSpec {
  const values = engines.map((e) => ({
    engine: benchLabel(e),
    samplesPerSecond: e.samplesPerSecond,
    text: Math.round(e.samplesPerSecond).toLocaleString('en-US'),
  }));
  return horizontalBars(engines, values, 'samplesPerSecond', 'training samples / s');
}

export function speedupSpec(engines: BenchEngineResult[]): ChartSpec {
  const values = engines.map((e) => ({ engine: benchLabel(e), speedup: e.speedup, text: `${e.speedup.toFixed(2)}×` }));
  return horizontalBars(engines, values, 'speedup', 'speed-up over scratch (×)', 1);
}

/** One bar per engine with its value written at the end; `reference` draws a dashed line there (1× for speed-ups). */
function horizontalBars(engines: BenchEngineResult[], values: Record<string, unknown>[], field: string, title: string, reference?: number): ChartSpec {
  const x = { field, type: 'quantitative' as const, title };
  const y = engineAxis(engines);
  return {
    ...BASE,
    width: WIDTH,
    height: BAR_ROW * engines.length,
    layer: [
      { data: { values }, mark: { type: 'bar', color: '#4c78a8' }, encoding: { x, y } },
      { data: { values }, mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { x, y, text: { field: 'text' } } },
      ...(reference === undefined
        ? []
        : [{ data: { values: [{}] }, mark: { type: 'rule' as const, color: '#888', strokeDash: [4, 3] }, encoding: { x: { datum: reference } } }]),
    ],
  };
}

export function msPerStepSpec(engines: BenchEngineResult[]): ChartSpec {
  const values = engines.map((e) => ({ engine: benchLabel(e), median: e.msPerStep.median, p90: e.msPerStep.p90 }));
  const y = engineAxis(engines);
  return {
    ...BASE,
    width: WIDTH,
    height: BAR_ROW * engines.length,
    data: { values },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' }, encoding: { x: { field: 'median', type: 'quantitative', title: 'ms per step' }, y } },
      { mark: { type: 'rule', color: '#333' }, encoding: { x: { field: 'median', type: 'quantitative' }, x2: { field: 'p90' }, y } },
      { mark: { type: 'tick', color: '#333', thickness: 2 }, encoding: { x: { field: 'p90', type: 'quantitative' }, y } },
    ],
  };
}

export function convergenceSpec(engines: BenchEngineResult[], metric: 'loss' | 'hr', title: string): ChartSpec {
  const values = engines.flatMap((e) => (e.convergence?.[metric] ?? []).map((value, i) => ({ engine: benchLabel(e), epoch: i + 1, value })));
  return {
    ...BASE,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: EPOCH_AXIS, scale: EPOCH_SCALE },
      y: { field: 'value', type: 'quantitative', title, scale: { zero: false } },
      color: { field: 'engine', type: 'nominal', title: null, sort: engines.map(benchLabel) },
    },
  };
}

// ---- two benches side by side ----

export interface ComparedBench {
  /** Legend name, e.g. "A: gpu-box (AMD EPYC 7R13)". */
  name: string;
  report: BenchReport;
}

/** Grouped bars: per engine label, one bar per bench that ran it. */
export function compareSamplesPerSecondSpec(runs: ComparedBench[]): ChartSpec {
  const values = runs.flatMap((r) => r.report.engines.map((e) => ({ engine: benchLabel(e), run: r.name, samplesPerSecond: e.samplesPerSecond })));
  const engines = [...new Set(values.map((v) => v.engine))];
  return {
    ...BASE,
    width: WIDTH,
    height: BAR_ROW * runs.length * engines.length,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'samplesPerSecond', type: 'quantitative', title: 'training samples / s' },
      y: { field: 'engine', type: 'nominal', title: 'engine', sort: engines, axis: { labelLimit: 0 } },
      yOffset: { field: 'run', type: 'nominal', sort: runs.map((r) => r.name) },
      color: { field: 'run', type: 'nominal', title: null, sort: runs.map((r) => r.name) },
    },
  };
}

export async function compareCharts(runs: ComparedBench[]): Promise<Chart[]> {
  return [await chart('samples-per-second', 'Training throughput per engine, both benches', compareSamplesPerSecondSpec(runs))];
}
