/**
 * He et al.'s NCF files (hexiangnan/neural_collaborative_filtering, Data/):
 *   `<prefix>.train.rating`, `<prefix>.test.rating`  user\titem\trating\ttimestamp (0-based ids)
 *   `<prefix>.test.negative`                         (user,item)\tneg1\tneg2 … negN
 * Line k of the negatives belongs to test row k. Parsed from bytes like the ratings (lines.ts).
 */
import { join } from 'node:path';
import type { NcfFiles, RatingColumns } from '../types.js';
import { NcfError } from '../../util/errors.js';
import { FieldBuffer, INTEGER, parseUint, scanNumericFields } from './fields.js';
import { forEachLine, lineError } from './lines.js';
import { idProblem, readRatings, type ReadRatingsOptions } from './ratings.js';

const TAB = 9;
const SPACE = 32;
const OPEN = 40; // (
const CLOSE = 41; // )
const COMMA = 44;
const MAX_ID = 0x7fffffff;

/** Reads `${dir}/${prefix}.{train.rating,test.rating,test.negative}`; prefix defaults to 'ml-1m'. */
export async function readNcfFiles(dir: string, prefix = 'ml-1m', options: ReadRatingsOptions = {}): Promise<NcfFiles> {
  const base = join(dir, prefix);
  const [train, test] = await Promise.all([
    readRatings(`${base}.train.rating`, 'ncf', undefined, options),
    readRatings(`${base}.test.rating`, 'ncf', undefined, options),
  ]);
  const testPath = `${base}.test.rating`;
  const { negatives, negativesPerUser } = await readNegatives(`${base}.test.negative`, test, testPath, options);
  return { train, test, negatives, negativesPerUser };
}

/**
 * Reads a `.test.negative` file whose line k must name test row k's (user,item); every line must
 * have the same number of negatives as the first.
 */
export async function readNegatives(
  path: string,
  test: RatingColumns,
  testPath: string,
  options: ReadRatingsOptions = {},
): Promise<{ negatives: Int32Array; negativesPerUser: number }> {
  // Scratch space for one line's negatives; replaced once if the first line has more.
  let fields = new FieldBuffer(1024);
  let perUser = -1;
  let negatives = new Int32Array(0);
  let row = 0;

  await forEachLine(
    path,
    (buf, start, end, lineNo) => {
      // "(user,item)" then a tab
      if (buf[start] !== OPEN) throw lineError(path, lineNo, 'expected "(user,item)" at the start', buf, start, end);
      const comma = buf.indexOf(COMMA, start);
      const close = buf.indexOf(CLOSE, start);
      if (comma < 0 || close < 0 || comma > close || close >= end) {
        throw lineError(path, lineNo, 'expected "(user,item)" at the start', buf, start, end);
      }
      const user = parseUint(buf, start + 1, comma);
      const item = parseUint(buf, comma + 1, close);
      if (user < 0 || user > MAX_ID || item < 0 || item > MAX_ID) {
        throw lineError(path, lineNo, '"(user,item)" must hold two non-negative integers', buf, start, end);
      }
      if (row >= test.length) {
        throw lineError(path, lineNo, `more lines than ${testPath} has rows (${test.length})`, buf, start, end);
      }
      if (user !== test.users[row] || item !== test.items[row]) {
        throw lineError(
          path,
          lineNo,
          `(${user},${item}) does not match row ${row + 1} of ${testPath}, (${test.users[row]},${test.items[row]})`,
          buf,
          start,
          end,
        );
      }
      // the negatives; tolerate trailing tabs/spaces
      let last = end;
      while (last > close + 1 && (buf[last - 1] === TAB || buf[last - 1] === SPACE)) last--;
      let n = 0;
      if (last > close + 1) {
        if (buf[close + 1] !== TAB) throw lineError(path, lineNo, 'expected a tab after "(user,item)"', buf, start, end);
        n = scanNumericFields(buf, close + 2, last, TAB, 1, fields);
        if (n > fields.capacity && perUser < 0) {
          fields = new FieldBuffer(n + 1); // first line longer than the scratch space: rescan
          n = scanNumericFields(buf, close + 2, last, TAB, 1, fields);
        }
      }
      if (perUser < 0) {
        perUser = n;
        negatives = new Int32Array(test.length * perUser);
      } else if (n !== perUser) {
        throw lineError(path, lineNo, `expected ${perUser} negatives (as on the first line), found ${n}`, buf, start, end);
      }
      const values = fields.values;
      const kinds = fields.kinds;
      const offset = row * perUser;
      for (let j = 0; j < n; j++) {
        const v = values[j];
        if (kinds[j] !== INTEGER || v < 0 || v > MAX_ID) {
          throw lineError(path, lineNo, `negative ${j + 1}: ${idProblem('item', kinds[j], v)}`, buf, start, end);
        }
        negatives[offset + j] = v;
      }
      row++;
    },
    { chunkSize: options.chunkSize },
  );
  if (row !== test.length) {
    throw new NcfError(`${path} has ${row} lines but ${testPath} has ${test.length} rows: they must match line for line`);
  }
  return { negatives, negativesPerUser: perUser };
}
