/**
 * A split as Parquet files (what `ncf data export --format parquet` writes, or Spark, DuckDB or
 * pandas wrote in its place), read column by column into typed arrays:
 *
 *   train.parquet           user_id, item_id (MovieLens ids), rating (optional), timestamp (optional, unix seconds)
 *   test.parquet            the same columns, one held-out row per evaluated user
 *   test_negatives.parquet  user_id, item_id: the sampled protocol's candidates, the same count per test user
 *   movies.parquet          item_id, title, genres ("|"-separated), optional
 *
 * Each may be one file or a folder of part files (`df.write.parquet("train.parquet")` in Spark
 * writes a folder), read in name order. Ids may be INT32 or INT64, ratings FLOAT or DOUBLE,
 * timestamps INT64/INT32 seconds or a TIMESTAMP column.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { NcfError } from '../../util/errors.js';
import type { MovieInfo, RatingColumns } from '../types.js';

export const PARQUET_FILES = {
  train: 'train.parquet',
  test: 'test.parquet',
  negatives: 'test_negatives.parquet',
  movies: 'movies.parquet',
} as const;

export interface ParquetSplitFiles {
  train: RatingColumns;
  test: RatingColumns;
  /** The negatives' rows, in file order. */
  negatives: { users: Int32Array; items: Int32Array; length: number };
  movies: Map<number, MovieInfo> | null;
}

/** The files of a Parquet path: itself, or a folder's *.parquet in name order. */
function partsOf(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const parts = readdirSync(path)
    .filter((f) => f.endsWith('.parquet') && !f.startsWith('.') && !f.startsWith('_'))
    .sort()
    .map((f) => join(path, f));
  if (parts.length === 0) throw new NcfError(`${path} is a folder without .parquet files`);
  return parts;
}

type Cell = number | bigint | Date | string | null | undefined;

/** Reads the named columns of every part, in order; `optional` columns may be missing (then `fill` gets undefined). */
async function readColumns(path: string, columns: string[], optional: string[], fill: (column: string, row: number, value: Cell) => void): Promise<number> {
  let base = 0;
  for (const part of partsOf(path)) {
    const file = await asyncBufferFromFile(part);
    const metadata = await parquetMetadataAsync(file);
    const have = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
    const missing = columns.filter((c) => !have.has(c) && !optional.includes(c));
    if (missing.length > 0) throw new NcfError(`${part} has no column ${missing.join(', ')} (it has ${[...have].join(', ')})`);
    const read = columns.filter((c) => have.has(c));
    await parquetRead({
      file,
      metadata,
      columns: read,
      onChunk: ({ columnName, columnData, rowStart }) => {
        for (let k = 0; k < columnData.length; k++) fill(columnName, base + rowStart + k, columnData[k] as Cell);
      },
    });
    base += Number(metadata.num_rows);
  }
  return base;
}

/** Rows in a Parquet path (all parts), from the footers alone. */
async function rowCount(path: string): Promise<number> {
  let n = 0;
  for (const part of partsOf(path)) n += Number((await parquetMetadataAsync(await asyncBufferFromFile(part))).num_rows);
  return n;
}

function idOf(path: string, column: string, row: number, v: Cell): number {
  const x = typeof v === 'bigint' ? Number(v) : v;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0x7fffffff) {
    throw new NcfError(`${path}: row ${row + 1}: ${column} is ${String(v)}, not a non-negative 32-bit integer id`);
  }
  return x;
}

function secondsOf(path: string, row: number, v: Cell): number {
  if (v === null || v === undefined) return 0;
  const s = v instanceof Date ? Math.floor(v.getTime() / 1000) : typeof v === 'bigint' ? Number(v) : Number(v);
  if (!Number.isInteger(s) || s < 0 || s > 0xffffffff)
    throw new NcfError(`${path}: row ${row + 1}: timestamp ${String(v)} is not unix seconds between 1970 and 2106`);
  return s;
}

async function readInteractions(path: string, withRatings: boolean): Promise<RatingColumns> {
  const n = await rowCount(path);
  const cols: RatingColumns = {
    length: n,
    users: new Int32Array(n),
    items: new Int32Array(n),
    ratings: new Float32Array(n).fill(1),
    timestamps: new Uint32Array(n),
  };
  const names = withRatings ? ['user_id', 'item_id', 'rating', 'timestamp'] : ['user_id', 'item_id'];
  await readColumns(path, names, ['rating', 'timestamp'], (column, row, v) => {
    if (column === 'user_id') cols.users[row] = idOf(path, column, row, v);
    else if (column === 'item_id') cols.items[row] = idOf(path, column, row, v);
    else if (column === 'rating') cols.ratings[row] = v === null || v === undefined ? 1 : Number(v);
    else cols.timestamps[row] = secondsOf(path, row, v);
  });
  return cols;
}

export async function readMoviesParquet(path: string): Promise<Map<number, MovieInfo>> {
  const n = await rowCount(path);
  const ids = new Int32Array(n);
  const titles: string[] = new Array(n).fill('');
  const genres: string[] = new Array(n).fill('');
  await readColumns(path, ['item_id', 'title', 'genres'], ['genres'], (column, row, v) => {
    if (column === 'item_id') ids[row] = idOf(path, column, row, v);
    else if (column === 'title') titles[row] = String(v ?? '');
    else genres[row] = String(v ?? '');
  });
  const movies = new Map<number, MovieInfo>();
  for (let r = 0; r < n; r++) movies.set(ids[r], { movieId: ids[r], title: titles[r], genres: genres[r] ? genres[r].split('|') : [] });
  return movies;
}

/** The split's files in `dir`; movies.parquet is optional. */
export async function readParquetSplit(dir: string): Promise<ParquetSplitFiles> {
  const path = (f: string): string => join(dir, f);
  for (const f of [PARQUET_FILES.train, PARQUET_FILES.test, PARQUET_FILES.negatives]) {
    if (!existsSync(path(f)))
      throw new NcfError(
        `${path(f)} not found — write the folder with 'ncf data export <dataset> --format parquet --out ${dir}' (or the same files from Spark)`,
      );
  }
  const train = await readInteractions(path(PARQUET_FILES.train), true);
  const test = await readInteractions(path(PARQUET_FILES.test), true);
  const neg = await readInteractions(path(PARQUET_FILES.negatives), false);
  const movies = existsSync(path(PARQUET_FILES.movies)) ? await readMoviesParquet(path(PARQUET_FILES.movies)) : null;
  return { train, test, negatives: { users: neg.users, items: neg.items, length: neg.length }, movies };
}
