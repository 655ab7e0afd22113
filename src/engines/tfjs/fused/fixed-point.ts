/**
 * The fused kernels' sums across threads (row gradients, the workgroups' dense partials and
 * losses) in 64-bit two's-complement fixed point, resolution 2^-40, added with two u32 atomics.
 * Integer addition is associative, so a sum is the same whatever order the GPU's threads arrive
 * in: the same seed gives the same numbers on any GPU. A float add by compare-and-swap would not.
 *
 * Range: a sum must stay below 2^23 in magnitude. An add of 2^20 or more, ±∞ or NaN is not made;
 * it flags the step's loss slot instead, and the step's loss reads as NaN (a NaN added) or
 * Infinity (too large), which stops training as a diverged run.
 *
 * Each loss slot is four words: the sum's low and high words, the flags, and one unused.
 */

/** u32 words per loss slot. */
export const LOSS_WORDS = 4;
const FRACTION_BITS = 40;

/**
 * WGSL: toFixed, fromFixed and outOfRange. Comparisons on the floats' bits, since WGSL lets a
 * compiler assume no NaN.
 */
const FIXED_FNS = `
/** 0 when |x| < 2^20; 1 for NaN; 2 for ±∞ or a finite |x| ≥ 2^20. */
fn outOfRange(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let e = (b >> 23u) & 0xffu;
  if (e < ${127 + 20}u) { return 0u; }
  return select(2u, 1u, e == 255u && (b & 0x7fffffu) != 0u);
}
/** x (|x| < 2^20) as (low, high) words: the magnitude split exactly, then negated in integers. */
fn toFixed(x: f32) -> vec2u {
  let a = round(abs(x) * 0x1p${FRACTION_BITS}f);
  let h = floor(a * 0x1p-32f);
  var lo = u32(a - h * 0x1p32f);
  var hi = u32(h);
  if ((bitcast<u32>(x) >> 31u) == 1u) {
    lo = ~lo + 1u;
    hi = ~hi + select(0u, 1u, lo == 0u);
  }
  return vec2u(lo, hi);
}
fn fromFixed(lo: u32, hi: u32) -> f32 {
  let neg = (hi >> 31u) == 1u;
  var l = lo;
  var h = hi;
  if (neg) {
    l = ~lo + 1u;
    h = ~hi + select(0u, 1u, l == 0u);
  }
  let m = (f32(h) * 0x1p32f + f32(l)) * 0x1p-${FRACTION_BITS}f;
  return select(m, -m, neg);
}`;

/** The step's flag word, where an add out of range or of a NaN leaves its mark. */
const FLAG = `losses[${LOSS_WORDS}u * st.slot + 2u]`;

/** An atomic add of a fixed-point value into words (2i, 2i + 1) of `array`: the carry from the low word's wrap goes into the high word. */
const atomicAddFn = (name: string, array: string): string => `
fn ${name}(i: u32, x: f32) {
  let bad = outOfRange(x);
  if (bad != 0u) { atomicOr(&${FLAG}, bad); return; }
  let v = toFixed(x);
  let old = atomicAdd(&${array}[2u * i], v.x);
  let hi = v.y + select(0u, 1u, old + v.x < old);
  if (hi != 0u) { atomicAdd(&${array}[2u * i + 1u], hi); }
}`;

/**
 * For the step kernels, over `G: array<atomic<u32>>` (two words per parameter) and
 * `losses: array<atomic<u32>>` (LOSS_WORDS per slot), with the step uniform `st`:
 * addTo(parameter, x), and addLoss(x) into the step's own loss slot.
 */
export const FIXED_ADD = `${FIXED_FNS}
${atomicAddFn('addTo', 'G')}
fn addLoss(x: f32) { addSlot(${LOSS_WORDS / 2}u * st.slot, x); }
${atomicAddFn('addSlot', 'losses')}`;

/** For the optimizers: takeGrad(k), parameter k's gradient as a float, its words zeroed for the next step. */
export const FIXED_TAKE = `${FIXED_FNS}
fn takeGrad(k: u32) -> f32 { return fromFixed(atomicExchange(&G[2u * k], 0u), atomicExchange(&G[2u * k + 1u], 0u)); }`;

/** Value k of a fixed-point array read back (words 2k, 2k + 1). */
export function fixedAt(words: Uint32Array, k: number): number {
  return ((words[2 * k + 1] | 0) * 2 ** 32 + words[2 * k]) * 2 ** -FRACTION_BITS;
}

/** Every value of a fixed-point array read back, as floats. */
export function fixedToFloats(words: Uint32Array): Float32Array {
  const out = new Float32Array(words.length / 2);
  for (let k = 0; k < out.length; k++) out[k] = fixedAt(words, k);
  return out;
}

/** The losses of `count` slots read back: NaN where a NaN was added, Infinity where a value was out of range. */
export function slotLosses(words: Uint32Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let s = 0; s < count; s++) {
    const flags = words[LOSS_WORDS * s + 2];
    out[s] = flags & 1 ? Number.NaN : flags & 2 ? Number.POSITIVE_INFINITY : fixedAt(words, (LOSS_WORDS / 2) * s);
  }
  return out;
}
