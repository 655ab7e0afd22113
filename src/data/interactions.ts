/**
 * Per-user item sets in CSR form: user u's items are items[offsets[u] .. offsets[u+1]),
 * sorted ascending and unique, so membership is a binary search and no per-user object exists.
 */
export interface Interactions {
  numUsers: number;
  numItems: number;
  /** (U + 1) */
  offsets: Int32Array;
  /** (nnz) */
  items: Int32Array;
}

/**
 * Builds CSR from parallel (user, item) arrays, skipping rows where `skip(row)` is true.
 * Duplicate pairs collapse to one.
 */
export function buildInteractions(
  numUsers: number,
  numItems: number,
  users: Int32Array,
  items: Int32Array,
  length: number,
  skip?: (row: number) => boolean,
): Interactions {
  const counts = new Int32Array(numUsers + 1);
  for (let r = 0; r < length; r++) if (!skip?.(r)) counts[users[r] + 1]++;
  for (let u = 0; u < numUsers; u++) counts[u + 1] += counts[u];
  const fill = counts.slice(0, numUsers);
  const out = new Int32Array(counts[numUsers]);
  for (let r = 0; r < length; r++) if (!skip?.(r)) out[fill[users[r]]++] = items[r];
  // Sort each user's segment, then compact away duplicates.
  const offsets = new Int32Array(numUsers + 1);
  let w = 0;
  for (let u = 0; u < numUsers; u++) {
    const seg = out.subarray(counts[u], counts[u + 1]).sort();
    offsets[u] = w;
    for (let k = 0; k < seg.length; k++) if (k === 0 || seg[k] !== seg[k - 1]) out[w++] = seg[k];
  }
  offsets[numUsers] = w;
  return { numUsers, numItems, offsets, items: w === out.length ? out : out.slice(0, w) };
}

/** The same pairs by item: item i's users are users[offsets[i] .. offsets[i+1]), ascending. */
export function usersByItem(x: Interactions): { offsets: Int32Array; users: Int32Array } {
  const offsets = new Int32Array(x.numItems + 1);
  for (let e = 0; e < x.items.length; e++) offsets[x.items[e] + 1]++;
  for (let i = 0; i < x.numItems; i++) offsets[i + 1] += offsets[i];
  const fill = offsets.slice(0, x.numItems);
  const users = new Int32Array(x.items.length);
  for (let u = 0; u < x.numUsers; u++) for (let e = x.offsets[u]; e < x.offsets[u + 1]; e++) users[fill[x.items[e]]++] = u;
  return { offsets, users };
}

/** Whether item `i` is in user `u`'s set (binary search). */
export function hasInteraction(x: Interactions, u: number, i: number): boolean {
  let lo = x.offsets[u];
  let hi = x.offsets[u + 1] - 1;
  const items = x.items;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = items[mid];
    if (v === i) return true;
    if (v < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export function countOf(x: Interactions, u: number): number {
  return x.offsets[u + 1] - x.offsets[u];
}
