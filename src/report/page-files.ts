/** Writes a report page to its folder: every chart as charts/<name>.svg beside one self-contained report.html. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReportHtml, type ReportPage } from './html.js';

/** Returns report.html's path. */
export function writePage(dir: string, page: ReportPage): string {
  const charts = page.sections.flatMap((s) => s.charts ?? []);
  if (charts.length) mkdirSync(join(dir, 'charts'), { recursive: true });
  for (const c of charts) writeFileSync(join(dir, 'charts', `${c.name}.svg`), c.svg);
  const html = join(dir, 'report.html');
  writeFileSync(html, renderReportHtml(page));
  return html;
}
