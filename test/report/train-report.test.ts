import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTrainReportPage } from '../../src/report/train-html.js';
import { runReport } from '../../src/run/report.js';
import { NcfError } from '../../src/util/errors.js';
import { ncf, ncfInterrupted } from '../helpers/cli.js';
import { itemsOf, tempDir, writeTrainFixture } from './fixtures.js';

const CHARTS = ['loss-per-epoch', 'loss-within-epochs', 'ranking-per-epoch', 'throughput-per-epoch'];

/** report.html and charts/*.svg of a folder, by name. */
function rendered(dir: string): Record<string, string> {
  const out: Record<string, string> = { 'report.html': readFileSync(join(dir, 'report.html'), 'utf8') };
  for (const f of readdirSync(join(dir, 'charts'))) out[`charts/${f}`] = readFileSync(join(dir, 'charts', f), 'utf8');
  return out;
}

const textOf = (html: string): string =>
  html
    .replace(/<svg[\s\S]*?<\/svg>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

describe('train report.html', () => {
  it("holds every chart, the facts and each epoch's numbers from metrics.csv", async () => {
    const { dir, records } = writeTrainFixture(tempDir('train'), 4);
    const html = readFileSync(await writeTrainReportPage(dir), 'utf8');

    expect(readdirSync(join(dir, 'charts')).sort()).toEqual(CHARTS.map((c) => `${c}.svg`).sort());
    for (const c of CHARTS) {
      expect(html).toContain(`id="chart-${c}"`);
      expect(html).toContain(readFileSync(join(dir, 'charts', `${c}.svg`), 'utf8'));
    }
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).not.toMatch(/<script/i);

    const text = textOf(html);
    expect(text).toContain('engine tfjs on webgpu — NVIDIA H100 80GB HBM3 (nvidia hopper)');
    expect(text).toContain('ml-1m-ncf: 6,040 users, 3,706 items, 994,169 training positives');
    expect(text).toContain('392,601 parameters');
    expect(text).toContain('lazy_adam lr 0.001, batch 256');
    expect(text).toContain('CPU Test CPU 9000, 2 cores');
    expect(text).toContain('date 2026-01-02T03:04:05.000Z');
    for (const r of records) {
      const row = `${r.epoch} ${r.loss.toFixed(4)} ${r.sampled.hr.toFixed(4)} ${r.sampled.ndcg.toFixed(4)}`;
      expect(text).toContain(row);
      expect(text).toContain(Math.round(r.samplesPerSecond).toLocaleString('en-US'));
    }
    // HR peaks at epoch 3 in the fixture; the last epoch also ranked fully.
    expect(text).toContain(`Best epoch 3 of 4 (highest sampled HR@10, as He et al. report): HR@10 ${records[2].sampled.hr.toFixed(4)}`);
    expect(text).toContain(`Last epoch 4: loss ${records[3].loss.toFixed(4)}`);
    expect(text).toContain('full ranking: HR@10 0.0812, NDCG@10 0.0413');
    expect(text).toContain('epochs done 4 of 4');
  });

  it('names what each model type uses and, for MF trained on BPR with L2, the loss and the L2', async () => {
    const { dir } = writeTrainFixture(tempDir('train-mf'), 2);
    const neumf = textOf(readFileSync(await writeTrainReportPage(dir), 'utf8'));
    expect(neumf).toContain('model neumf, GMF factors 8, MLP layers [64, 32, 16, 8]');
    expect(neumf).toContain('4 negatives per positive, 2 epochs');
    const file = join(dir, 'config.json');
    const c = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...c, model: { ...c.model, type: 'mf', factors: 64 }, train: { ...c.train, loss: 'bpr', l2: 0.01 } }));
    const mf = textOf(readFileSync(await writeTrainReportPage(dir), 'utf8'));
    expect(mf).toContain('model mf (dot product with user, item and global biases), 64 factors,');
    expect(mf).not.toContain('MLP layers');
    expect(mf).toContain('batch 256, BPR on 4 pairs per positive, L2 0.01, 2 epochs');
  });

  it('a run stopped early says so and charts only the epochs it finished; an emulated GPU is named as one', async () => {
    const emulated = { name: 'tfjs', backend: 'webgpu', detail: 'Google SwiftShader (a CPU emulator, not a GPU)', emulated: true } as const;
    const { dir } = writeTrainFixture(tempDir('stopped'), 2, 6, emulated);
    const html = readFileSync(await writeTrainReportPage(dir), 'utf8');
    expect(textOf(html)).toContain('epochs done 2 of 6 (stopped early; --resume continues)');
    expect(textOf(html)).toContain('engine tfjs on webgpu (SwiftShader, CPU emulator) — Google SwiftShader (a CPU emulator, not a GPU)');
    expect(itemsOf(readFileSync(join(dir, 'charts', 'loss-per-epoch.svg'), 'utf8'), 'symbol')).toHaveLength(2);
  });
});

describe('train report.html, no epoch finished', () => {
  it('still draws (empty) charts and says no epoch finished', async () => {
    const { dir } = writeTrainFixture(tempDir('zero'), 0, 5);
    const html = readFileSync(await writeTrainReportPage(dir), 'utf8');
    expect(textOf(html)).toContain('No epoch finished.');
    expect(textOf(html)).toContain('epochs done 0 of 5');
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(itemsOf(readFileSync(join(dir, 'charts', 'loss-per-epoch.svg'), 'utf8'), 'symbol')).toHaveLength(0);
  });
});

describe('ncf report <dir>', () => {
  it("re-renders charts/ and report.html identically from the folder's files alone", async () => {
    const { dir } = writeTrainFixture(tempDir('rerender'), 4);
    await writeTrainReportPage(dir);
    const first = rendered(dir);
    rmSync(join(dir, 'charts'), { recursive: true });
    rmSync(join(dir, 'report.html'));
    const r = await runReport(dir);
    expect(r.html).toBe(join(dir, 'report.html'));
    expect(rendered(dir)).toEqual(first);
  });

  it('a folder that is not a report: a one-line NcfError', async () => {
    const root = tempDir('bad');
    await expect(runReport(join(root, 'missing'))).rejects.toThrow(/missing: no such folder$/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expect(runReport(empty)).rejects.toThrow(
      new NcfError(`${empty} is not a report folder: it needs config.json and metrics.csv (ncf train) or bench.json (ncf bench)`),
    );
    const broken = join(root, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'config.json'), '{"name": "x"}');
    writeFileSync(join(broken, 'metrics.csv'), 'epoch,loss\n');
    const e = await runReport(broken).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NcfError);
    expect((e as Error).message).toMatch(/config\.json: not a train report's config\.json \(engine: /);
    expect((e as Error).message).not.toContain('\n');
  });
});

describe('ncf train writes the page (built CLI, smoke config)', () => {
  const outDirs = (): { sets: string[]; reports: string } => {
    const dir = tempDir('cli');
    const reports = join(dir, 'reports');
    return { sets: ['--set', `output.models=${join(dir, 'models')}`, '--set', `output.reports=${reports}`], reports };
  };
  const reportDir = (stdout: string): string => /^report: (.+)$/m.exec(stdout)![1];

  it("at the end of a run: charts and report.html from the run's own numbers; `ncf report` redraws the same", () => {
    const o = outDirs();
    const r = ncf(['train', '--config', 'configs/smoke.json', '--set', 'train.epochs=2', ...o.sets]);
    expect(r.status).toBe(0);
    const dir = reportDir(r.stdout);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    for (const c of CHARTS) expect(html).toContain(`id="chart-${c}"`);
    // The data section: the fixture's statistics as train saved them, with their charts.
    const data = JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8')) as { users: number; items: number; interactions: number };
    expect(data).toMatchObject({ users: 60, items: 80, interactions: 1200 });
    expect(textOf(html)).toContain('Data: ml-100k');
    expect(html).toContain('id="chart-interactions-per-user"');
    expect(html.match(/<figure class="chart"/g)!.length).toBe(readdirSync(join(dir, 'charts')).length);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { run: { engine: { name: string; threads: number } } };
    expect(config.run.engine).toMatchObject({ name: 'scratch', threads: 2 });
    expect(textOf(html)).toContain('engine scratch (2 threads)');
    // Each epoch line's loss and HR appear in the page's table.
    for (const line of r.stdout.split('\n').filter((l) => l.startsWith('epoch'))) {
      const [, epoch, loss, hr] = /^epoch\s+(\d+)\/\d+\s+loss (\S+)\s+HR@10 (\S+)/.exec(line)!;
      expect(textOf(html)).toContain(`${epoch} ${loss} ${hr}`);
    }
    const before = rendered(dir);
    const again = ncf(['report', dir]);
    expect(again.status).toBe(0);
    expect(again.stdout.trim()).toBe(join(dir, 'report.html'));
    expect(rendered(dir)).toEqual(before);
  });

  it('on Ctrl-C too: the page shows the epochs that finished', async () => {
    const o = outDirs();
    const r = await ncfInterrupted(['train', '--config', 'configs/smoke.json', '--set', 'train.epochs=100000', ...o.sets], /^epoch\s+2\//m);
    expect(r.status).toBe(130);
    const kept = Number(/holds epoch (\d+)/.exec(r.stdout)![1]);
    const [dir] = readdirSync(o.reports).map((d) => join(o.reports, d));
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    expect(textOf(readFileSync(join(dir, 'report.html'), 'utf8'))).toContain(`epochs done ${kept} of 100000 (stopped early`);
    expect(itemsOf(readFileSync(join(dir, 'charts', 'loss-per-epoch.svg'), 'utf8'), 'symbol')).toHaveLength(kept);
  });
});
