/**
 * Training instances and evaluation candidates (He et al. 2017, §4.1 and §3.1.1):
 * each epoch, every training positive plus `negatives` items drawn uniformly from the items the
 * user has not trained on (rejection sampling), shuffled; for evaluation, the held-out item and
 * 99 distinct items the user never interacted with. Under BPR the same draws come as pairs
 * (positive, negative), shuffled as pairs.
 */
import type { Instances, Objective } from '../core/training.js';
import { NcfError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { countOf, hasInteraction, type Interactions } from './interactions.js';
import type { SplitData } from './split.js';

/** Instances over SharedArrayBuffers, so worker threads read them without a copy. */
export function allocateInstances(length: number): Instances {
  return {
    length,
    users: new Int32Array(new SharedArrayBuffer(length * 4)),
    items: new Int32Array(new SharedArrayBuffer(length * 4)),
    labels: new Float32Array(new SharedArrayBuffer(length * 4)),
  };
}

type Loss = Objective['loss'];

/** bce: each positive and its negatives; bpr: two instances (positive, negative) per negative. */
export function instancesPerEpoch(train: Interactions, negatives: number, loss: Loss = 'bce'): number {
  return train.items.length * (loss === 'bpr' ? 2 * negatives : 1 + negatives);
}

/**
 * Fills `out` with one epoch's instances, then shuffles them: under bce each positive followed by
 * its negatives, under bpr the pairs (positive, negative) — the same draws either way.
 */
export function sampleTrainingInstances(train: Interactions, negatives: number, rng: Rng, out: Instances, loss: Loss = 'bce'): Instances {
  const { numUsers: U, numItems: I, offsets, items } = train;
  if (out.length !== instancesPerEpoch(train, negatives, loss)) throw new Error('instance buffer has the wrong size');
  const pairs = loss === 'bpr';
  const ou = out.users;
  const oi = out.items;
  const oy = out.labels;
  let w = 0;
  for (let u = 0; u < U; u++) {
    if (negatives > 0 && countOf(train, u) >= I) {
      throw new NcfError(`user ${u} has interacted with every item: no negatives can be sampled`);
    }
    for (let p = offsets[u]; p < offsets[u + 1]; p++) {
      const i = items[p];
      if (!pairs) {
        ou[w] = u;
        oi[w] = i;
        oy[w++] = 1;
      }
      for (let k = 0; k < negatives; k++) {
        if (pairs) {
          ou[w] = u;
          oi[w] = i;
          oy[w++] = 1;
        }
        let j = rng.nextInt(I);
        while (hasInteraction(train, u, j)) j = rng.nextInt(I);
        ou[w] = u;
        oi[w] = j;
        oy[w++] = 0;
      }
    }
  }
  shuffleInstances(out, rng, pairs ? 2 : 1);
  out.version = (out.version ?? 0) + 1;
  return out;
}

/**
 * Fisher–Yates over the three columns together, moving blocks of `block` consecutive rows (2 under
 * BPR: a pair stays together and in order).
 */
export function shuffleInstances(x: Instances, rng: Rng, block = 1): void {
  const { users, items, labels } = x;
  for (let a = x.length / block - 1; a > 0; a--) {
    const b = rng.nextInt(a + 1);
    for (let o = 0; o < block; o++) {
      const i = a * block + o;
      const j = b * block + o;
      const tu = users[i];
      users[i] = users[j];
      users[j] = tu;
      const ti = items[i];
      items[i] = items[j];
      items[j] = ti;
      const ty = labels[i];
      labels[i] = labels[j];
      labels[j] = ty;
    }
  }
}

/**
 * `n` distinct evaluation negatives per user with a test item: items outside the user's training
 * set and other than the test item. Returns (U × n); rows of users without a test item are −1.
 */
export function sampleEvalNegatives(s: SplitData, n: number, rng: Rng): Int32Array {
  const out = new Int32Array(s.numUsers * n).fill(-1);
  const picked = new Uint8Array(s.numItems);
  for (let u = 0; u < s.numUsers; u++) {
    const test = s.testItems[u];
    if (test < 0) continue;
    const available = s.numItems - countOf(s.train, u) - 1;
    if (available < n) {
      throw new NcfError(`user ${s.userIds[u]} has only ${available} items left to sample ${n} evaluation negatives from; lower data.evalNegatives`);
    }
    const row = u * n;
    for (let k = 0; k < n; k++) {
      let j = rng.nextInt(s.numItems);
      while (j === test || picked[j] === 1 || hasInteraction(s.train, u, j)) j = rng.nextInt(s.numItems);
      picked[j] = 1;
      out[row + k] = j;
    }
    for (let k = 0; k < n; k++) picked[out[row + k]] = 0;
  }
  return out;
}
