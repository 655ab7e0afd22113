/**
 * WGSL for MF with biases (Rendle et al. 2020), z = b + b_u + b_i + p_u·q_i, or for the plain dot
 * product z = p_u·q_i (iALS's model, whose gradient fold-in and parity run here), as two kernels per
 * training step over one parameter arena in the flat layout (engines/flat-layout.ts):
 *   step:      forward, loss and backward of every unit of the batch (an instance under bce, a
 *              pair under bpr), one thread each; row gradients are fixed-point atomic adds on the
 *              gradient arena (fixed-point.ts); the global bias' gradient and the loss are summed
 *              per workgroup first, then added once per workgroup.
 *   optimizer: Adam over the whole arena, one thread per parameter, reading and zeroing the
 *              gradient (rows the batch did not touch have g = 0: as the scratch engine's adam);
 *              or, for sgd and lazy_adam, over the rows the batch touched (one thread per unit
 *              claims its rows with a stamp, so a row read twice is updated once) and the dense
 *              parameters.
 * The sums are integers, so they do not depend on which thread arrives first.
 */
import { FIXED_ADD, FIXED_TAKE } from './fixed-point.js';

export interface MfLayout {
  /** false: the plain dot product, and bu, bi, b are not read. */
  biases: boolean;
  /** Offsets (in floats) of p (U, F), q (I, F), b_u (U), b_i (I) and b. */
  pu: number;
  qi: number;
  bu: number;
  bi: number;
  b: number;
  F: number;
  total: number;
}

export const WORKGROUP = 64;

/** The per-step uniform, one 256-byte slot per step (a dynamic offset), so many steps go in one submit. */
export const STEP_STRUCT = `
struct Step {
  b0: u32,        // first instance of the batch
  units: u32,     // instances (bce) or pairs (bpr) in it
  slot: u32,      // this step's loss slot in the chunk
  n: u32,         // instances in the epoch buffer
  lr: f32,        // sgd: lr; adam: lr·√(1−β2^t)/(1−β1^t)
  epsHat: f32,    // adam: ε·√(1−β2^t)
  l2: f32,
  mark: u32,      // this step's stamp for the rows it touches (lazy optimizers): never repeats
}
@group(0) @binding(4) var<uniform> st: Step;
`;

/** Stable log(1 + e^x) and σ(x). */
export const LOSS_FNS = `
fn softplus(x: f32) -> f32 { return max(x, 0.0) + log(1.0 + exp(-abs(x))); }
fn sigmoid(x: f32) -> f32 { return select(exp(x) / (1.0 + exp(x)), 1.0 / (1.0 + exp(-x)), x >= 0.0); }`;

/** The bindings of every model's step kernel: P (read), G and the chunk's losses (fixed point, fixed-point.ts), the epoch's instances. */
export const STEP_BINDINGS = `
@group(0) @binding(0) var<storage, read> P: array<f32>;
@group(0) @binding(1) var<storage, read_write> G: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> inst: array<u32>;
@group(0) @binding(3) var<storage, read_write> losses: array<atomic<u32>>;`;

/** The bindings of every model's scoring kernel: P, the pairs [users | items], the logits, their count. */
const SCORE_BINDINGS = `
@group(0) @binding(0) var<storage, read> P: array<f32>;
@group(0) @binding(1) var<storage, read> pairs: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> count: vec4u;`;

/** Forward, loss and backward of a batch; `pairs`: bpr on (2t, 2t + 1). */
export function mfStepShader(L: MfLayout, pairs: boolean): string {
  return `${STEP_STRUCT}${STEP_BINDINGS}
${FIXED_ADD}
${mfLogit(L)}
var<workgroup> part: array<vec2f, ${WORKGROUP}>;
${LOSS_FNS}

/** ∂/∂(user row) += g·q_i (+ L2), ∂/∂(item row) += g·p_u (+ L2), b_u and b_i += g; w = the unit's weight for L2. */
fn backward(u: u32, i: u32, g: f32, w: f32, userBias: bool) {
  let c = st.l2 * w;
  for (var k = 0u; k < F; k++) {
    let pu = P[${L.pu}u + u * F + k];
    let qi = P[${L.qi}u + i * F + k];
    addTo(${L.pu}u + u * F + k, g * qi + c * pu);
    addTo(${L.qi}u + i * F + k, g * pu + c * qi);
  }
${
  L.biases
    ? `  if (userBias) { addTo(${L.bu}u + u, g + c * P[${L.bu}u + u]); }
  addTo(${L.bi}u + i, g + c * P[${L.bi}u + i]);`
    : ''
}
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) li: u32) {
  let t = gid.x;
  let w = 1.0 / f32(st.units);
  var loss = 0.0;
  var gb = 0.0;
  if (t < st.units) {
${
  pairs
    ? `    // BPR: −ln σ(d), d = z⁺ − z⁻ (log loss on d with label 1); both members are one user's.
    let s = st.b0 + 2u * t;
    let u = inst[s];
    let ip = inst[st.n + s];
    let ineg = inst[st.n + s + 1u];
    let d = logit(u, ip) - logit(u, ineg);
    loss = softplus(-d);
    let g = (sigmoid(d) - 1.0) * w;
    // The pair's user-bias and global-bias terms cancel exactly (g − g): left out, as the scratch engine sums them first.
    backward(u, ip, g, w, false);
    backward(u, ineg, -g, w, false);${
      L.biases
        ? `
    addTo(${L.bu}u + u, 2.0 * st.l2 * w * P[${L.bu}u + u]);`
        : ''
    }`
    : `    let s = st.b0 + t;
    let u = inst[s];
    let i = inst[st.n + s];
    let y = bitcast<f32>(inst[2u * st.n + s]);
    let z = logit(u, i);
    loss = softplus(z) - z * y;
    let g = (sigmoid(z) - y) * w;
    backward(u, i, g, w, true);
    gb = g;`
}
  }
  part[li] = vec2f(loss, gb);
  workgroupBarrier();
  for (var h = ${WORKGROUP / 2}u; h > 0u; h >>= 1u) {
    if (li < h) { part[li] += part[li + h]; }
    workgroupBarrier();
  }
  if (li == 0u) {
    addLoss(part[0].x * w);${
      L.biases
        ? `
    // The global bias: the workgroup's sum of g, and (once per step) its dense L2 share.
    var add = part[0].y;
    if (gid.x == 0u) { add += st.l2 * ${pairs ? '2.0' : '1.0'} * P[${L.b}u]; }
    addTo(${L.b}u, add);`
        : ''
    }
  }
}`;
}

/** Adam over every parameter of the arena (2D dispatch past 65,535 workgroups). */
export function adamShader(total: number, beta1: number, beta2: number): string {
  return `${STEP_STRUCT}
@group(0) @binding(0) var<storage, read_write> P: array<f32>;
@group(0) @binding(1) var<storage, read_write> G: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> M: array<f32>;
@group(0) @binding(3) var<storage, read_write> V: array<f32>;
${FIXED_TAKE}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let k = gid.x + gid.y * nw.x * ${WORKGROUP}u;
  if (k >= ${total}u) { return; }
  let g = takeGrad(k);
  let m = ${beta1} * M[k] + ${1 - beta1} * g;
  let v = ${beta2} * V[k] + ${1 - beta2} * g * g;
  M[k] = m;
  V[k] = v;
  P[k] -= (st.lr * m) / (sqrt(v) + st.epsHat);
}`;
}

/** The scoring kernel of any model whose WGSL defines `logit(u, i)`: logits of (users[k], items[k]) pairs. */
export function scoreShader(logitCode: string): string {
  return `${SCORE_BINDINGS}
${logitCode}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let k = gid.x + gid.y * nw.x * ${WORKGROUP}u;
  if (k >= count.x) { return; }
  out[k] = logit(pairs[k], pairs[count.x + k]);
}`;
}

/** MF's logit, z = b + b_u + b_i + p_u·q_i (z = p_u·q_i without biases). */
export function mfLogit(L: MfLayout): string {
  return `
const F = ${L.F}u;
fn logit(u: u32, i: u32) -> f32 {
  var z = ${L.biases ? `P[${L.b}u] + P[${L.bu}u + u] + P[${L.bi}u + i]` : '0.0'};
  for (var k = 0u; k < F; k++) { z += P[${L.pu}u + u * F + k] * P[${L.qi}u + i * F + k]; }
  return z;
}`;
}

/** Where a model's tables and dense parameters lie in the arena (from the flat layout). */
export interface ArenaTables {
  users: { off: number; width: number }[];
  items: { off: number; width: number }[];
  denseStart: number;
  total: number;
  numUsers: number;
}

/**
 * sgd or lazy_adam on the rows the batch read and on the dense parameters, for any model:
 * thread t claims unit t's user row and item row(s) by swapping in this step's stamp; the thread
 * that finds another stamp there owns the row and updates every table's row of it. Threads
 * [0, dense) also update one dense parameter each.
 */
export function touchedRowsShader(A: ArenaTables, pairs: boolean, lazyAdam: boolean, beta1: number, beta2: number): string {
  const update = lazyAdam
    ? `  let g = takeGrad(k);
  let m = ${beta1} * M[k] + ${1 - beta1} * g;
  let v = ${beta2} * V[k] + ${1 - beta2} * g * g;
  M[k] = m;
  V[k] = v;
  P[k] -= (st.lr * m) / (sqrt(v) + st.epsHat);`
    : `  P[k] -= st.lr * takeGrad(k);`;
  const rows = (tables: ArenaTables['users'], id: string): string =>
    tables.map((t) => `  for (var k = 0u; k < ${t.width}u; k++) { apply(${t.off}u + ${id} * ${t.width}u + k); }`).join('\n');
  return `${STEP_STRUCT}
@group(0) @binding(0) var<storage, read_write> P: array<f32>;
@group(0) @binding(1) var<storage, read_write> G: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> M: array<f32>;
@group(0) @binding(3) var<storage, read_write> V: array<f32>;
@group(0) @binding(5) var<storage, read> inst: array<u32>;
@group(0) @binding(6) var<storage, read_write> stamps: array<atomic<u32>>;
${FIXED_TAKE}

fn apply(k: u32) {
${update}
}
/** Row r of the stamp table (users first, then items): true for the one thread that claims it this step. */
fn claim(r: u32) -> bool { return atomicExchange(&stamps[r], st.mark) != st.mark; }
fn userRow(u: u32) {
  if (!claim(u)) { return; }
${rows(A.users, 'u')}
}
fn itemRow(i: u32) {
  if (!claim(${A.numUsers}u + i)) { return; }
${rows(A.items, 'i')}
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x;
  if (t < ${A.total - A.denseStart}u) { apply(${A.denseStart}u + t); }
  if (t >= st.units) { return; }
${
  pairs
    ? `  let s = st.b0 + 2u * t;
  userRow(inst[s]);
  itemRow(inst[st.n + s]);
  itemRow(inst[st.n + s + 1u]);`
    : `  let s = st.b0 + t;
  userRow(inst[s]);
  itemRow(inst[st.n + s]);`
}
}`;
}
