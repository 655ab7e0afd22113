/**
 * The site in a real browser (Debian's chromium driven by playwright-core, no browser download):
 * a person searches, rates 10 movies (one from the keyboard), sees the fold-in recommendations
 * change, reloads and finds the ratings still there; the other pages show real figures, at phone
 * width nothing scrolls sideways, and the CSP blocks nothing of the app's. Screenshots are kept
 * under .tmp/test-artifacts/ (NCF_TEST_ARTIFACTS to put them elsewhere).
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServe } from '../../src/run/serve.js';
import { builtWebRoot } from '../../src/serve/web-root.js';
import { listRatings, openDb } from '../../src/store/index.js';
import { ncf, ROOT } from '../helpers/cli.js';

const CHROMIUM = process.env.NCF_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = process.env.NCF_TEST_ARTIFACTS ?? join(ROOT, '.tmp/test-artifacts');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`site-browser: skipped, no chromium at ${CHROMIUM} (apt-get install -y chromium, or set NCF_CHROMIUM)`);

const MIN_LIKES = 3;

describe.skipIf(!haveChromium)('the site in chromium', () => {
  const out = mkdtempSync(join(tmpdir(), 'ncf-browser-'));
  const dbDir = join(out, 'db');
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const serve = () =>
    startServe(join(out, 'smoke.ncf'), { host: '127.0.0.1', port: 0, db: dbDir, webRoot: builtWebRoot(), log: () => {}, signals: new EventEmitter() });

  beforeAll(async () => {
    const r = ncf([
      'train',
      '--config',
      'configs/smoke.json',
      '--set',
      `output.models=${out}`,
      '--set',
      `output.reports=${out}`,
      '--set',
      `recommend.minLikes=${MIN_LIKES}`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    server = await serve();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    // A CSP violation, a failed request of ours or an uncaught error fails the test.
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // A request cut short by leaving the page (net::ERR_ABORTED) is no fault.
    page.on('requestfailed', (req) => {
      if (req.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()}: ${req.failure()?.errorText}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`${res.status()} for ${res.url()}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  const recommendedIds = async (): Promise<number[]> =>
    page.locator('[data-testid="recommendations"] li.movie').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-movie-id'))));
  const mode = () => page.locator('[data-testid="recommendations"] [data-mode]').getAttribute('data-mode');

  it('search, rate 10 movies, watch the fold-in recommendations change, reload: the ratings are still there', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('Title').fill('movie 1');
    // "movie 1" matches Movie 1, 10–19: eleven titles.
    await expect.poll(() => page.locator('[data-testid="results"] li.movie').count()).toBe(11);
    const resultTitles = await page.locator('[data-testid="results"] .title').allTextContents();
    expect(resultTitles.every((t) => t.toLowerCase().includes('movie 1'))).toBe(true);
    await page.getByLabel('Genre').selectOption('Comedy');
    await expect.poll(async () => (await page.locator('[data-testid="results"] .genres').allTextContents()).every((g) => g.includes('Comedy'))).toBe(true);
    await page.getByLabel('Genre').selectOption('');
    await page.getByLabel('Title').fill('');
    await expect.poll(() => page.locator('[data-testid="results"] li.movie').count()).toBe(20);

    const rated: number[] = [];
    const foldIns: number[][] = [];
    for (let n = 0; n < 10; n++) {
      const row = page.locator('[data-testid="results"] li.movie').nth(n);
      const movieId = Number(await row.getAttribute('data-movie-id'));
      const stars = n % 2 === 0 ? 5 : 4;
      const button = row.getByRole('button', { name: `${stars} stars` });
      if (n === 0) {
        await button.focus();
        await page.keyboard.press('Enter');
      } else await button.click();
      rated.push(movieId);
      await expect.poll(() => page.locator('[data-testid="my-ratings"] li.movie').count()).toBe(rated.length);
      await expect.poll(() => row.getByRole('button', { name: `${stars} stars` }).getAttribute('aria-pressed')).toBe('true');
      await page.locator('[data-testid="recommendations"]').waitFor();
      await expect.poll(() => page.locator('section[aria-busy="true"]').count()).toBe(0);
      const ids = await recommendedIds();
      expect(ids.length).toBe(10);
      // Nothing rated is recommended back.
      expect(ids.filter((id) => rated.includes(id))).toEqual([]);
      if (rated.length >= MIN_LIKES) {
        expect(await mode()).toBe('fold-in');
        await expect.poll(() => page.locator('.because').textContent()).toContain('Because you liked');
        foldIns.push(ids);
      } else expect(await mode()).not.toBe('fold-in');
    }
    // The fold-in answer moved as ratings came in.
    const changes = foldIns.slice(1).filter((ids, i) => ids.join() !== foldIns[i].join()).length;
    expect(changes).toBeGreaterThan(0);
    expect(foldIns.at(-1)!.join()).not.toBe(foldIns[0].join());
    await page.screenshot({ path: join(ARTIFACTS, 'site-rated.png'), fullPage: true });

    await page.reload();
    await expect.poll(() => page.locator('[data-testid="my-ratings"] li.movie').count()).toBe(10);
    const shown = await page.locator('[data-testid="my-ratings"] li.movie').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-movie-id'))));
    expect(shown.sort((a, b) => a - b)).toEqual([...rated].sort((a, b) => a - b));
    expect(await recommendedIds()).toEqual(foldIns.at(-1));
    expect(problems).toEqual([]);
    problems.length = 0;
  });

  it('the ratings are in the database, under the profile this browser keeps', async () => {
    const profile = JSON.parse((await page.evaluate<string | null>("localStorage.getItem('ncf.profile')")) ?? 'null') as { id: string };
    await page.goto('about:blank');
    await server.stop();
    const db = await openDb(dbDir);
    try {
      const stored = await listRatings(db, profile.id);
      expect(stored).toHaveLength(10);
      expect(stored.every((r) => r.rating === 4 || r.rating === 5)).toBe(true);
    } finally {
      await db.close();
      server = await serve();
    }
  });

  it("a MovieLens user's page, the data dashboard and the model card show the server's figures", async () => {
    await page.goto(`${server.url}/#/user/7`);
    await expect.poll(() => page.locator('[data-testid="user-recommendations"] li.movie').count()).toBe(10);
    const user = (await (await fetch(`${server.url}/api/users/7`)).json()) as { training: unknown[]; recommendations: { items: { movieId: number }[] } };
    await page.getByRole('heading', { name: `Trained on ${user.training.length} movies` }).waitFor();
    const shownIds = await page
      .locator('[data-testid="user-recommendations"] li.movie')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-movie-id'))));
    expect(shownIds).toEqual(user.recommendations.items.map((m) => m.movieId));

    await page.goto(`${server.url}/#/dashboard`);
    await expect.poll(() => page.locator('[data-testid="figures"]').textContent()).toContain('60');
    const images = page.locator('.charts img');
    await expect.poll(() => images.count()).toBeGreaterThanOrEqual(4);
    await expect
      .poll(
        () =>
          images.evaluateAll((els) =>
            els.every((e) => {
              const img = e as unknown as { complete: boolean; naturalWidth: number };
              return img.complete && img.naturalWidth > 0;
            }),
          ),
        { timeout: 20_000 },
      )
      .toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'site-dashboard.png'), fullPage: true });

    await page.goto(`${server.url}/#/model`);
    const card = (await (await fetch(`${server.url}/api/model`)).json()) as { metrics: { sampled: { hr: number } } };
    await expect.poll(() => page.locator('[data-testid="metrics"]').textContent()).toContain(card.metrics.sampled.hr.toFixed(4));
    expect(problems).toEqual([]);
  });

  it('at phone width nothing scrolls sideways, and rating works there too', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 800 }, isMobile: true });
    try {
      await phone.goto(`${server.url}/`);
      await expect.poll(() => phone.locator('[data-testid="results"] li.movie').count()).toBe(20);
      expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      await phone.locator('[data-testid="results"] li.movie').first().getByRole('button', { name: 'Like' }).click();
      await expect.poll(() => phone.locator('[data-testid="my-ratings"] li.movie').count()).toBe(1);
      await phone.screenshot({ path: join(ARTIFACTS, 'site-phone.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });
});
