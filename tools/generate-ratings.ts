/**
 * Writes a synthetic, MovieLens-32M-shaped `ratings.csv` (and a small `movies.csv`) for load and
 * scale tests — real ML-32M is not redistributable here. Seeded and deterministic; streamed, so
 * memory stays small whatever --rows is.
 *
 *   node dist/tools/generate-ratings.js --rows 32000000 --users 200948 --items 87585 --seed 1 --out <dir>
 *
 * Shape, as in ML-32M: users 1..U, each with ≥ 20 ratings and a log-normal (heavily skewed) count;
 * sparse movie ids with a long-tailed (Zipf, s = 1) popularity plus 10% uniform picks; no repeated
 * (user, movie); ratings 0.5..5.0 in half stars (whole stars only before 2003-02-18, as on the real
 * site), from user bias + movie quality + noise; each user's ratings come in sessions with
 * non-decreasing timestamps (ties allowed) within 789652009..1697164000. As in the real file, rows
 * are ordered by userId, then movieId — so timestamps are not monotone in row order.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { NcfError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';

const MIN_PER_USER = 20;
/** userId, movieId and timestamp ≤ 10 digits each, rating 3 bytes, 4 separators. */
const MAX_ROW_BYTES = 40;
const T_MIN = 789652009;
const T_MAX = 1697164000;
/** MovieLens allowed half stars from 2003-02-18. */
const HALF_STARS_FROM = 1045526400;
/** A user rates at most this share of all movies (ML-32M's heaviest user: ~38%). */
const MAX_USER_SHARE = 0.4;
const ZIPF_S = 1.0;
const ZIPF_OFFSET = 30;
const UNIFORM_SHARE = 0.1;
const GENRES = [
  'Action',
  'Adventure',
  'Animation',
  'Children',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'IMAX',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];
const WORDS = [
  'Night',
  'Love',
  'City',
  'Last',
  'Dark',
  'Man',
  'Story',
  'Blue',
  'King',
  'Road',
  'Star',
  'Ghost',
  'Summer',
  'Secret',
  'House',
  'Girl',
  'War',
  'River',
  'Dream',
  'Game',
  'Heart',
  'Time',
  'Lost',
  'Wild',
  'Fire',
  'Island',
  'Moon',
  'Shadow',
];

export interface GeneratorOptions {
  rows: number;
  users: number;
  items: number;
  seed: number;
  out: string;
}

/** Buffered byte writer with backpressure: no string per row. */
class ByteWriter {
  private buf: Buffer;
  private pos = 0;
  constructor(
    private readonly stream: WriteStream,
    size = 1 << 22,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  async ensure(n: number): Promise<void> {
    if (this.pos + n <= this.buf.length) return;
    await this.flush();
  }
  async flush(): Promise<void> {
    if (this.pos === 0) return;
    const full = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.buf.length); // the stream keeps `full` until written
    this.pos = 0;
    if (!this.stream.write(full)) await once(this.stream, 'drain');
  }
  text(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  /** Non-negative integer in decimal. */
  uint(v: number): void {
    let digits = 1;
    for (let p = 10; p <= v; p *= 10) digits++;
    let end = this.pos + digits;
    this.pos = end;
    do {
      this.buf[--end] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
  }
  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

export async function generate(o: GeneratorOptions, log: (msg: string) => void = () => {}): Promise<void> {
  const { rows, users: U, items: I } = o;
  const maxPerUser = Math.max(MIN_PER_USER, Math.floor(I * MAX_USER_SHARE));
  if (!(U >= 1 && I >= MIN_PER_USER)) throw new NcfError(`--users must be ≥ 1 and --items ≥ ${MIN_PER_USER}`);
  if (rows < MIN_PER_USER * U) throw new NcfError(`--rows must be at least ${MIN_PER_USER} × --users = ${MIN_PER_USER * U}`);
  if (rows > maxPerUser * U) throw new NcfError(`--rows must be at most ${maxPerUser * U} (${maxPerUser} per user) for these --users/--items`);
  const rng = new Rng(o.seed);
  mkdirSync(o.out, { recursive: true });

  // Movies: sparse ids (gaps like real movieIds), a popularity rank (random permutation) and a quality.
  const movieIds = new Int32Array(I); // [I] movieId of item index i, increasing
  let gap = 0;
  for (let i = 0; i < I; i++) {
    if (rng.nextFloat() < 0.02) gap += rng.nextInt(200);
    movieIds[i] = i + 1 + gap;
  }
  const byRank = new Int32Array(I); // [I] item index of popularity rank r
  for (let i = 0; i < I; i++) byRank[i] = i;
  for (let i = I - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = byRank[i];
    byRank[i] = byRank[j];
    byRank[j] = t;
  }
  const rankCdf = new Float64Array(I); // [I] cumulative Zipf mass over ranks, normalised to 1
  let mass = 0;
  for (let r = 0; r < I; r++) {
    mass += 1 / (r + ZIPF_OFFSET) ** ZIPF_S;
    rankCdf[r] = mass;
  }
  for (let r = 0; r < I; r++) rankCdf[r] /= mass;
  const quality = new Float32Array(I); // [I]
  for (let i = 0; i < I; i++) quality[i] = 0.45 * rng.nextNormal();

  // Per-user counts: 20 + a log-normal share of the rest, capped, summing exactly to rows.
  const counts = new Int32Array(U); // [U]
  const weights = new Float64Array(U);
  let wSum = 0;
  for (let u = 0; u < U; u++) {
    weights[u] = Math.exp(1.4 * rng.nextNormal());
    wSum += weights[u];
  }
  const extra = rows - MIN_PER_USER * U;
  let assigned = 0;
  for (let u = 0; u < U; u++) {
    counts[u] = Math.min(maxPerUser, MIN_PER_USER + Math.floor((extra * weights[u]) / wSum));
    assigned += counts[u];
  }
  while (assigned < rows) {
    const u = rng.nextInt(U);
    if (counts[u] < maxPerUser) {
      counts[u]++;
      assigned++;
    }
  }

  await writeMovies(join(o.out, 'movies.csv'), movieIds, rng);

  const ratingsPath = join(o.out, 'ratings.csv');
  const w = new ByteWriter(createWriteStream(ratingsPath), Math.max(1 << 22, maxPerUser * MAX_ROW_BYTES));
  w.text('userId,movieId,rating,timestamp\n');
  const seen = new Int32Array(I).fill(-1); // [I] last user that picked item i
  const picked = new Int32Array(maxPerUser); // [n] item indices of one user, in time order
  const stamps = new Uint32Array(maxPerUser); // [n]
  const keys = new Float64Array(maxPerUser); // [n] item * maxPerUser + k, to sort by movieId
  let written = 0;
  for (let u = 0; u < U; u++) {
    const n = counts[u];
    for (let k = 0; k < n; k++) {
      let item: number;
      do {
        if (rng.nextFloat() < UNIFORM_SHARE) item = rng.nextInt(I);
        else item = byRank[lowerBound(rankCdf, rng.nextFloat())];
      } while (seen[item] === u);
      seen[item] = u;
      picked[k] = item;
    }
    // Sessions: a start time, then small steps (ties allowed) and occasional long gaps.
    const start = T_MIN + Math.floor(rng.nextFloat() * (T_MAX - T_MIN) * 0.97);
    const span = Math.min(T_MAX - start, Math.floor(86400 * Math.exp(3 + 2 * rng.nextNormal())));
    const sessions = 1 + Math.floor(n / (5 + rng.nextInt(40)));
    const meanGap = span / sessions;
    let t = start;
    for (let k = 0; k < n; k++) {
      if (k > 0) {
        if (rng.nextFloat() * n < sessions) t += Math.floor(-Math.log(1 - rng.nextFloat()) * meanGap);
        else if (rng.nextFloat() >= 0.25) t += 1 + rng.nextInt(90);
      }
      if (t > T_MAX) t = T_MAX;
      stamps[k] = t;
    }
    for (let k = 0; k < n; k++) keys[k] = picked[k] * maxPerUser + k;
    const order = keys.subarray(0, n).sort();
    const bias = 0.4 * rng.nextNormal();
    const user = u + 1;
    await w.ensure(n * MAX_ROW_BYTES);
    for (let j = 0; j < n; j++) {
      const k = order[j] % maxPerUser;
      const item = picked[k];
      const ts = stamps[k];
      const score = 3.6 + bias + quality[item] + 0.75 * rng.nextNormal();
      // in half stars (1..10) or whole stars (2..10 even)
      let halves = ts >= HALF_STARS_FROM ? Math.round(score * 2) : 2 * Math.round(score);
      halves = Math.max(ts >= HALF_STARS_FROM ? 1 : 2, Math.min(10, halves));
      w.uint(user);
      w.byte(44);
      w.uint(movieIds[item]);
      w.byte(44);
      w.uint(halves >> 1);
      w.byte(46);
      w.byte(halves & 1 ? 53 : 48);
      w.byte(44);
      w.uint(ts);
      w.byte(10);
    }
    written += n;
    if ((u & 0x3fff) === 0) log(`${written.toLocaleString('en-US')} / ${rows.toLocaleString('en-US')} rows`);
  }
  await w.close();
  log(`wrote ${ratingsPath}: ${written} rows`);
}

/** First index r with cdf[r] > x (x in [0, 1)). */
function lowerBound(cdf: Float64Array, x: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** movies.csv with RFC 4180 quoting where a title needs it (commas, quotes). */
async function writeMovies(path: string, movieIds: Int32Array, rng: Rng): Promise<void> {
  const w = new ByteWriter(createWriteStream(path));
  w.text('movieId,title,genres\n');
  const I = movieIds.length;
  for (let i = 0; i < I; i++) {
    const year = 1902 + Math.floor((i / I) * 122);
    const a = WORDS[rng.nextInt(WORDS.length)];
    const b = WORDS[rng.nextInt(WORDS.length)];
    const p = rng.nextFloat();
    let title = p < 0.15 ? `${a} ${b}, The (${year})` : p < 0.17 ? `"${a}" ${b} (${year})` : `${a} ${b} (${year})`;
    if (/[",]/.test(title)) title = `"${title.replace(/"/g, '""')}"`;
    let genres: string;
    if (rng.nextFloat() < 0.01) genres = '(no genres listed)';
    else {
      const g = new Set<string>();
      const k = 1 + rng.nextInt(3);
      while (g.size < k) g.add(GENRES[rng.nextInt(GENRES.length)]);
      genres = [...g].join('|');
    }
    await w.ensure(256);
    w.uint(movieIds[i]);
    w.byte(44);
    w.text(title);
    w.byte(44);
    w.text(genres);
    w.byte(10);
  }
  await w.close();
}

function integerArg(name: string, value: string, min: number): number {
  const v = Number(value);
  if (!/^\d+$/.test(value) || v < min || v > 0xffffffff) {
    throw new NcfError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  }
  return v;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string', default: '32000000' },
      users: { type: 'string', default: '200948' },
      items: { type: 'string', default: '87585' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
    strict: true,
  });
  if (values.out === undefined) throw new NcfError('--out <dir> is required');
  const started = Date.now();
  await generate(
    {
      rows: integerArg('rows', values.rows, 1),
      users: integerArg('users', values.users, 1),
      items: integerArg('items', values.items, 1),
      seed: integerArg('seed', values.seed, 0),
      out: values.out,
    },
    (msg) => process.stderr.write(`${msg}\n`),
  );
  process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof NcfError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
