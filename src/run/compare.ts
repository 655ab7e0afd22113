/** `ncf bench --compare <run-a> <run-b>`: two bench runs side by side (e.g. a GPU machine's against a CPU machine's). */
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { benchFacts, readBenchReport } from '../report/bench-html.js';
import type { BenchEngineResult, BenchReport } from '../report/bench-report.js';
import { benchLabel, compareCharts, type ComparedBench } from '../report/charts.js';
import { count, fixed, seconds, times } from '../report/format.js';
import type { Table } from '../report/html.js';
import { writePage } from '../report/page-files.js';
import { textTable } from '../report/text-table.js';
import { runStamp } from '../util/stamp.js';

export async function runCompare(a: string, b: string, reportsRoot: string, now = new Date()): Promise<{ dir: string; table: string }> {
  const runs: ComparedBench[] = [
    { name: `A: ${basename(resolve(a))}`, report: readBenchReport(a) },
    { name: `B: ${basename(resolve(b))}`, report: readBenchReport(b) },
  ];
  const dir = join(reportsRoot, `compare-${runStamp(now)}`);
  mkdirSync(dir, { recursive: true });
  const table = compareTable(runs);
  writePage(dir, {
    title: `Bench comparison: ${runs[0].name} against ${runs[1].name}`,
    facts: runs.flatMap((r) => benchFacts(r.report).map(([k, v]): [string, string] => [`${r.name.slice(0, 1)} ${k}`, v])),
    sections: [
      { title: 'Per engine', notes: [...sameSetupNotes(runs[0].report, runs[1].report), "B/A: B's samples/s over A's."], tables: [table] },
      { title: 'Charts', charts: await compareCharts(runs) },
    ],
  });
  return { dir, table: textTable(table.head, table.rows) };
}

/** One row per engine label that either bench ran, A's engines first; a blank where a bench did not run it. */
function compareTable(runs: ComparedBench[]): Table {
  const [a, b] = runs.map((r) => new Map(r.report.engines.map((e) => [e.label, e])));
  const labels = [...new Set([...a.keys(), ...b.keys()])];
  const cell = (e: BenchEngineResult | undefined, f: (e: BenchEngineResult) => string): string => (e ? f(e) : '');
  return {
    head: ['engine', 'A samples/s', 'B samples/s', 'B/A', 'A ms/step', 'B ms/step', 'A epoch s', 'B epoch s', 'A speed-up', 'B speed-up'],
    rows: labels.map((label) => {
      const ea = a.get(label);
      const eb = b.get(label);
      return [
        ea ? benchLabel(ea) : eb ? benchLabel(eb) : label,
        cell(ea, (e) => count(e.samplesPerSecond)),
        cell(eb, (e) => count(e.samplesPerSecond)),
        ea && eb ? times(eb.samplesPerSecond / ea.samplesPerSecond) : '',
        cell(ea, (e) => fixed(e.msPerStep.median, 2)),
        cell(eb, (e) => fixed(e.msPerStep.median, 2)),
        cell(ea, (e) => seconds(e.epochSeconds)),
        cell(eb, (e) => seconds(e.epochSeconds)),
        cell(ea, (e) => times(e.speedup)),
        cell(eb, (e) => times(e.speedup)),
      ];
    }),
  };
}

/** Speeds are only comparable on the same work: say where the two benches' set-ups differ. */
function sameSetupNotes(a: BenchReport, b: BenchReport): string[] {
  const diffs = (
    [
      ['dataset', a.config.dataset, b.config.dataset],
      ['model', JSON.stringify(a.config.model), JSON.stringify(b.config.model)],
      ['batch size', a.config.batchSize, b.config.batchSize],
      ['optimizer', a.config.optimizer, b.config.optimizer],
    ] as const
  ).filter(([, x, y]) => x !== y);
  return diffs.map(([what, x, y]) => `Not the same ${what}: A ${x}, B ${y} — the speeds are not directly comparable.`);
}
