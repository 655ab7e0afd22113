import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMovies, readNcfFiles, readRatings, type RatingsLayout } from '../../src/data/readers/index.js';
import { DEFAULT_CHUNK_SIZE } from '../../src/data/readers/lines.js';
import type { RatingColumns } from '../../src/data/types.js';
import { NcfError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'ncf-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes `content` to a fresh file in the temp dir and returns its path. */
function file(content: string | Buffer, name = `f${fileCount++}.txt`): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function rows(r: RatingColumns): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < r.length; k++) out.push([r.users[k], r.items[k], r.ratings[k], r.timestamps[k]]);
  return out;
}

/** The NcfError a promise rejects with (fails the test if it resolves or throws something else). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(NcfError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n'); // one line
    return msg;
  }
  throw new Error('expected a rejection');
}

describe('readRatings: line endings and chunking', () => {
  const expected = [
    [1, 10, 4, 100],
    [2, 20, 3.5, 200],
    [3, 30, 0.5, 300],
  ];

  it.each<[RatingsLayout, string]>([
    ['ml-100k', '1\t10\t4\t100\r\n2\t20\t3.5\t200\r\n3\t30\t0.5\t300\r\n'],
    ['dat', '1::10::4::100\r\n2::20::3.5::200\r\n3::30::0.5::300\r\n'],
    ['csv', 'userId,movieId,rating,timestamp\r\n1,10,4.0,100\r\n2,20,3.5,200\r\n3,30,0.5,300\r\n'],
    ['ncf', '1\t10\t4\t100\r\n2\t20\t3.5\t200\r\n3\t30\t0.5\t300\r\n'],
  ])('%s with CRLF', async (layout, content) => {
    expect(rows(await readRatings(file(content), layout))).toEqual(expected);
  });

  it.each<[string, string]>([
    ['no final newline', 'userId,movieId,rating,timestamp\n1,10,4.0,100\n2,20,3.5,200\n3,30,0.5,300'],
    ['no final newline after CR', 'userId,movieId,rating,timestamp\r\n1,10,4.0,100\r\n2,20,3.5,200\r\n3,30,0.5,300\r'],
    ['blank lines at the end', 'userId,movieId,rating,timestamp\n1,10,4.0,100\n2,20,3.5,200\n3,30,0.5,300\n\n\r\n  \n'],
    ['a UTF-8 byte-order mark', '\ufeffuserId,movieId,rating,timestamp\n1,10,4.0,100\n2,20,3.5,200\n3,30,0.5,300\n'],
  ])('csv with %s', async (_name, content) => {
    expect(rows(await readRatings(file(content), 'csv'))).toEqual(expected);
  });

  it('gives the same rows for every chunk size from 1 to 17 bytes (lines, CRLF and BOM split across chunks)', async () => {
    const lines = ['\ufeffuserId,movieId,rating,timestamp'];
    const want: number[][] = [];
    for (let k = 0; k < 80; k++) {
      const row = [k * 7919, (k * 104729) % 300000, ((k % 10) + 1) / 2, 789652009 + k * 12345];
      want.push(row);
      lines.push(`${row[0]},${row[1]},${row[2].toFixed(1)},${row[3]}`);
    }
    const p = file(lines.join('\r\n'));
    for (let chunkSize = 1; chunkSize <= 17; chunkSize++) {
      expect(rows(await readRatings(p, 'csv', undefined, { chunkSize }))).toEqual(want);
    }
  });

  it('reads a file larger than the default chunk size (lines straddle real chunk boundaries)', async () => {
    const n = 120_000; // ~2.6 MB, a few default chunks
    const parts: string[] = [];
    for (let k = 0; k < n; k++) parts.push(`${k}\t${(k * 31) % 5000}\t${(k % 5) + 1}\t${880000000 + k}\n`);
    const content = parts.join('');
    expect(content.length).toBeGreaterThan(2 * DEFAULT_CHUNK_SIZE);
    const r = await readRatings(file(content), 'ml-100k');
    expect(r.length).toBe(n);
    for (let k = 0; k < n; k++) {
      if (r.users[k] !== k || r.items[k] !== (k * 31) % 5000 || r.ratings[k] !== (k % 5) + 1 || r.timestamps[k] !== 880000000 + k) {
        throw new Error(`row ${k} differs: ${rows({ ...r, length: k + 1 }).at(-1)}`);
      }
    }
  });
});

describe('readRatings: errors name file:line and quote the line', () => {
  it('missing file', async () => {
    const p = join(dir, 'nope', 'u.data');
    expect(await failure(readRatings(p, 'ml-100k'))).toBe(`${p} not found`);
  });

  it.each<[string, RatingsLayout, string, number, string]>([
    ['too few fields', 'ml-100k', '1\t2\t3\t4\n5\t6\t7\n', 2, 'expected 4 fields separated by tab, found 3: "5\\t6\\t7"'],
    ['too many fields', 'ncf', '1\t2\t3\t4\t5\n', 1, 'expected 4 fields separated by tab, found 5'],
    ['non-integer user id', 'ml-100k', '1.5\t2\t3\t4\n', 1, 'user id is not an integer: "1.5\\t2\\t3\\t4"'],
    ['non-numeric item id', 'dat', '1::x2::3::4\n', 1, 'item id is not an integer: "1::x2::3::4"'],
    ['negative id', 'csv', 'userId,movieId,rating,timestamp\n1,2,3,4\n-1,2,3,4\n', 3, 'user id is negative: "-1,2,3,4"'],
    ['rating not a number', 'csv', 'userId,movieId,rating,timestamp\n1,2,abc,4\n', 2, 'rating is not a number: "1,2,abc,4"'],
    ['empty rating', 'csv', 'userId,movieId,rating,timestamp\n1,2,,4\n', 2, 'rating is not a number'],
    ['bad timestamp', 'ml-100k', '1\t2\t3\t4.5\n', 1, 'timestamp is not a non-negative 32-bit integer'],
    ['single ":" in a .dat line', 'dat', '1::2:3::4\n', 1, 'bad separator, expected "::": "1::2:3::4"'],
    ['comma-separated .dat', 'dat', '1,2,3,4\n', 1, 'expected 4 fields separated by "::", found 1'],
    ['line number counts blank lines', 'ml-100k', '1\t2\t3\t4\n\n\n1\t2\tx\t4\n', 4, 'rating is not a number'],
  ])('%s', async (_name, layout, content, lineNo, what) => {
    const p = file(content);
    const msg = await failure(readRatings(p, layout));
    expect(msg.startsWith(`${p}:${lineNo}: `)).toBe(true);
    expect(msg).toContain(what);
  });

  it('csv bad header', async () => {
    const p = file('user,movie,rating,timestamp\n1,2,3,4\n');
    expect(await failure(readRatings(p, 'csv'))).toBe(`${p}:1: bad header, expected "userId,movieId,rating,timestamp": "user,movie,rating,timestamp"`);
  });

  it('csv without a header', async () => {
    const p = file('1,2,3.5,4\n');
    expect(await failure(readRatings(p, 'csv'))).toContain(`${p}:1: bad header`);
  });

  it('empty files', async () => {
    const p = file('\n\n');
    expect(await failure(readRatings(p, 'csv'))).toContain(`${p}: empty file`);
    expect(await failure(readRatings(p, 'ml-100k'))).toContain(`${p}: no ratings`);
  });

  it('truncates a long line in the message', async () => {
    const p = file(`1\t2\t3\t4\t${'9'.repeat(500)}\n`);
    const msg = await failure(readRatings(p, 'ml-100k'));
    expect(msg.length).toBeLessThan(p.length + 200);
    expect(msg).toContain('…"');
  });
});

describe('readMovies: edge cases and errors', () => {
  const flags = (on: number[]): string => Array.from({ length: 19 }, (_, g) => (on.includes(g) ? '1' : '0')).join('|');

  it('u.item without u.genre uses the fixed ML-100K genre list; CRLF', async () => {
    const sub = join(dir, 'no-genre');
    mkdirSync(sub);
    const p = join(sub, 'u.item');
    writeFileSync(p, `5|Copycat (1995)|01-Jan-1995||http://x|${flags([6, 8, 16])}\r\n`);
    const m = await readMovies(p, 'ml-100k');
    expect(m.get(5)).toEqual({ movieId: 5, title: 'Copycat (1995)', genres: ['Crime', 'Drama', 'Thriller'] });
  });

  it('u.item: wrong field count', async () => {
    const sub = join(dir, 'bad-item');
    mkdirSync(sub);
    const p = join(sub, 'u.item');
    writeFileSync(p, `1|A (1995)|01-Jan-1995||http://x|${flags([1])}\n2|B (1995)|01-Jan-1995|http://x|${flags([1])}\n`);
    const msg = await failure(readMovies(p, 'ml-100k'));
    expect(msg).toMatch(new RegExp(`^${escapeRegExp(p)}:2: expected 24 '\\|'-separated fields .*found 23: "2\\|B \\(1995\\)`));
  });

  it('movies.dat: bad id and missing separator', async () => {
    const p1 = file('1::Toy Story (1995)::Comedy\nx::Jumanji (1995)::Adventure\n');
    expect(await failure(readMovies(p1, 'dat'))).toBe(`${p1}:2: movie id is not a non-negative integer: "x::Jumanji (1995)::Adventure"`);
    const p2 = file('1::Toy Story (1995)|Comedy\n');
    expect(await failure(readMovies(p2, 'dat'))).toContain(`${p2}:1: expected 3 fields`);
  });

  it('movies.csv: bad header, unterminated quote, duplicate id', async () => {
    const p1 = file('id,title,genres\n1,A,Comedy\n');
    expect(await failure(readMovies(p1, 'csv'))).toBe(`${p1}:1: bad header, expected "movieId,title,genres": "id,title,genres"`);
    const p2 = file('movieId,title,genres\n1,A,Comedy\n2,"B (1995),Drama\n');
    expect(await failure(readMovies(p2, 'csv'))).toMatch(new RegExp(`^${escapeRegExp(p2)}:\\d+: `));
    const p3 = file('movieId,title,genres\n1,A,Comedy\n1,B,Drama\n');
    expect(await failure(readMovies(p3, 'csv'))).toBe(`${p3}:3: duplicate movie id 1: "1,B,Drama"`);
  });

  it('missing file', async () => {
    const p = join(dir, 'missing', 'movies.csv');
    expect(await failure(readMovies(p, 'csv'))).toBe(`${p} not found`);
  });
});

describe('readNcfFiles: negatives must match the test rows', () => {
  let n = 0;
  /** Writes an NCF triple under a fresh prefix and returns it. */
  function ncf(test: string, negative: string): string {
    const prefix = `t${n++}`;
    writeFileSync(join(dir, `${prefix}.train.rating`), '0\t0\t1\t0\n1\t1\t1\t0\n');
    writeFileSync(join(dir, `${prefix}.test.rating`), test);
    writeFileSync(join(dir, `${prefix}.test.negative`), negative);
    return prefix;
  }
  const TEST = '0\t5\t5\t1\n1\t6\t3\t2\n';

  it('accepts trailing tabs and CRLF', async () => {
    const f = await readNcfFiles(dir, ncf(TEST, '(0,5)\t1\t2\t\r\n(1,6)\t3\t4\r\n'));
    expect(f.negativesPerUser).toBe(2);
    expect(Array.from(f.negatives)).toEqual([1, 2, 3, 4]);
  });

  it('(user,item) differs from the test row', async () => {
    const prefix = ncf(TEST, '(0,5)\t1\t2\n(1,7)\t3\t4\n');
    const p = join(dir, `${prefix}.test.negative`);
    expect(await failure(readNcfFiles(dir, prefix))).toBe(
      `${p}:2: (1,7) does not match row 2 of ${join(dir, `${prefix}.test.rating`)}, (1,6): "(1,7)\\t3\\t4"`,
    );
  });

  it('a different number of negatives', async () => {
    const prefix = ncf(TEST, '(0,5)\t1\t2\n(1,6)\t3\n');
    expect(await failure(readNcfFiles(dir, prefix))).toContain(`${prefix}.test.negative:2: expected 2 negatives (as on the first line), found 1`);
  });

  it('fewer or more lines than test rows', async () => {
    const fewer = ncf(TEST, '(0,5)\t1\t2\n');
    expect(await failure(readNcfFiles(dir, fewer))).toContain(`${fewer}.test.negative has 1 lines but`);
    const more = ncf(TEST, '(0,5)\t1\t2\n(1,6)\t3\t4\n(2,7)\t5\t6\n');
    expect(await failure(readNcfFiles(dir, more))).toContain(`${more}.test.negative:3: more lines than`);
  });

  it('malformed prefix and negative ids', async () => {
    const a = ncf(TEST, '0,5\t1\t2\n(1,6)\t3\t4\n');
    expect(await failure(readNcfFiles(dir, a))).toContain(`${a}.test.negative:1: expected "(user,item)" at the start: "0,5\\t1\\t2"`);
    const b = ncf(TEST, '(0,5)\t1\t-2\n(1,6)\t3\t4\n');
    expect(await failure(readNcfFiles(dir, b))).toContain(`${b}.test.negative:1: negative 2: item id is negative`);
  });

  it('missing files', async () => {
    expect(await failure(readNcfFiles(dir, 'absent'))).toMatch(/absent\.(train|test)\.rating not found$/);
    const prefix = ncf(TEST, '');
    rmSync(join(dir, `${prefix}.test.negative`));
    expect(await failure(readNcfFiles(dir, prefix))).toBe(`${join(dir, `${prefix}.test.negative`)} not found`);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
