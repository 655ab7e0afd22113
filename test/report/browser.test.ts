/**
 * The pages as a browser draws them: headless Chromium (the distribution's, no download) loads
 * report.html from disk, dumps the DOM it built and takes a screenshot.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { writeBenchReport } from '../../src/report/bench-html.js';
import { writeTrainReportPage } from '../../src/report/train-html.js';
import { benchFixture, tempDir, writeTrainFixture } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser test skipped: ${CHROMIUM} not found (apt-get install chromium)`);

function chromium(args: string[]): string {
  const r = spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${tempDir('chromium-profile')}`,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** Distinct RGBA values, and the share of pixels that are not the page's white. */
function pixelStats(pngFile: string): { width: number; height: number; colours: number; inked: number } {
  const png = PNG.sync.read(readFileSync(pngFile));
  const colours = new Set<number>();
  let inked = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b, a] = [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
    colours.add(((r << 24) | (g << 16) | (b << 8) | a) >>> 0);
    if (r < 250 || g < 250 || b < 250) inked++;
  }
  return { width: png.width, height: png.height, colours: colours.size, inked: inked / (png.width * png.height) };
}

function renderInChromium(html: string): { dom: string; png: string } {
  const url = pathToFileURL(html).href;
  const dom = chromium(['--dump-dom', url]);
  const png = join(tempDir('shot'), 'page.png');
  chromium([`--screenshot=${png}`, '--window-size=1200,2000', url]);
  return { dom, png };
}

describe.skipIf(!haveChromium)('report.html in headless Chromium', () => {
  it('a train report: four charts in the DOM with their marks, and a screenshot that is not blank', async () => {
    const { dir, records } = writeTrainFixture(tempDir('browser'), 4);
    const { dom, png } = renderInChromium(await writeTrainReportPage(dir));

    expect(dom.match(/<figure class="chart"[^>]*><figcaption>[^<]*<\/figcaption><svg /g)).toHaveLength(4);
    expect(dom.match(/<svg /g)).toHaveLength(4);
    // The browser parsed the marks: one loss point per epoch, as the table has rows.
    const lossFigure = /<figure class="chart" id="chart-loss-per-epoch">[\s\S]*?<\/figure>/.exec(dom)![0];
    expect(lossFigure.match(/aria-roledescription="point"/g)).toHaveLength(records.length);
    expect(dom.match(/<tbody><tr>/g)?.length).toBeGreaterThanOrEqual(2);
    expect(dom).toContain(records[2].sampled.hr.toFixed(4));

    const s = pixelStats(png);
    expect([s.width, s.height]).toEqual([1200, 2000]);
    expect(s.colours).toBeGreaterThan(20); // text, grid lines, coloured lines and bars, anti-aliasing
    expect(s.inked).toBeGreaterThan(0.02);
    expect(s.inked).toBeLessThan(0.6);
  });

  it('a bench report: its five charts, the emulator named on the page', async () => {
    const dir = join(tempDir('browser'), 'bench');
    await writeBenchReport(dir, benchFixture({ epochs: true }));
    const { dom, png } = renderInChromium(join(dir, 'report.html'));
    expect(dom.match(/<svg /g)).toHaveLength(5);
    expect(dom).toContain('tfjs:webgpu (SwiftShader, CPU emulator)');
    const s = pixelStats(png);
    expect(s.colours).toBeGreaterThan(20);
    expect(s.inked).toBeGreaterThan(0.02);
  });
});
