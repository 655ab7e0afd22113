import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { CATALOG, DOWNLOADABLE, downloadDataset, type DownloadOptions } from '../../src/data/download/index.js';
import { assertSafeEntryName } from '../../src/data/download/unzip.js';
import { NcfError } from '../../src/util/errors.js';

const U_DATA = '196\t242\t3\t881250949\n186\t302\t3\t891717742\n';
const U_ITEM = '1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n';

function buildZip(entries: Record<string, string>, dirs: string[] = []): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const d of dirs) zip.addEmptyDirectory(d);
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** yazl refuses '..' in names, so build with a same-length placeholder and patch the bytes. */
function replaceAll(buf: Buffer, from: string, to: string): Buffer {
  expect(from.length).toBe(to.length);
  const out = Buffer.from(buf);
  let i = out.indexOf(from);
  let n = 0;
  while (i !== -1) {
    out.write(to, i);
    n++;
    i = out.indexOf(from, i + 1);
  }
  expect(n).toBe(2); // local header + central directory
  return out;
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');

interface Route {
  status: number;
  body: Buffer | string;
}

let server: Server;
let baseUrl: string;
const routes = new Map<string, Route>();
const hits = new Map<string, number>();
let goodZip: Buffer;
let slipZip: Buffer;
let tmpRoot: string;
let dataRoot: string;

const NCF_TRAIN_LINES = 994_169;
const NCF_TRAIN = '0\t32\t1\t0\n'.repeat(NCF_TRAIN_LINES);
const NCF_TEST = '0\t25\t5\t978824351\n1\t133\t3\t978300174\n';
const NCF_NEG = '(0,25)\t1064\t174\n(1,133)\t1072\t3154\n';

function hitCount(p: string): number {
  return hits.get(p) ?? 0;
}

function opts(extra: DownloadOptions = {}): DownloadOptions {
  return { progress: false, ...extra };
}

beforeAll(async () => {
  goodZip = await buildZip({ 'ml-100k/u.data': U_DATA, 'ml-100k/u.item': U_ITEM }, ['ml-100k/']);
  slipZip = replaceAll(await buildZip({ 'ml-100k/u.data': U_DATA, 'ml-100k/u.item': U_ITEM, 'zz/zz/evil.txt': 'pwned\n' }), 'zz/zz/evil.txt', '../../evil.txt');
  routes.set('/ok/ml-100k.zip', { status: 200, body: goodZip });
  routes.set('/bad/ml-100k.zip', { status: 200, body: Buffer.concat([goodZip.subarray(0, 100), Buffer.from('garbage')]) });
  routes.set('/slip/ml-100k.zip', { status: 200, body: slipZip });
  routes.set('/ml10m/ml-10m.zip', {
    status: 200,
    body: await buildZip({ 'ml-10M100K/ratings.dat': '1::122::5::838985046\n', 'ml-10M100K/movies.dat': '122::Boomerang (1992)::Comedy|Romance\n' }),
  });
  routes.set('/ncf/ml-1m.train.rating', { status: 200, body: NCF_TRAIN });
  routes.set('/ncf/ml-1m.test.rating', { status: 200, body: NCF_TEST });
  routes.set('/ncf/ml-1m.test.negative', { status: 200, body: NCF_NEG });
  routes.set('/ncf-short/ml-1m.train.rating', { status: 200, body: '0\t32\t1\t0\n'.repeat(10) });
  routes.set('/ncf-short/ml-1m.test.rating', { status: 200, body: NCF_TEST });
  routes.set('/ncf-short/ml-1m.test.negative', { status: 200, body: NCF_NEG });

  server = createServer((req, res) => {
    const p = req.url ?? '/';
    hits.set(p, hitCount(p) + 1);
    if (p === '/cut/ml-100k.zip') {
      // Promise the whole zip, send half, then drop the connection.
      res.writeHead(200, { 'content-length': String(goodZip.length) });
      res.write(goodZip.subarray(0, goodZip.length >> 1), () => res.destroy());
      return;
    }
    const route = routes.get(p);
    if (route === undefined) {
      res.writeHead(404, 'Not Found', { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(route.status, { 'content-type': 'application/octet-stream' });
    res.end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tmpRoot = mkdtempSync(path.join(tmpdir(), 'ncf-download-'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(tmpRoot, { recursive: true, force: true });
});

let caseNo = 0;
beforeEach(() => {
  caseNo++;
  dataRoot = path.join(tmpRoot, `case-${caseNo}`, 'data');
});

const goodOverride = (): DownloadOptions['checksumOverride'] => ({
  'ml-100k.zip': { algorithm: 'sha256', hex: sha256(goodZip) },
});

describe('catalog', () => {
  it('has an entry, a URL and a verification for every downloadable dataset', () => {
    for (const name of DOWNLOADABLE) {
      const entry = CATALOG[name];
      expect(entry.name).toBe(name);
      expect(entry.files.length).toBeGreaterThan(0);
      for (const f of entry.files) {
        expect(f.url.endsWith(`/${f.fileName}`)).toBe(true);
        expect(f.url.startsWith('https://')).toBe(true);
        expect(f.checks.length).toBeGreaterThan(0);
        for (const c of f.checks) {
          if ('algorithm' in c) expect(c.hex).toMatch(c.algorithm === 'sha256' ? /^[0-9a-f]{64}$/ : /^[0-9a-f]{32}$/);
        }
      }
    }
    expect(CATALOG['ml-10m'].files[0].url).toBe('https://files.grouplens.org/datasets/movielens/ml-10m.zip');
    expect(CATALOG['ml-1m-ncf'].files.map((f) => f.url)).toContain(
      'https://raw.githubusercontent.com/hexiangnan/neural_collaborative_filtering/master/Data/ml-1m.test.negative',
    );
  });
});

describe('downloadDataset (zip)', () => {
  it('extracts the zip, stripping its top folder, with exact contents', async () => {
    const dir = await downloadDataset('ml-100k', dataRoot, opts({ baseUrl: `${baseUrl}/ok/`, checksumOverride: goodOverride() }));
    expect(dir).toBe(path.join(path.resolve(dataRoot), 'ml-100k'));
    expect(readFileSync(path.join(dir, 'u.data'), 'utf8')).toBe(U_DATA);
    expect(readFileSync(path.join(dir, 'u.item'), 'utf8')).toBe(U_ITEM);
    expect(readdirSync(dir).sort()).toEqual(['u.data', 'u.item']);
    // No temp files or staging folders are left beside it.
    expect(readdirSync(dataRoot)).toEqual(['ml-100k']);
  });

  it('accepts an md5 override too (baseUrl without trailing slash)', async () => {
    const dir = await downloadDataset(
      'ml-100k',
      dataRoot,
      opts({ baseUrl: `${baseUrl}/ok`, checksumOverride: { 'ml-100k.zip': { algorithm: 'md5', hex: md5(goodZip) } } }),
    );
    expect(readFileSync(path.join(dir, 'u.data'), 'utf8')).toBe(U_DATA);
  });

  it('strips a top folder whose name differs from the dataset (ml-10M100K/)', async () => {
    const body = routes.get('/ml10m/ml-10m.zip')?.body as Buffer;
    const dir = await downloadDataset(
      'ml-10m',
      dataRoot,
      opts({ baseUrl: `${baseUrl}/ml10m/`, checksumOverride: { 'ml-10m.zip': { algorithm: 'md5', hex: md5(body) } } }),
    );
    expect(readdirSync(dir).sort()).toEqual(['movies.dat', 'ratings.dat']);
  });

  it('is a no-op the second time (no request), and re-downloads with force', async () => {
    const o = opts({ baseUrl: `${baseUrl}/ok/`, checksumOverride: goodOverride() });
    await downloadDataset('ml-100k', dataRoot, o);
    const before = hitCount('/ok/ml-100k.zip');
    const dir = await downloadDataset('ml-100k', dataRoot, o);
    expect(hitCount('/ok/ml-100k.zip')).toBe(before);
    expect(readFileSync(path.join(dir, 'u.data'), 'utf8')).toBe(U_DATA);

    await downloadDataset('ml-100k', dataRoot, { ...o, force: true });
    expect(hitCount('/ok/ml-100k.zip')).toBe(before + 1);
    expect(readdirSync(dataRoot)).toEqual(['ml-100k']);
  });

  it('replaces an incomplete folder', async () => {
    mkdirSync(path.join(dataRoot, 'ml-100k'), { recursive: true });
    writeFileSync(path.join(dataRoot, 'ml-100k', 'u.data'), 'partial');
    const dir = await downloadDataset('ml-100k', dataRoot, opts({ baseUrl: `${baseUrl}/ok/`, checksumOverride: goodOverride() }));
    expect(readFileSync(path.join(dir, 'u.data'), 'utf8')).toBe(U_DATA);
    expect(readdirSync(dataRoot)).toEqual(['ml-100k']);
  });

  it('rejects wrong bytes with a checksum error naming expected, got and the URL', async () => {
    const url = `${baseUrl}/bad/ml-100k.zip`;
    const err = await downloadDataset('ml-100k', dataRoot, opts({ baseUrl: `${baseUrl}/bad/`, checksumOverride: goodOverride() })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NcfError);
    const message = (err as Error).message;
    expect(message).toContain('checksum');
    expect(message).toContain(sha256(goodZip));
    expect(message).toContain(sha256(routes.get('/bad/ml-100k.zip')?.body as Buffer));
    expect(message).toContain(url);
    expect(message).not.toContain('\n');
    expect(existsSync(path.join(dataRoot, 'ml-100k'))).toBe(false);
    expect(readdirSync(dataRoot)).toEqual([]);
  });

  it("uses the catalog's checksum by default (the test zip is not the real ml-100k)", async () => {
    await expect(downloadDataset('ml-100k', dataRoot, opts({ baseUrl: `${baseUrl}/ok/` }))).rejects.toThrow(/checksum mismatch.*expected 50d2a982c669/);
    expect(existsSync(path.join(dataRoot, 'ml-100k'))).toBe(false);
  });

  it('reports a 404 with the URL, the status and the manual-download hint', async () => {
    const url = `${baseUrl}/missing/ml-100k.zip`;
    const err = await downloadDataset('ml-100k', dataRoot, opts({ baseUrl: `${baseUrl}/missing/`, checksumOverride: goodOverride() })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NcfError);
    const message = (err as Error).message;
    expect(message).toContain(url);
    expect(message).toContain('404');
    expect(message).toContain('--data-dir');
    expect(message).not.toContain('\n');
    expect(existsSync(path.join(dataRoot, 'ml-100k'))).toBe(false);
    expect(readdirSync(dataRoot)).toEqual([]);
  });

  it('reports a connection dropped mid-download, leaving no folder', async () => {
    const err = await downloadDataset('ml-100k', dataRoot, opts({ baseUrl: `${baseUrl}/cut/`, checksumOverride: goodOverride() })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NcfError);
    expect((err as Error).message).toMatch(/interrupted|truncated/);
    expect((err as Error).message).toContain(`${baseUrl}/cut/ml-100k.zip`);
    expect(existsSync(path.join(dataRoot, 'ml-100k'))).toBe(false);
    expect(readdirSync(dataRoot)).toEqual([]);
  });

  it('reports a refused connection with the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await downloadDataset('ml-100k', dataRoot, opts({ baseUrl: `http://127.0.0.1:${port}/` })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NcfError);
    expect((err as Error).message).toContain(`http://127.0.0.1:${port}/ml-100k.zip`);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect(existsSync(path.join(dataRoot, 'ml-100k'))).toBe(false);
  });

  it('refuses a zip-slip entry and leaves nothing behind', async () => {
    const err = await downloadDataset(
      'ml-100k',
      dataRoot,
      opts({ baseUrl: `${baseUrl}/slip/`, checksumOverride: { 'ml-100k.zip': { algorithm: 'sha256', hex: sha256(slipZip) } } }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NcfError);
    expect((err as Error).message).toMatch(/unsafe path/);
    expect((err as Error).message).toContain('../../evil.txt');
    expect(existsSync(path.join(dataRoot, 'ml-100k'))).toBe(false);
    expect(readdirSync(dataRoot)).toEqual([]);
    for (const dir of [dataRoot, path.dirname(dataRoot), tmpRoot]) expect(existsSync(path.join(dir, 'evil.txt'))).toBe(false);
  });

  it('assertSafeEntryName refuses absolute, drive, backslash and .. paths', () => {
    for (const bad of ['/etc/passwd', 'C:/x', 'a\\b', '../x', 'a/../../x', 'a/..']) {
      expect(() => assertSafeEntryName(bad, 't.zip')).toThrow(NcfError);
    }
    for (const ok of ['ml-100k/u.data', 'ml-100k/', 'a..b/c', '.hidden']) {
      expect(() => assertSafeEntryName(ok, 't.zip')).not.toThrow();
    }
  });
});

describe('downloadDataset (ml-1m-ncf plain files)', () => {
  const ncfOverride = (): DownloadOptions['checksumOverride'] => ({
    'ml-1m.test.rating': { algorithm: 'sha256', hex: sha256(NCF_TEST) },
    'ml-1m.test.negative': { algorithm: 'sha256', hex: sha256(NCF_NEG) },
  });

  it("saves the three files, checking the train file by the catalog's line count", async () => {
    const dir = await downloadDataset('ml-1m-ncf', dataRoot, opts({ baseUrl: `${baseUrl}/ncf/`, checksumOverride: ncfOverride() }));
    expect(readdirSync(dir).sort()).toEqual(['ml-1m.test.negative', 'ml-1m.test.rating', 'ml-1m.train.rating']);
    expect(readFileSync(path.join(dir, 'ml-1m.test.rating'), 'utf8')).toBe(NCF_TEST);
    expect(readFileSync(path.join(dir, 'ml-1m.test.negative'), 'utf8')).toBe(NCF_NEG);
    expect(readFileSync(path.join(dir, 'ml-1m.train.rating'), 'utf8')).toBe(NCF_TRAIN);
    expect(readdirSync(dataRoot)).toEqual(['ml-1m-ncf']);

    const before = hitCount('/ncf/ml-1m.train.rating');
    await downloadDataset('ml-1m-ncf', dataRoot, opts({ baseUrl: `${baseUrl}/ncf/`, checksumOverride: ncfOverride() }));
    expect(hitCount('/ncf/ml-1m.train.rating')).toBe(before);
  });

  it('rejects a train file with the wrong line count, leaving no folder', async () => {
    await expect(downloadDataset('ml-1m-ncf', dataRoot, opts({ baseUrl: `${baseUrl}/ncf-short/`, checksumOverride: ncfOverride() }))).rejects.toThrow(
      /expected 994169 lines, got 10.*ncf-short\/ml-1m\.train\.rating/,
    );
    expect(existsSync(path.join(dataRoot, 'ml-1m-ncf'))).toBe(false);
    expect(readdirSync(dataRoot)).toEqual([]);
  });

  it('accepts a line-count override', async () => {
    const dir = await downloadDataset(
      'ml-1m-ncf',
      dataRoot,
      opts({ baseUrl: `${baseUrl}/ncf-short/`, checksumOverride: { ...ncfOverride(), 'ml-1m.train.rating': { lineCount: 10 } } }),
    );
    expect(readFileSync(path.join(dir, 'ml-1m.train.rating'), 'utf8').split('\n').length).toBe(11);
  });

  it('skipChecksum accepts files without verifying them', async () => {
    const dir = await downloadDataset('ml-1m-ncf', dataRoot, opts({ baseUrl: `${baseUrl}/ncf-short/`, skipChecksum: true }));
    expect(readdirSync(dir)).toHaveLength(3);
  });
});
