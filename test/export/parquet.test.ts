/**
 * ncf data export --format parquet on the smoke fixture (60 users, 80 movies, 1,200 ratings):
 * the files read back with hyparquet (an independent reader: ncf writes with hyparquet-writer)
 * hold u.data's rows, counted and summed column by column against the text file itself; the
 * negatives are the ones ncf train draws with that seed; `ncf train` on the folder trains the
 * same model, weight for weight, as on u.data; a Spark-style folder of part files (INT64 ids,
 * DOUBLE ratings) loads as the same split.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../src/artifacts/meta.js';
import { loadModel } from '../../src/artifacts/model-file.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { loadDataset } from '../../src/data/dataset.js';
import { evalCandidates } from '../../src/eval/protocols.js';
import { ncf, ROOT } from '../helpers/cli.js';

const FIXTURE = join(ROOT, 'test/fixtures/ml-100k-tiny');
const out = mkdtempSync(join(tmpdir(), 'ncf-parquet-'));
const pq = join(out, 'split');

/** u.data's rows, parsed here (not by ncf's reader). */
const rows = readFileSync(join(FIXTURE, 'u.data'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split('\t').map(Number))
  .map(([user, item, rating, ts]) => ({ user, item, rating, ts }));

type Row = Record<string, number | bigint | string>;
const read = async (name: string): Promise<Row[]> => parquetReadObjects({ file: await asyncBufferFromFile(join(pq, name)) }) as Promise<Row[]>;
const sum = (xs: Row[], col: string): number => xs.reduce((s, r) => s + Number(r[col]), 0);

beforeAll(() => {
  const r = ncf(['data', 'export', 'ml-100k', '--format', 'parquet', '--out', pq, '--data-dir', FIXTURE, '--seed', '1', '--eval-negatives', '20']);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('1,140 training rows, 60 test rows, 1,200 test negatives, 80 movies');
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('ncf data export --format parquet, read back with hyparquet', () => {
  it("test.parquet: each user's latest rating (the last in the file on a tie), with its rating and timestamp", async () => {
    const test = await read('test.parquet');
    expect(test).toHaveLength(60);
    const latest = new Map<number, (typeof rows)[number]>();
    for (const r of rows) if (!latest.has(r.user) || r.ts >= (latest.get(r.user)?.ts ?? 0)) latest.set(r.user, r);
    const expected = [...latest.values()].sort((a, b) => a.user - b.user);
    expect(test.map((r) => [r.user_id, r.item_id, r.rating, Number(r.timestamp)])).toEqual(expected.map((r) => [r.user, r.item, r.rating, r.ts]));
  });

  it('train.parquet: every other row of u.data, in file order; counts and column sums match', async () => {
    const train = await read('train.parquet');
    const test = await read('test.parquet');
    const held = new Set(test.map((r) => `${r.user_id}:${r.item_id}`));
    const expected = rows.filter((r) => !held.has(`${r.user}:${r.item}`));
    expect(train).toHaveLength(expected.length);
    expect(train.length + test.length).toBe(rows.length); // the fixture has no repeated pair
    for (const [col, key] of [
      ['user_id', 'user'],
      ['item_id', 'item'],
      ['rating', 'rating'],
      ['timestamp', 'ts'],
    ] as const) {
      expect(sum(train, col) + sum(test, col)).toBe(rows.reduce((s, r) => s + r[key], 0));
      expect(sum(train, col)).toBe(expected.reduce((s, r) => s + r[key], 0));
    }
    expect(train.slice(0, 5).map((r) => [r.user_id, r.item_id, r.rating, Number(r.timestamp)])).toEqual(
      expected.slice(0, 5).map((r) => [r.user, r.item, r.rating, r.ts]),
    );
    // Plain types Spark and DuckDB map directly: INT32 ids, FLOAT rating, INT64 timestamp, all REQUIRED.
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(join(pq, 'train.parquet')));
    expect(meta.schema.slice(1).map((s) => [s.name, s.type, s.repetition_type])).toEqual([
      ['user_id', 'INT32', 'REQUIRED'],
      ['item_id', 'INT32', 'REQUIRED'],
      ['rating', 'FLOAT', 'REQUIRED'],
      ['timestamp', 'INT64', 'REQUIRED'],
    ]);
    expect(meta.key_value_metadata?.find((kv) => kv.key === 'ncf.seed')?.value).toBe('1');
  });

  it("test_negatives.parquet: 20 per test user, unseen by them, the ones ncf train's seed draws", async () => {
    const negatives = await read('test_negatives.parquet');
    expect(negatives).toHaveLength(60 * 20);
    const seen = new Set(rows.map((r) => `${r.user}:${r.item}`));
    for (const r of negatives) expect(seen.has(`${r.user_id}:${r.item_id}`)).toBe(false);
    const data = await loadDataset('ml-100k', FIXTURE);
    const { negatives: drawn, n } = evalCandidates({ ...DEFAULTS, seed: 1, data: { ...DEFAULTS.data, dataset: 'ml-100k', evalNegatives: 20 } }, data);
    expect(n).toBe(20);
    const expected = Array.from(drawn, (j, k) => [data.userIds[Math.floor(k / n)], data.itemIds[j]]);
    expect(negatives.map((r) => [r.user_id, r.item_id])).toEqual(expected);
  });

  it('movies.parquet: every movie of the split with its title and genres', async () => {
    const movies = await read('movies.parquet');
    expect(movies).toHaveLength(80);
    expect(movies[0]).toMatchObject({ item_id: 1 });
    expect(String(movies[0].title)).toMatch(/^Movie 1 \(1995\)$/);
    expect(sum(movies, 'item_id')).toBe((80 * 81) / 2);
  });
});

describe('ncf train on the Parquet folder (data.dataset "parquet")', () => {
  it('trains the same model as on u.data: the same weights and the same figures each epoch', () => {
    const train = (name: string, sets: string[]): ReturnType<typeof loadModel<ModelMeta>> => {
      const r = ncf([
        'train',
        '--config',
        'configs/smoke.json',
        '--set',
        `name=${name}`,
        '--set',
        `output.models=${out}`,
        '--set',
        `output.reports=${out}`,
        ...sets,
      ]);
      expect(r.status, r.stderr).toBe(0);
      return loadModel<ModelMeta>(join(out, `${name}.ncf`));
    };
    const raw = train('raw', []);
    const fromParquet = train('parquet', ['--set', 'data.dataset="parquet"', '--set', `data.dir=${JSON.stringify(pq)}`]);
    expect(fromParquet.shape).toEqual(raw.shape);
    for (const [name, w] of raw.weights) expect(Array.from(fromParquet.weights.get(name) ?? []), name).toEqual(Array.from(w));
    const figures = (h: ModelMeta['history']): unknown[] => h.map((e) => [e.epoch, e.loss, e.sampled.hr, e.sampled.ndcg, e.full?.hr ?? null]);
    expect(figures(fromParquet.meta.history)).toEqual(figures(raw.meta.history));
    expect(fromParquet.meta.ids).toEqual(raw.meta.ids);
  });

  it('reads a Spark-style folder of part files with INT64 ids and DOUBLE ratings as the same split', async () => {
    const spark = join(out, 'spark');
    const copy = async (name: string, parts: number): Promise<void> => {
      const all = await read(name);
      const dir = join(spark, name);
      mkdirSync(dir, { recursive: true });
      const size = Math.ceil(all.length / parts);
      for (let p = 0; p < parts; p++) {
        const chunk = all.slice(p * size, (p + 1) * size);
        const cols = Object.keys(all[0]);
        parquetWriteFile({
          filename: join(dir, `part-0000${p}-x.snappy.parquet`),
          columnData: cols.map((c) => ({
            name: c,
            data: chunk.map((r) => (c.endsWith('_id') || c === 'timestamp' ? BigInt(r[c] as number | bigint) : r[c])),
            type: c.endsWith('_id') || c === 'timestamp' ? ('INT64' as const) : c === 'rating' ? ('DOUBLE' as const) : ('STRING' as const),
          })),
        });
      }
    };
    await copy('train.parquet', 3);
    await copy('test.parquet', 2);
    await copy('test_negatives.parquet', 2);
    const a = await loadDataset('parquet', pq);
    const b = await loadDataset('parquet', spark);
    expect(b.numUsers).toBe(60);
    expect(b.numItems).toBe(80);
    expect(Array.from(b.train.items)).toEqual(Array.from(a.train.items));
    expect(Array.from(b.train.offsets)).toEqual(Array.from(a.train.offsets));
    expect(Array.from(b.testItems)).toEqual(Array.from(a.testItems));
    expect(Array.from(b.testNegatives ?? [])).toEqual(Array.from(a.testNegatives ?? []));
    expect(Array.from(b.recentTrain ?? [])).toEqual(Array.from(a.recentTrain ?? []));
    expect(b.movies).toBeNull();
    // And the raw release's split, through the Parquet files.
    const raw = await loadDataset('ml-100k', FIXTURE);
    expect(Array.from(a.train.items)).toEqual(Array.from(raw.train.items));
    expect(Array.from(a.testItems)).toEqual(Array.from(raw.testItems));
    expect(Array.from(a.recentTrain ?? [])).toEqual(Array.from(raw.recentTrain ?? []));
    expect(a.movies?.map((m) => m?.title)).toEqual(raw.movies?.map((m) => m?.title));
  });
});

describe("ml-1m-ncf: He et al.'s ids become UserIDs and MovieIDs", () => {
  it('train, test and negatives through item-map.tsv; the Parquet split is the same data renumbered', async () => {
    const dir = join(out, 'ncf');
    mkdirSync(dir);
    const files = {
      'train.rating': ['0 0', '0 1', '0 3', '1 0', '1 2', '1 4', '2 1', '2 5'].map((p) => `${p.replace(' ', '\t')}\t1\t0`),
      'test.rating': ['0\t2\t5\t978824351', '1\t1\t3\t978300174', '2\t0\t4\t978298504'],
      'test.negative': ['(0,2)\t4\t5', '(1,1)\t3\t5', '(2,0)\t3\t4'],
    };
    for (const [part, lines] of Object.entries(files)) writeFileSync(join(dir, `ml-1m.${part}`), `${lines.join('\n')}\n`);
    // Their item k is MovieID 100 − 10k: the dense order of MovieIDs is theirs reversed.
    writeFileSync(join(dir, 'item-map.tsv'), `ncfItemId\tmovieId\n${[0, 1, 2, 3, 4, 5].map((k) => `${k}\t${100 - 10 * k}`).join('\n')}\n`);
    const dest = join(out, 'ncf-parquet');
    const r = ncf(['data', 'export', 'ml-1m-ncf', '--format', 'parquet', '--out', dest, '--data-dir', dir]);
    expect(r.status, r.stderr).toBe(0);
    const at = async (name: string): Promise<Row[]> => parquetReadObjects({ file: await asyncBufferFromFile(join(dest, name)) }) as Promise<Row[]>;
    const movie = (k: number): number => 100 - 10 * k;
    expect((await at('train.parquet')).map((x) => [x.user_id, x.item_id])).toEqual(
      [
        [1, 0],
        [1, 1],
        [1, 3],
        [2, 0],
        [2, 2],
        [2, 4],
        [3, 1],
        [3, 5],
      ].map(([u, k]) => [u, movie(k)]),
    );
    expect((await at('test.parquet')).map((x) => [x.user_id, x.item_id, Number(x.timestamp)])).toEqual([
      [1, movie(2), 978824351],
      [2, movie(1), 978300174],
      [3, movie(0), 978298504],
    ]);
    expect((await at('test_negatives.parquet')).map((x) => [x.user_id, x.item_id])).toEqual(
      [
        [1, 4],
        [1, 5],
        [2, 3],
        [2, 5],
        [3, 3],
        [3, 4],
      ].map(([u, k]) => [u, movie(k)]),
    );
    const ours = await loadDataset('ml-1m-ncf', dir);
    const back = await loadDataset('parquet', dest);
    expect(back.numUsers).toBe(ours.numUsers);
    expect(back.numItems).toBe(ours.numItems);
    // Dense ids ascend by MovieID: their item k is dense item 5 − k.
    expect(Array.from(back.itemIds)).toEqual([50, 60, 70, 80, 90, 100]);
    expect(Array.from(back.testItems)).toEqual(Array.from(ours.testItems, (k) => 5 - k));
    expect(Array.from(back.testNegatives ?? [])).toEqual(Array.from(ours.testNegatives ?? [], (k) => 5 - k));
    for (let u = 0; u < 3; u++) {
      const items = (d: typeof ours, map: (k: number) => number): number[] =>
        Array.from(d.train.items.subarray(d.train.offsets[u], d.train.offsets[u + 1]), map).sort((a, b) => a - b);
      expect(items(back, (k) => k)).toEqual(items(ours, (k) => 5 - k));
    }
  });
});

describe('bad input in one line', () => {
  const oneLine = (r: { status: number | null; stderr: string }, pattern: RegExp): void => {
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };
  it('an existing --out without --force', () => {
    oneLine(ncf(['data', 'export', 'ml-100k', '--format', 'parquet', '--out', pq, '--data-dir', FIXTURE]), /^ncf: .* exists — pass --force to replace it/);
  });
  it('an unknown format', () => {
    oneLine(
      ncf(['data', 'export', 'ml-100k', '--format', 'csv', '--out', join(out, 'csv'), '--data-dir', FIXTURE]),
      /argument 'csv' is invalid. Allowed choices are parquet/,
    );
  });
  it('training on a folder without the Parquet files', () => {
    const empty = join(out, 'empty');
    mkdirSync(empty);
    oneLine(
      ncf([
        'train',
        '--config',
        'configs/smoke.json',
        '--set',
        'data.dataset="parquet"',
        '--set',
        `data.dir=${JSON.stringify(empty)}`,
        '--set',
        `output.models=${out}`,
        '--set',
        `output.reports=${out}`,
      ]),
      /^ncf: .*train\.parquet not found — write the folder with 'ncf data export/,
    );
  });
});
