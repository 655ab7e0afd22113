/**
 * WGSL for the counter-based sampler (data/counter-sampling.ts, its reference and its spec): one
 * thread per shuffled block writes its instance (or pair) straight into the epoch buffer
 * [users | items | labels], the layout the step kernels read. The same u32 arithmetic as the host
 * code, so both make the same bits: Philox4x32-10 with 16-bit products, the Feistel shuffle with
 * cycle walking, the user of a positive and each training-item test by binary search in the CSR.
 */
import { WORKGROUP } from './mf-shaders.js';

/** The uniform's fields, in order, as u32 (rk: the four Feistel round keys, last). */
export const PLAN_FIELDS = [
  'blocks',
  'perBlock',
  'unit',
  'K',
  'U',
  'I',
  'n',
  'lastOk',
  'key0',
  'key1',
  'seedHi',
  'hiBits',
  'loBits',
  'width',
  'pad0',
  'pad1',
] as const;

const PHILOX = `
fn mulhi(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let lh = al * bh;
  let hl = ah * bl;
  let mid = ((al * bl) >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}
fn philox(c: vec4<u32>, k: vec2<u32>) -> vec4<u32> {
  var x = c;
  var key = k;
  for (var r = 0u; r < 10u; r++) {
    let hi0 = mulhi(0xd2511f53u, x.x);
    let lo0 = 0xd2511f53u * x.x;
    let hi1 = mulhi(0xcd9e8d57u, x.z);
    let lo1 = 0xcd9e8d57u * x.z;
    x = vec4<u32>(hi1 ^ x.y ^ key.x, lo1, hi0 ^ x.w ^ key.y, lo0);
    key = key + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return x;
}`;

export function samplerShader(): string {
  return `
struct Plan {
${PLAN_FIELDS.map((f) => `  ${f}: u32,`).join('\n')}
  rk: vec4<u32>,
}
@group(0) @binding(0) var<storage, read> train: array<u32>;  // offsets (U + 1), then items
@group(0) @binding(1) var<storage, read_write> out: array<u32>;  // users (n) | items (n) | labels (n, f32 bits)
@group(0) @binding(2) var<uniform> plan: Plan;
${PHILOX}
fn mix(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  return x ^ (x >> 16u);
}
fn shuffled(q: u32) -> u32 {
  var v = q;
  loop {
    var hb = plan.hiBits;
    var lb = plan.loBits;
    for (var r = 0u; r < 4u; r++) {
      let lo = v & ((1u << lb) - 1u);
      let hi = v >> lb;
      let f = mix(lo ^ plan.rk[r]) & ((1u << hb) - 1u);
      v = (lo << hb) | (hi ^ f);
      let t = hb;
      hb = lb;
      lb = t;
    }
    if (v < plan.blocks) { break; }
  }
  return v;
}
fn userOf(p: u32) -> u32 {
  var lo = 0u;
  var hi = plan.U;
  while (lo < hi) {
    let mid = (lo + hi) >> 1u;
    if (train[mid] <= p) { lo = mid + 1u; } else { hi = mid; }
  }
  return lo - 1u;
}
fn trainedOn(u: u32, j: u32) -> bool {
  var lo = i32(train[u]);
  var hi = i32(train[u + 1u]) - 1;
  let base = plan.U + 1u;
  while (lo <= hi) {
    let mid = (lo + hi) >> 1u;
    let v = train[base + u32(mid)];
    if (v == j) { return true; }
    if (v < j) { lo = mid + 1; } else { hi = mid - 1; }
  }
  return false;
}
fn negative(u: u32, g: u32) -> u32 {
  var t = 0u;
  loop {
    let w = philox(vec4<u32>(g, t, plan.seedHi, 0u), vec2<u32>(plan.key0, plan.key1));
    for (var k = 0u; k < 4u; k++) {
      let x = w[k];
      if (x <= plan.lastOk) {
        let j = x % plan.I;
        if (!trainedOn(u, j)) { return j; }
      }
    }
    t++;
  }
}
const ONE = 0x3f800000u;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let q = id.x + id.y * plan.width;
  if (q >= plan.blocks) { return; }
  let s = shuffled(q);
  let p = s / plan.unit;
  let k = s % plan.unit;
  let u = userOf(p);
  let n = plan.n;
  let w = q * plan.perBlock;
  out[w] = u;
  if (plan.perBlock == 2u) {
    out[n + w] = train[plan.U + 1u + p];
    out[2u * n + w] = ONE;
    out[w + 1u] = u;
    out[n + w + 1u] = negative(u, p * plan.K + k);
    out[2u * n + w + 1u] = 0u;
  } else if (k == 0u) {
    out[n + w] = train[plan.U + 1u + p];
    out[2u * n + w] = ONE;
  } else {
    out[n + w] = negative(u, p * plan.K + k - 1u);
    out[2u * n + w] = 0u;
  }
}`;
}
