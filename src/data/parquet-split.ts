/**
 * A split read from Parquet (readers/parquet.ts) as SplitData: ids renumbered densely in ascending
 * order of the original id over all three files (as the raw releases are), the test rows and
 * negatives as given (no split is made here: whoever wrote the files made it, ncf or Spark).
 */
import { NcfError } from '../util/errors.js';
import { denseIds } from './ids.js';
import { buildInteractions } from './interactions.js';
import type { ParquetSplitFiles } from './readers/parquet.js';
import { latestTrainItems, type SplitData } from './split.js';

function concat(parts: { data: Int32Array; length: number }[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p.data.subarray(0, p.length), at);
    at += p.length;
  }
  return out;
}

export function fromParquetFiles(f: ParquetSplitFiles, dir: string): SplitData {
  const { train, test, negatives } = f;
  const all = (pick: 'users' | 'items'): Int32Array =>
    concat([
      { data: train[pick], length: train.length },
      { data: test[pick], length: test.length },
      { data: negatives[pick], length: negatives.length },
    ]);
  const n = train.length + test.length + negatives.length;
  const users = denseIds(all('users'), n);
  const items = denseIds(all('items'), n);
  const U = users.original.length;
  const I = items.original.length;
  const at = (k: number): { u: number; i: number } => ({ u: users.dense[k], i: items.dense[k] });

  const testItems = new Int32Array(U).fill(-1);
  for (let r = 0; r < test.length; r++) {
    const { u, i } = at(train.length + r);
    if (testItems[u] >= 0) throw new NcfError(`${dir}/test.parquet: user ${test.users[r]} has a second test row (row ${r + 1})`);
    testItems[u] = i;
  }
  const trainUsers = users.dense.subarray(0, train.length);
  const trainItems = items.dense.subarray(0, train.length);
  const isTest = (r: number): boolean => testItems[trainUsers[r]] === trainItems[r];
  for (let r = 0; r < train.length; r++) {
    if (isTest(r)) throw new NcfError(`${dir}/train.parquet: row ${r + 1}: user ${train.users[r]}'s test item ${train.items[r]} is also a training row`);
  }

  // The negatives: the same count for every test user, none for the others.
  const count = new Int32Array(U);
  for (let r = 0; r < negatives.length; r++) count[at(train.length + test.length + r).u]++;
  const testUsers = test.length;
  const per = testUsers === 0 ? 0 : negatives.length / testUsers;
  for (let u = 0; u < U; u++) {
    const want = testItems[u] >= 0 ? per : 0;
    if (count[u] !== want) {
      throw new NcfError(
        `${dir}/test_negatives.parquet: user ${users.original[u]} has ${count[u]} negatives; every user of test.parquet needs the same number (${negatives.length} rows for ${testUsers} test users) and others none`,
      );
    }
  }
  const testNegatives = new Int32Array(U * per).fill(-1);
  const fill = new Int32Array(U);
  for (let r = 0; r < negatives.length; r++) {
    const { u, i } = at(train.length + test.length + r);
    testNegatives[u * per + fill[u]++] = i;
  }
  const hasTimestamps = train.timestamps.some((t) => t !== 0);
  return {
    numUsers: U,
    numItems: I,
    train: buildInteractions(U, I, trainUsers, trainItems, train.length),
    testItems,
    testNegatives,
    negativesPerUser: per,
    userIds: users.original,
    itemIds: items.original,
    movies: f.movies && Array.from(items.original, (id) => f.movies?.get(id)),
    recentTrain: hasTimestamps ? latestTrainItems(U, trainUsers, trainItems, train.timestamps, train.length, () => false) : null,
  };
}
