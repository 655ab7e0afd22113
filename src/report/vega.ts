/**
 * Charts as SVG, rendered in Node without a browser: a Vega-Lite spec compiled to Vega and drawn by
 * Vega's headless SVG renderer (no canvas needed; text widths are estimated).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type ChartSpec = TopLevelSpec;

export async function renderSvg(spec: ChartSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
