/**
 * The validation split, made from the training data, on which settings are chosen so that the
 * test split stays unseen: each user's latest training item is held out (where the files have
 * timestamps; He et al.'s ml-1m-ncf files have none, so there — as they did to tune — one
 * training item drawn at random from the seed), and the user trains on the rest. Users with a
 * single training item keep it and are not validated. The sampled protocol's negatives are drawn
 * from items the user never interacted with, the test item included.
 */
import { buildInteractions, countOf } from './interactions.js';
import { sampleEvalNegatives } from './sampling.js';
import { RECENT_TRAIN, type SplitData } from './split.js';
import { Rng } from '../util/rng.js';

export type SplitName = 'test' | 'validation';

const VALIDATION_STREAM = 0x7a11d;

export function validationSplit(s: SplitData, negatives: number, seed: number): SplitData {
  const rng = Rng.derive(seed, VALIDATION_STREAM);
  const held = new Int32Array(s.numUsers).fill(-1);
  for (let u = 0; u < s.numUsers; u++) {
    const n = countOf(s.train, u);
    if (n < 2) continue;
    const latest = s.recentTrain ? s.recentTrain[u * RECENT_TRAIN] : -1;
    held[u] = latest >= 0 ? latest : s.train.items[s.train.offsets[u] + rng.nextInt(n)];
  }
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < s.numUsers; u++) {
    for (let p = s.train.offsets[u]; p < s.train.offsets[u + 1]; p++) {
      if (s.train.items[p] === held[u]) continue;
      users.push(u);
      items.push(s.train.items[p]);
    }
  }
  const train = buildInteractions(s.numUsers, s.numItems, Int32Array.from(users), Int32Array.from(items), users.length);
  // Negatives exclude the test item too: it is one of the user's positives.
  const seen = buildInteractions(
    s.numUsers,
    s.numItems,
    Int32Array.from([...users, ...Array.from(s.testItems.keys()).filter((u) => s.testItems[u] >= 0)]),
    Int32Array.from([...items, ...Array.from(s.testItems).filter((t) => t >= 0)]),
    users.length + s.testItems.filter((t) => t >= 0).length,
  );
  const validation: SplitData = {
    ...s,
    train,
    testItems: held,
    testNegatives: null,
    negativesPerUser: negatives,
    // The held-out item leaves the newest-first list; the rest keep their order.
    recentTrain: s.recentTrain && shiftOut(s.recentTrain, held),
  };
  validation.testNegatives = sampleEvalNegatives({ ...validation, train: seen }, negatives, Rng.derive(seed, VALIDATION_STREAM, 1));
  return validation;
}

/** Each user's newest-first training items without its held-out one, −1 filling the end. */
function shiftOut(recent: Int32Array, held: Int32Array): Int32Array {
  const out = new Int32Array(recent.length).fill(-1);
  for (let u = 0; u < held.length; u++) {
    let w = u * RECENT_TRAIN;
    for (let k = 0; k < RECENT_TRAIN; k++) {
      const i = recent[u * RECENT_TRAIN + k];
      if (i >= 0 && i !== held[u]) out[w++] = i;
    }
  }
  return out;
}

/** The split a config names: the dataset's own (test), or validation made from its training data. */
export function splitFor(s: SplitData, c: { seed: number; data: { split?: SplitName; evalNegatives: number } }): SplitData {
  return c.data.split === 'validation' ? validationSplit(s, c.data.evalNegatives, c.seed) : s;
}
