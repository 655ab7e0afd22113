/**
 * MovieLens ratings files → RatingColumns, parsed from bytes (see lines.ts for why not csv-parse:
 * it builds an array of strings per row, far too slow and garbage-heavy at ML-32M's 32M rows).
 */
import type { RatingColumns } from '../types.js';
import { NcfError } from '../../util/errors.js';
import { RatingColumnsBuilder } from './columns.js';
import { BAD_SEPARATOR, DECIMAL, FieldBuffer, INTEGER, scanNumericFields } from './fields.js';
import { forEachLine, lineError, type LineStreamOptions } from './lines.js';

/**
 * - `ml-100k`: `u.data`, `user\titem\trating\ttimestamp`
 * - `dat`: ML-1M / ML-10M `ratings.dat`, `UserID::MovieID::Rating::Timestamp`
 * - `csv`: ML-20M/25M/32M/latest `ratings.csv`, header `userId,movieId,rating,timestamp`
 * - `ncf`: He et al.'s `*.train.rating` / `*.test.rating`, `user\titem\trating\ttimestamp`
 */
export type RatingsLayout = 'ml-100k' | 'dat' | 'csv' | 'ncf';

interface LayoutSpec {
  sep: number;
  sepLen: number;
  /** Shown in messages. */
  sepName: string;
  /** Exact first line, if the layout has a header. */
  header?: string;
}

const LAYOUTS: Record<RatingsLayout, LayoutSpec> = {
  'ml-100k': { sep: 9, sepLen: 1, sepName: 'tab' },
  dat: { sep: 58, sepLen: 2, sepName: '"::"' },
  csv: { sep: 44, sepLen: 1, sepName: '","', header: 'userId,movieId,rating,timestamp' },
  ncf: { sep: 9, sepLen: 1, sepName: 'tab' },
};

const MAX_ID = 0x7fffffff; // Int32Array
const MAX_TIMESTAMP = 0xffffffff; // Uint32Array

/** Internal knobs for tests. */
export interface ReadRatingsOptions {
  chunkSize?: number;
}

/**
 * Streams a ratings file into RatingColumns (original ids, ratings as in the file). Blank lines are
 * skipped; CRLF and a missing final newline are fine. Any malformed line throws an NcfError
 * `<path>:<line>: <what is wrong>: "<line>"`; a missing file `<path> not found`.
 */
export async function readRatings(
  path: string,
  layout: RatingsLayout,
  onProgress?: (bytesDone: number, bytesTotal: number) => void,
  options: ReadRatingsOptions = {},
): Promise<RatingColumns> {
  const spec = LAYOUTS[layout];
  if (spec === undefined) throw new NcfError(`unknown ratings layout '${String(layout)}' (expected ${Object.keys(LAYOUTS).join(', ')})`);
  const { sep, sepLen } = spec;
  const header = spec.header === undefined ? null : Buffer.from(spec.header, 'latin1');
  const builder = new RatingColumnsBuilder();
  const fields = new FieldBuffer(4);
  const values = fields.values;
  const kinds = fields.kinds;
  let sawHeader = header === null;

  const streamOptions: LineStreamOptions = {
    chunkSize: options.chunkSize,
    onProgress: (done, total) => {
      builder.setProgress(done, total);
      onProgress?.(done, total);
    },
  };

  await forEachLine(
    path,
    (buf, start, end, lineNo) => {
      if (!sawHeader) {
        if (header !== null && !buf.subarray(start, end).equals(header)) {
          throw lineError(path, lineNo, `bad header, expected "${spec.header}"`, buf, start, end);
        }
        sawHeader = true;
        return;
      }
      const n = scanNumericFields(buf, start, end, sep, sepLen, fields);
      if (n === BAD_SEPARATOR) throw lineError(path, lineNo, `bad separator, expected ${spec.sepName}`, buf, start, end);
      if (n !== 4) throw lineError(path, lineNo, `expected 4 fields separated by ${spec.sepName}, found ${n}`, buf, start, end);
      const user = values[0];
      const item = values[1];
      const rating = values[2];
      const timestamp = values[3];
      if (kinds[0] !== INTEGER || user < 0 || user > MAX_ID) throw lineError(path, lineNo, idProblem('user', kinds[0], user), buf, start, end);
      if (kinds[1] !== INTEGER || item < 0 || item > MAX_ID) throw lineError(path, lineNo, idProblem('item', kinds[1], item), buf, start, end);
      if (kinds[2] !== INTEGER && kinds[2] !== DECIMAL) throw lineError(path, lineNo, 'rating is not a number', buf, start, end);
      if (kinds[3] !== INTEGER || timestamp < 0 || timestamp > MAX_TIMESTAMP) {
        throw lineError(path, lineNo, 'timestamp is not a non-negative 32-bit integer', buf, start, end);
      }
      builder.push(user, item, rating, timestamp);
    },
    streamOptions,
  );
  if (!sawHeader) throw new NcfError(`${path}: empty file, expected the header "${spec.header}"`);
  if (builder.length === 0) throw new NcfError(`${path}: no ratings in the file`);
  return builder.finish();
}

/** What is wrong with an id field, for an error message. */
export function idProblem(name: string, kind: number, value: number): string {
  if (kind !== INTEGER) return `${name} id is not an integer`;
  if (value < 0) return `${name} id is negative`;
  return `${name} id is too large (over ${MAX_ID})`;
}
