/** Plain-text tables for the terminal: text columns (by default the first) left-aligned, the others right-aligned. */
export function textTable(head: string[], rows: (string | number)[][], textColumns: number[] = [0]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((cell, c) => (textColumns.includes(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
