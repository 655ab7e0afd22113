/** How far apart two engines' numbers are. */
import type { Weights } from '../../src/core/model.js';

/** ‖a − b‖ / ‖b‖ (absolute when b is all zeros). */
export function relError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < a.length; k++) {
    num += (a[k] - b[k]) ** 2;
    den += b[k] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/** The largest |a − b| over every parameter of `a` (b must hold the same names). */
export function maxAbsDiff(a: Weights, b: Weights): number {
  let d = 0;
  for (const [k, v] of a) {
    const w = b.get(k)!;
    for (let j = 0; j < v.length; j++) d = Math.max(d, Math.abs(v[j] - w[j]));
  }
  return d;
}
