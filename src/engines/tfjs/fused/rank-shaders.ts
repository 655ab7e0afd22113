/**
 * Evaluation's ranks counted beside the scores: one workgroup per row (a user and its held-out
 * item), its threads striding over the candidates with the model's own logit(u, i), the row's
 * count summed by integer atomics (any order gives the same count). Counted as eval/metrics.ts
 * counts on the host: a candidate scoring at least as high as the held-out item, or NaN, counts
 * against it, and a NaN held-out item ranks behind every candidate. WGSL lets a compiler assume
 * no NaN in float comparisons, so the comparisons are made on the floats' bits: NaN by its
 * exponent and mantissa, order by a key that sorts as the floats do (−0 as +0).
 */

export const RANK_WORKGROUP = 64;

const COMMON = `
@group(0) @binding(0) var<storage, read> P: array<f32>;
@group(0) @binding(1) var<storage, read> rows: array<u32>;
@group(0) @binding(2) var<storage, read_write> ranks: array<u32>;
@group(0) @binding(3) var<uniform> dims: vec4u;

fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
/** x's bits as an unsigned key in the floats' order, −0 as +0 (for non-NaN x). */
fn orderKey(x: f32) -> u32 {
  var b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) == 0u) { b = 0u; }
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}

var<workgroup> held: f32;
var<workgroup> hits: atomic<u32>;

/** 1 when a candidate scoring s counts against a held-out item scoring h. */
fn against(s: f32, h: f32) -> u32 {
  return select(0u, 1u, isNan(h) || isNan(s) || orderKey(s) >= orderKey(h));
}`;

const ENTRY = `@compute @workgroup_size(${RANK_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = wid.x + wid.y * nw.x;
  if (row >= dims.x) { return; }`;

/**
 * rows = [users (n) | items (n × width)], row a's held-out item first among its width;
 * dims = (n, width).
 */
export function rankSampledShader(logitCode: string): string {
  return `${COMMON}
${logitCode}
${ENTRY}
  let n = dims.x;
  let width = dims.y;
  let u = rows[row];
  let base = n + row * width;
  if (li == 0u) {
    held = logit(u, rows[base]);
    atomicStore(&hits, 0u);
  }
  workgroupBarrier();
  let h = held;
  let t = rows[base];
  var r = 0u;
  // A copy of the held-out item among the negatives is no competitor (eval/metrics.ts, rankAmongSampled).
  for (var j = 1u + li; j < width; j += ${RANK_WORKGROUP}u) {
    let i = rows[base + j];
    if (i != t) { r += against(logit(u, i), h); }
  }
  atomicAdd(&hits, r);
  workgroupBarrier();
  if (li == 0u) { ranks[row] = atomicLoad(&hits); }
}`;
}

/**
 * rows = [users (n) | held-out items (n)]; dims = (n, numItems). Every item but the held-out one
 * is counted, then the user's trained items (CSR at bindings 4 and 5) are taken back out: the
 * same logit of the same pair gives the same bits, and a user trains on a few percent of the
 * items, so this costs less than testing each item's membership.
 */
export function rankFullShader(logitCode: string): string {
  return `${COMMON}
@group(0) @binding(4) var<storage, read> offsets: array<u32>;
@group(0) @binding(5) var<storage, read> trained: array<u32>;
${logitCode}
${ENTRY}
  let n = dims.x;
  let numItems = dims.y;
  let u = rows[row];
  let t = rows[n + row];
  if (li == 0u) {
    held = logit(u, t);
    atomicStore(&hits, 0u);
  }
  workgroupBarrier();
  let h = held;
  // u32 arithmetic wraps: a thread's count may go below zero, the row's sum cannot.
  var r = 0u;
  for (var j = li; j < numItems; j += ${RANK_WORKGROUP}u) {
    if (j != t) { r += against(logit(u, j), h); }
  }
  for (var p = offsets[u] + li; p < offsets[u + 1u]; p += ${RANK_WORKGROUP}u) {
    let i = trained[p];
    if (i != t) { r -= against(logit(u, i), h); }
  }
  atomicAdd(&hits, r);
  workgroupBarrier();
  if (li == 0u) { ranks[row] = atomicLoad(&hits); }
}`;
}
