/**
 * A split as Parquet (what readers/parquet.ts, Spark and DuckDB read): train.parquet and
 * test.parquet (user_id, item_id: MovieLens ids, INT32; rating FLOAT; timestamp INT64 unix
 * seconds), test_negatives.parquet (user_id, item_id: each test user's sampled-protocol
 * candidates, in test.parquet's user order) and, where the dataset has titles, movies.parquet
 * (item_id, title, genres "|"-separated). Columns are REQUIRED, SNAPPY-compressed, in row groups
 * of ROW_GROUP rows, so memory stays bounded on ML-32M.
 */
import { join } from 'node:path';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { PARQUET_FILES } from '../data/readers/parquet.js';
import type { SplitRows } from '../data/split-rows.js';
import type { MovieInfo, RatingColumns } from '../data/types.js';

export const ROW_GROUP = 1 << 20;

/** hyparquet-writer's own SchemaElement (it may depend on another hyparquet than ncf's reader). */
type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

type Column =
  | { name: string; type: 'INT32'; data: Int32Array }
  | { name: string; type: 'FLOAT'; data: Float32Array }
  | { name: string; type: 'INT64'; data: Uint32Array }
  | { name: string; type: 'STRING'; data: string[] };

function schemaOf(columns: Column[]): SchemaElement[] {
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map(
      (c): SchemaElement =>
        c.type === 'STRING'
          ? { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' }
          : { name: c.name, type: c.type, repetition_type: 'REQUIRED' },
    ),
  ];
}

/** One file, written a row group at a time (INT64 columns are widened per group, not whole). */
function writeFile(path: string, columns: Column[], length: number, kv: Record<string, string>): void {
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema: schemaOf(columns),
    kvMetadata: Object.entries(kv).map(([key, value]) => ({ key, value })),
    createdBy: 'ncf (hyparquet-writer)',
  });
  for (let start = 0; start < length; start += ROW_GROUP) {
    const end = Math.min(length, start + ROW_GROUP);
    const columnData = columns.map((c) => ({
      name: c.name,
      nullable: false,
      data:
        c.type === 'INT64'
          ? BigInt64Array.from(c.data.subarray(start, end), BigInt)
          : c.type === 'STRING'
            ? c.data.slice(start, end)
            : c.data.subarray(start, end),
    }));
    void writer.write({ columnData, rowGroupSize: ROW_GROUP }); // synchronous: the file writer has no async flush
  }
  writer.finish();
}

function interactionColumns(c: RatingColumns): Column[] {
  return [
    { name: 'user_id', type: 'INT32', data: c.users.subarray(0, c.length) },
    { name: 'item_id', type: 'INT32', data: c.items.subarray(0, c.length) },
    { name: 'rating', type: 'FLOAT', data: c.ratings.subarray(0, c.length) },
    { name: 'timestamp', type: 'INT64', data: c.timestamps.subarray(0, c.length) },
  ];
}

/** Each test row's user's negatives (dense, U × n) as original ids, in the test rows' order. */
function negativeColumns(rows: SplitRows, negatives: Int32Array, n: number): Column[] {
  const { test } = rows;
  const userIndex = new Map<number, number>();
  for (const [u, id] of rows.userIds.entries()) userIndex.set(id, u);
  const users = new Int32Array(test.length * n);
  const items = new Int32Array(test.length * n);
  for (let r = 0; r < test.length; r++) {
    const u = userIndex.get(test.users[r]);
    if (u === undefined) throw new Error(`test user ${test.users[r]} is not in the split's ids`);
    for (let k = 0; k < n; k++) {
      users[r * n + k] = test.users[r];
      items[r * n + k] = rows.itemIds[negatives[u * n + k]];
    }
  }
  return [
    { name: 'user_id', type: 'INT32', data: users },
    { name: 'item_id', type: 'INT32', data: items },
  ];
}

function movieColumns(movies: MovieInfo[]): Column[] {
  return [
    { name: 'item_id', type: 'INT32', data: Int32Array.from(movies, (m) => m.movieId) },
    { name: 'title', type: 'STRING', data: movies.map((m) => m.title) },
    { name: 'genres', type: 'STRING', data: movies.map((m) => m.genres.join('|')) },
  ];
}

export interface ParquetCounts {
  train: number;
  test: number;
  negatives: number;
  movies: number;
}

/** Writes the split's files into `dir` (which must exist); `kv` goes into every file's key-value metadata. */
export function writeParquetSplit(
  dir: string,
  rows: SplitRows,
  candidates: { negatives: Int32Array; n: number },
  kv: Record<string, string>,
): { files: string[]; counts: ParquetCounts } {
  const files: string[] = [];
  const write = (name: string, columns: Column[], length: number): void => {
    const path = join(dir, name);
    writeFile(path, columns, length, kv);
    files.push(path);
  };
  write(PARQUET_FILES.train, interactionColumns(rows.train), rows.train.length);
  write(PARQUET_FILES.test, interactionColumns(rows.test), rows.test.length);
  write(PARQUET_FILES.negatives, negativeColumns(rows, candidates.negatives, candidates.n), rows.test.length * candidates.n);
  if (rows.movies) write(PARQUET_FILES.movies, movieColumns(rows.movies), rows.movies.length);
  return {
    files,
    counts: { train: rows.train.length, test: rows.test.length, negatives: rows.test.length * candidates.n, movies: rows.movies?.length ?? 0 },
  };
}
