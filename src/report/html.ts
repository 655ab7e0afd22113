/**
 * report.html: one self-contained page (inline SVG and CSS, no scripts, nothing fetched) built from
 * sections of figures, tables and charts. Every number on it comes from the run's own files.
 */
export interface Chart {
  /** File name under charts/ without extension, e.g. "loss-per-epoch". */
  name: string;
  title: string;
  svg: string;
}

export interface Table {
  caption?: string;
  head: string[];
  rows: (string | number)[][];
  /** Columns of prose, left-aligned (the first always is); the rest are figures, right-aligned. */
  textColumns?: number[];
}

export interface Section {
  title: string;
  /** Short paragraphs of plain text (escaped when rendered). */
  notes?: string[];
  tables?: Table[];
  charts?: Chart[];
}

export interface ReportPage {
  title: string;
  /** Label → value lines shown under the title: machine, backend, adapter, dataset, date. */
  facts: [string, string][];
  sections: Section[];
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .3rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; color: #444; }
dl.facts dt { font-weight: 600; }
table { border-collapse: collapse; margin: .8rem 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: right; } th { background: #f4f4f4; }
td:first-child, th:first-child, td.text, th.text { text-align: left; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: .3rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure.chart { margin: 0; } figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
`;

export function renderReportHtml(page: ReportPage): string {
  const facts = page.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  const sections = page.sections.map(renderSection).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${CSS}</style></head>
<body><h1>${escapeHtml(page.title)}</h1><dl class="facts">${facts}</dl>
${sections}
</body></html>
`;
}

function renderSection(s: Section): string {
  const notes = (s.notes ?? []).map((n) => `<p>${escapeHtml(n)}</p>`).join('');
  const tables = (s.tables ?? []).map(renderTable).join('');
  const charts = (s.charts ?? [])
    .map((c) => `<figure class="chart" id="chart-${escapeHtml(c.name)}"><figcaption>${escapeHtml(c.title)}</figcaption>${c.svg}</figure>`)
    .join('');
  return `<section><h2>${escapeHtml(s.title)}</h2>${notes}${tables}${charts ? `<div class="charts">${charts}</div>` : ''}</section>`;
}

function renderTable(t: Table): string {
  const cls = (col: number): string => (t.textColumns?.includes(col) ? ' class="text"' : '');
  const head = `<tr>${t.head.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = t.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('');
  return `<table>${t.caption ? `<caption>${escapeHtml(t.caption)}</caption>` : ''}<thead>${head}</thead><tbody>${rows}</tbody></table>`;
}
