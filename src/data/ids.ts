/**
 * Dense id remapping: original ids (sparse, e.g. MovieLens MovieIDs up to ~290k) become
 * 0..n-1 in ascending order of the original id, so the mapping does not depend on file order.
 */
export interface IdMap {
  /** dense → original */
  original: Int32Array;
  /** The input column, remapped to dense ids. */
  dense: Int32Array;
}

export function denseIds(ids: Int32Array, length: number): IdMap {
  let max = -1;
  for (let r = 0; r < length; r++) if (ids[r] > max) max = ids[r];
  // A lookup table over [0, max] is cheapest for MovieLens-sized ids (max ≈ 300k).
  const lookup = new Int32Array(max + 1).fill(-1);
  for (let r = 0; r < length; r++) lookup[ids[r]] = 0;
  let n = 0;
  for (let v = 0; v <= max; v++) if (lookup[v] === 0) lookup[v] = n++;
  const original = new Int32Array(n);
  for (let v = 0; v <= max; v++) if (lookup[v] >= 0) original[lookup[v]] = v;
  const dense = new Int32Array(length);
  for (let r = 0; r < length; r++) dense[r] = lookup[ids[r]];
  return { original, dense };
}
