/**
 * The host side of the fused kernels' fixed-point sums (src/engines/tfjs/fused/fixed-point.ts):
 * words read back decode to the value they hold, and a flagged loss slot to NaN or Infinity.
 */
import { describe, expect, it } from 'vitest';
import { fixedAt, fixedToFloats, LOSS_WORDS, slotLosses } from '../../src/engines/tfjs/fused/fixed-point.js';

/** x·2^40 as two's-complement (lo, hi) words, by BigInt: the encoding written independently of the code under test. */
function words(...xs: number[]): Uint32Array {
  const out = new Uint32Array(2 * xs.length);
  xs.forEach((x, k) => {
    const v = BigInt.asUintN(64, BigInt(Math.round(x * 2 ** 40)));
    out[2 * k] = Number(v & 0xffffffffn);
    out[2 * k + 1] = Number(v >> 32n);
  });
  return out;
}

describe('fixed-point sums read back', () => {
  it('decode positive, negative, sub-word and multi-word values exactly', () => {
    const xs = [0, 1, -1, 2 ** -40, -(2 ** -40), 0.3, -0.3, 12345.678, -(2 ** 22) + 2 ** -20, 2 ** -33];
    const w = words(...xs);
    for (const [k, x] of xs.entries()) expect(fixedAt(w, k), String(x)).toBe(Math.round(x * 2 ** 40) * 2 ** -40);
    expect([...fixedToFloats(w)]).toEqual(xs.map((x) => Math.fround(Math.round(x * 2 ** 40) * 2 ** -40)));
  });

  it('a wrapped low word carries into the high word: (2^32 − 1)·2^-40 + 2^-40 = 2^-8', () => {
    // What the kernels' atomic add leaves after adding those two: low word 0, high word 1.
    expect(fixedAt(Uint32Array.of(0, 1), 0)).toBe(2 ** -8);
    expect(fixedAt(words(2 ** -8 - 2 ** -40), 0) + 2 ** -40).toBe(2 ** -8);
  });

  it('a slot flagged for a NaN reads NaN, one flagged out of range reads Infinity, others their sum', () => {
    const slots = new Uint32Array(3 * LOSS_WORDS);
    slots.set(words(0.625), 0);
    slots.set(words(0.5), LOSS_WORDS);
    slots[LOSS_WORDS + 2] = 2;
    slots[2 * LOSS_WORDS + 2] = 3;
    const out = slotLosses(slots, 3);
    expect(out[0]).toBe(Math.fround(Math.round(0.625 * 2 ** 40) * 2 ** -40));
    expect(out[1]).toBe(Number.POSITIVE_INFINITY);
    expect(out[2]).toBeNaN();
  });
});
