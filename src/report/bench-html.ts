/**
 * A bench report folder: bench.json (the measurements), charts/*.svg, report.html and summary.md,
 * all drawn from the BenchReport, so `ncf report` can redraw them from bench.json alone.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NcfError } from '../util/errors.js';
import type { BenchEngineResult, BenchParity, BenchReport } from './bench-report.js';
import { benchCharts, benchLabel } from './charts.js';
import { count, fixed, modelText, relError, seconds, times } from './format.js';
import type { ReportPage, Section, Table } from './html.js';
import { writePage } from './page-files.js';
import { textTable } from './text-table.js';

export async function writeBenchReport(dir: string, b: BenchReport): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bench.json'), `${JSON.stringify(b, null, 2)}\n`);
  await writeBenchPage(dir, b);
}

/** charts/, report.html and summary.md from a BenchReport; returns report.html's path. */
export async function writeBenchPage(dir: string, b: BenchReport): Promise<string> {
  writeFileSync(join(dir, 'summary.md'), benchSummaryMarkdown(b));
  return writePage(dir, benchPage(b, await benchCharts(b)));
}

export function readBenchReport(dir: string): BenchReport {
  const file = join(dir, 'bench.json');
  if (!existsSync(file)) throw new NcfError(`${dir} is not a bench report folder (no bench.json)`);
  let b: Partial<BenchReport>;
  try {
    b = JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchReport>;
  } catch (e) {
    throw new NcfError(`${file}: cannot read it as JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(b.engines) || !b.machine || !b.config || !b.data) {
    throw new NcfError(`${file}: not a bench report (needs engines, machine, config and data)`);
  }
  return b as BenchReport;
}

export function machineText(m: BenchReport['machine']): string {
  return `${m.cpu}, ${m.cores} cores, ${m.platform}, Node ${m.node}`;
}

export function benchFacts(b: BenchReport): [string, string][] {
  const c = b.config;
  const d = b.data;
  return [
    ['bench', c.name],
    ['machine', machineText(b.machine)],
    ['date', b.createdAt],
    [
      'dataset',
      `${c.dataset}: ${count(d.users)} users, ${count(d.items)} items, ${count(d.trainPositives)} training positives, ${count(d.instancesPerEpoch)} samples per epoch`,
    ],
    ['model', modelText(c.model)],
    ['training', `${c.optimizer} lr ${c.lr}, batch ${c.batchSize}, seed ${c.seed}`],
  ];
}

function parityText(e: BenchEngineResult): string {
  if (!e.parity) return 'reference';
  return `loss ${relError(e.parity.lossRelError)}, grad ${relError(e.parity.maxGradRelError)} (${e.parity.worstParam})`;
}

type StepsParity = NonNullable<BenchParity['steps']>;

/** Each optimizer's weights after the parity steps, its worst parameter named; '-' where not checked (older reports). */
function stepsParityText(e: BenchEngineResult): string {
  const s = e.parity?.steps;
  if (!s) return e.parity ? '-' : 'reference';
  return Object.entries(s.optimizers)
    .map(([name, p]) => `${name} ${relError(p.relError)} (${p.worstParam})`)
    .join(', ');
}

/** The terminal's short form: the worst optimizer's relative error. */
function worstStepText(s: StepsParity | undefined): string {
  if (!s) return '-';
  const [name, p] = Object.entries(s.optimizers).reduce((w, x) => (Number.isNaN(w[1].relError) || w[1].relError >= x[1].relError ? w : x));
  return `${relError(p.relError)} (${name})`;
}

/** Where the engine computes on the host (no hostSeconds), its host ms/step is its wall ms/step, marked †; '-' in older reports. */
function hostText(e: BenchEngineResult): string {
  if (e.hostMsPerStep === undefined) return '-';
  return `${fixed(e.hostMsPerStep, 2)}${e.hostMsMeasured ? '' : '†'}`;
}

const HOST_NOTE = '† computes on the host: every ms of its step is host time';
const hasHostOnly = (b: BenchReport): boolean => b.engines.some((e) => e.hostMsPerStep !== undefined && !e.hostMsMeasured);

/** The parity steps the report's engines trained (undefined in older reports). */
const stepsOf = (b: BenchReport): StepsParity | undefined => b.engines.find((e) => e.parity?.steps)?.parity?.steps;

function stepsCaption(b: BenchReport): string {
  const s = stepsOf(b);
  return s ? `; parity after ${s.count} steps = the weights after ${s.count} steps of batch ${s.batchSize} with each optimizer, against scratch's` : '';
}

const epochText = (e: BenchEngineResult): string => `${seconds(e.epochSeconds)} ${e.epochSecondsMeasured ? 'measured' : 'extrapolated'}`;

export function enginesTable(b: BenchReport): Table {
  return {
    caption:
      `Per engine: ${b.engines[0]?.steps ?? 0} timed steps of batch ${b.config.batchSize} after warm-up; parity = relative error against scratch from the same weights and batch` +
      `${stepsCaption(b)}; host ms/step = the median chunk's ms per step spent issuing work on the host thread`,
    textColumns: [1, 2, 3],
    head: [
      'engine',
      'detail',
      'parity',
      'parity after training',
      'ms/step median',
      'ms/step p90',
      'host ms/step',
      'samples/s',
      'epoch s',
      'eval s',
      'speed-up',
      'per step',
      'trained twice',
    ],
    rows: b.engines.map((e) => [
      benchLabel(e),
      e.detail,
      parityText(e),
      stepsParityText(e),
      fixed(e.msPerStep.median, 2),
      fixed(e.msPerStep.p90, 2),
      hostText(e),
      count(e.samplesPerSecond),
      epochText(e),
      seconds(e.evalSeconds),
      times(e.speedup),
      stepCountText(e),
      repeatText(e),
    ]),
  };
}

/** `same bits` when two runs from the same weights left the same weights, else how many differ; `-` in older reports. */
export function repeatText(e: BenchEngineResult): string {
  if (!e.repeat) return '-';
  return e.repeat.differing === 0 ? 'same bits' : `${count(e.repeat.differing)} of ${count(e.repeat.total)} differ`;
}

/** `219 dispatches`, `269 kernels`, or `-` where nothing was counted. */
function stepCountText(e: BenchEngineResult): string {
  return e.stepCount ? `${e.stepCount.count} ${e.stepCount.unit}` : '-';
}

function convergenceTables(b: BenchReport): Table[] {
  return b.engines.flatMap((e) => {
    const c = e.convergence;
    if (!c) return [];
    return [
      {
        caption: `${benchLabel(e)}: per epoch from the shared initial weights`,
        head: ['epoch', 'loss', 'sampled HR', 'sampled NDCG', 'train s'],
        rows: c.loss.map((loss, i) => [i + 1, fixed(loss, 4), fixed(c.hr[i], 4), fixed(c.ndcg[i], 4), seconds(c.trainSeconds[i])]),
      },
    ];
  });
}

export function benchPage(b: BenchReport, charts: Awaited<ReturnType<typeof benchCharts>>): ReportPage {
  const convergence = convergenceTables(b);
  const emulated = b.engines.filter((e) => e.emulated).map((e) => e.label);
  const sections: Section[] = [
    {
      title: 'Engines',
      notes: [
        ...(emulated.length ? [`${emulated.join(', ')} ran on SwiftShader, a CPU emulator of a GPU: its numbers measure the emulator, not a GPU.`] : []),
        ...(hasHostOnly(b) ? [`${HOST_NOTE}.`] : []),
      ],
      tables: [enginesTable(b)],
    },
    ...(convergence.length ? [{ title: 'Convergence', tables: convergence }] : []),
    { title: 'Charts', charts },
  ];
  return { title: `Bench ${b.config.name}: ${b.config.model.type} on ${b.config.dataset}`, facts: benchFacts(b), sections };
}

/** The terminal's view of a bench: one compact line per engine. */
export function benchTable(b: BenchReport): string {
  return (
    textTable(
      ['engine', 'ms/step', 'p90', 'host ms/step', 'samples/s', 'epoch s', 'eval s', 'speed-up', 'parity (loss, grad)', 'trained', 'per step', 'twice'],
      b.engines.map((e) => [
        benchLabel(e),
        fixed(e.msPerStep.median, 2),
        fixed(e.msPerStep.p90, 2),
        hostText(e),
        count(e.samplesPerSecond),
        `${seconds(e.epochSeconds)}${e.epochSecondsMeasured ? '' : '*'}`,
        seconds(e.evalSeconds),
        times(e.speedup),
        e.parity ? `${relError(e.parity.lossRelError)}, ${relError(e.parity.maxGradRelError)}` : '-',
        worstStepText(e.parity?.steps),
        stepCountText(e),
        repeatText(e),
      ]),
    ) +
    (b.engines.some((e) => !e.epochSecondsMeasured) ? '\n* extrapolated from the timed steps' : '') +
    (hasHostOnly(b) ? `\n${HOST_NOTE}` : '') +
    (stepsOf(b) ? `\ntrained: the worst optimizer's weights after ${stepsOf(b)?.count} steps, relative error against scratch` : '') +
    (b.engines[0]?.repeat
      ? `\ntwice: two fresh engines trained ${b.engines[0].repeat.steps} steps of batch ${b.config.batchSize} from the same weights, their weights compared bit for bit`
      : '')
  );
}

function benchSummaryMarkdown(b: BenchReport): string {
  const t = enginesTable(b);
  const md = (cells: (string | number)[]): string => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    `# Bench ${b.config.name}: ${b.config.model.type} on ${b.config.dataset}`,
    '',
    ...benchFacts(b).map(([k, v]) => `- ${k}: ${v}`),
    '',
    t.caption ?? '',
    '',
    md(t.head),
    md(t.head.map(() => '---')),
    ...t.rows.map(md),
    ...(hasHostOnly(b) ? ['', HOST_NOTE] : []),
    '',
  ].join('\n');
}
