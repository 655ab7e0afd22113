/**
 * The counter-based sampler (train.sampler "philox"): He et al.'s epoch (each training positive
 * and `negatives` items the user has not trained on, shuffled; under bpr the same draws as pairs),
 * with every instance a pure function of (seed, epoch, its position), so a GPU thread per
 * instance makes the same epoch as this reference does on the host.
 *
 * Shuffle: position q holds source block σ(q), σ a 4-round Feistel permutation of the smallest
 * power-of-two range covering the blocks, walked along its cycle back into range. Source block s
 * is positive p's unit: under bce block s is instance s % (1 + K) of positive ⌊s / (1 + K)⌋ (0:
 * the positive, k: its k-th negative); under bpr pair s % K of positive ⌊s / K⌋. Negative g
 * (= p·K + k − 1 under bce, p·K + k under bpr: the same draws either way) is the first accepted
 * word of Philox(g, t, seed_hi, 0; seed_lo, epoch), t = 0, 1, …: a word x is accepted when
 * x < ⌊2³² / I⌋·I (so x mod I is exactly uniform) and x mod I is not one of the user's
 * training items. The WGSL twin is engines/tfjs/fused/sampler-shaders.ts.
 */
import type { Instances, Objective } from '../core/training.js';
import { NcfError } from '../util/errors.js';
import { philox } from '../util/philox.js';
import { countOf, hasInteraction, type Interactions } from './interactions.js';
import { instancesPerEpoch } from './sampling.js';

/** Philox's fourth counter word: which draws a call is for. */
const NEGATIVES = 0;
const SHUFFLE = 1;
const FEISTEL_ROUNDS = 4;

/** What one epoch's draws depend on, computed once on the host (the device kernel's uniforms). */
export interface CounterPlan {
  numItems: number;
  /** Instances per positive's block: 1 under bce, 2 (positive, negative) under bpr. */
  perBlock: 1 | 2;
  /** Shuffled units: instances under bce, pairs under bpr. */
  blocks: number;
  length: number;
  negatives: number;
  /** Block s's positive is ⌊s / unit⌋: 1 + K under bce, K under bpr. */
  unit: number;
  /** Philox key (seed's low word, epoch) and the seed's high word (third counter word). */
  key0: number;
  key1: number;
  seedHi: number;
  /** Largest raw word accepted for an item draw: ⌊2³² / I⌋·I − 1. */
  lastOk: number;
  /** The permutation's range is 2^(hiBits + loBits); value = hi << loBits | lo. */
  hiBits: number;
  loBits: number;
  roundKeys: Uint32Array;
}

export function counterPlan(train: Interactions, negatives: number, loss: Objective['loss'], seed: number, epoch: number): CounterPlan {
  const length = instancesPerEpoch(train, negatives, loss);
  const perBlock = loss === 'bpr' ? 2 : 1;
  const blocks = length / perBlock;
  if (length >= 2 ** 31) throw new NcfError(`an epoch of ${length} instances is too many for train.sampler "philox" (at most 2^31 − 1)`);
  for (let u = 0; u < train.numUsers; u++) {
    if (negatives > 0 && countOf(train, u) >= train.numItems) throw new NcfError(`user ${u} has interacted with every item: no negatives can be sampled`);
  }
  const bits = Math.max(2, Math.ceil(Math.log2(Math.max(2, blocks))));
  const key0 = seed >>> 0;
  const key1 = epoch >>> 0;
  const seedHi = Math.floor(seed / 2 ** 32) >>> 0;
  const roundKeys = philox(0, 0, seedHi, SHUFFLE, key0, key1, new Uint32Array(4));
  return {
    numItems: train.numItems,
    perBlock,
    blocks,
    length,
    negatives,
    unit: loss === 'bpr' ? negatives : 1 + negatives,
    key0,
    key1,
    seedHi,
    lastOk: Math.floor(2 ** 32 / train.numItems) * train.numItems - 1,
    hiBits: bits >> 1,
    loBits: bits - (bits >> 1),
    roundKeys,
  };
}

/** Wellons' lowbias32: the Feistel round function's mixer. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** σ(q): the source block at shuffled position q (a bijection of [0, blocks)). */
export function shuffledBlock(plan: CounterPlan, q: number): number {
  let v = q;
  do {
    let hiBits = plan.hiBits;
    let loBits = plan.loBits;
    for (let r = 0; r < FEISTEL_ROUNDS; r++) {
      const lo = v & ((1 << loBits) - 1);
      const hi = v >>> loBits;
      // (hi, lo) → (lo, hi ^ F(lo)): the halves trade places and sizes; an even round count restores them.
      const f = mix(lo ^ plan.roundKeys[r]) & ((1 << hiBits) - 1);
      v = ((lo << hiBits) | (hi ^ f)) >>> 0;
      const t = hiBits;
      hiBits = loBits;
      loBits = t;
    }
  } while (v >= plan.blocks);
  return v;
}

/** Negative g of user u: the first accepted Philox word (see the module comment). */
export function counterNegative(train: Interactions, plan: CounterPlan, u: number, g: number, words = new Uint32Array(4)): number {
  const I = plan.numItems;
  for (let t = 0; ; t++) {
    philox(g, t, plan.seedHi, NEGATIVES, plan.key0, plan.key1, words);
    for (let w = 0; w < 4; w++) {
      const x = words[w];
      if (x > plan.lastOk) continue;
      const j = x % I;
      if (!hasInteraction(train, u, j)) return j;
    }
  }
}

/** Epoch `epoch`'s instances under `seed`, written into `out` (allocateInstances(instancesPerEpoch(...))). */
export function sampleCounterInstances(
  train: Interactions,
  negatives: number,
  seed: number,
  epoch: number,
  out: Instances,
  loss: Objective['loss'] = 'bce',
): Instances {
  const plan = counterPlan(train, negatives, loss, seed, epoch);
  if (out.length !== plan.length) throw new Error('instance buffer has the wrong size');
  const userOf = positiveUsers(train);
  const words = new Uint32Array(4);
  const K = plan.negatives;
  for (let q = 0; q < plan.blocks; q++) {
    const s = shuffledBlock(plan, q);
    const p = Math.floor(s / plan.unit);
    const k = s % plan.unit;
    const u = userOf[p];
    const w = q * plan.perBlock;
    out.users[w] = u;
    if (plan.perBlock === 2) {
      out.items[w] = train.items[p];
      out.labels[w] = 1;
      out.users[w + 1] = u;
      out.items[w + 1] = counterNegative(train, plan, u, p * K + k, words);
      out.labels[w + 1] = 0;
    } else if (k === 0) {
      out.items[w] = train.items[p];
      out.labels[w] = 1;
    } else {
      out.items[w] = counterNegative(train, plan, u, p * K + k - 1, words);
      out.labels[w] = 0;
    }
  }
  out.version = (out.version ?? 0) + 1;
  return out;
}

/** The user of each training positive (CSR row of each entry of train.items). */
function positiveUsers(train: Interactions): Int32Array {
  const out = new Int32Array(train.items.length);
  for (let u = 0; u < train.numUsers; u++) out.fill(u, train.offsets[u], train.offsets[u + 1]);
  return out;
}
