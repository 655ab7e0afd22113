/** `ncf report <run-dir>`: re-renders a run's charts and report.html from the files in the folder. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readBenchReport, writeBenchPage } from '../report/bench-html.js';
import { isTrainReportDir } from '../report/train-files.js';
import { writeTrainReportPage } from '../report/train-html.js';
import { NcfError } from '../util/errors.js';

export async function runReport(dir: string): Promise<{ html: string }> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new NcfError(`${dir}: no such folder`);
  if (existsSync(join(dir, 'bench.json'))) return { html: await writeBenchPage(dir, readBenchReport(dir)) };
  if (isTrainReportDir(dir)) return { html: await writeTrainReportPage(dir) };
  throw new NcfError(`${dir} is not a report folder: it needs config.json and metrics.csv (ncf train) or bench.json (ncf bench)`);
}
