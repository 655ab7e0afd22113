/**
 * WGSL for MLP and NeuMF (He et al. 2017, eq. 11–12) in three dispatches per step:
 *   step:   one thread per unit (instance, or pair under bpr): the gathers, GMF's product, the
 *           ReLU tower and the output, the loss, and the backward pass down to the embedding
 *           rows (fixed-point adds, as for MF); every layer's input and delta go to per-instance rows
 *           of two scratch buffers X and D;
 *   dense:  one thread per dense parameter and chunk of DENSE_CHUNK rows: its gradient's share
 *           over the chunk's rows of X and D (Σ_j x_j·δ_j for a kernel entry, Σ_j δ_j for a
 *           bias), summed in instance order, then added in fixed point, so the dense gradients
 *           do not depend on thread timing, and a large batch's rows are summed in parallel;
 *   then the optimizer (mf-shaders.ts).
 * Activations per instance, row j of X: [h_0 (2E) | h_1 | … | h_{L-1} | o], o = [φ_G ; h_L] the
 * output layer's input; row j of D: [dz | δ_1 | … | δ_L], δ_l = ∂loss/∂(pre-activation of layer l).
 */
import { FIXED_ADD } from './fixed-point.js';
import { LOSS_FNS, STEP_BINDINGS, STEP_STRUCT, WORKGROUP } from './mf-shaders.js';

export interface TowerLayout {
  /** GMF factors, 0 for MLP alone; the GMF tables' offsets. */
  G: number;
  gu: number;
  gi: number;
  /** The MLP tables' offsets, the widths H_0..H_L, each Dense layer's kernel and bias offsets. */
  mu: number;
  mi: number;
  H: number[];
  kernels: number[];
  biases: number[];
  out: number;
  outBias: number;
  denseStart: number;
  total: number;
}

/** Floats per instance in X and in D. */
export function towerStrides(T: TowerLayout): { x: number; d: number; o: number } {
  const L = T.H.length - 1;
  const hidden = T.H.slice(0, L).reduce((a, b) => a + b, 0);
  const o = T.G + T.H[L];
  return { x: hidden + o, d: 1 + T.H.slice(1).reduce((a, b) => a + b, 0), o };
}

/** Where h_l (l < L) and o start in a row of X, and δ_l in a row of D (δ_0 is unused; D's first float is dz). */
function rowOffsets(T: TowerLayout): { x: number[]; o: number; d: number[] } {
  const L = T.H.length - 1;
  const x: number[] = [];
  let off = 0;
  for (let l = 0; l < L; l++) {
    x.push(off);
    off += T.H[l];
  }
  const d: number[] = [0, 1];
  for (let l = 1; l < L; l++) d.push(d[l] + T.H[l]);
  return { x, o: off, d };
}

/** The forward pass into private arrays a0..aL and phi; `logit(u, i)` returns z. */
export function towerLogit(T: TowerLayout): string {
  const L = T.H.length - 1;
  const E = T.H[0] / 2;
  const arrays = T.H.map((h, l) => `var<private> a${l}: array<f32, ${h}>;`).join('\n');
  const layers = T.kernels
    .map(
      (w, k) => `  for (var c = 0u; c < ${T.H[k + 1]}u; c++) {
    var s = P[${T.biases[k]}u + c];
    for (var a = 0u; a < ${T.H[k]}u; a++) { s += a${k}[a] * P[${w}u + a * ${T.H[k + 1]}u + c]; }
    a${k + 1}[c] = max(s, 0.0);
  }`,
    )
    .join('\n');
  return `${arrays}
${T.G ? `var<private> phi: array<f32, ${T.G}>;` : ''}
fn logit(u: u32, i: u32) -> f32 {
  for (var k = 0u; k < ${E}u; k++) {
    a0[k] = P[${T.mu}u + u * ${E}u + k];
    a0[${E}u + k] = P[${T.mi}u + i * ${E}u + k];
  }
${layers}
  var z = P[${T.outBias}u];
${
  T.G
    ? `  for (var k = 0u; k < ${T.G}u; k++) {
    phi[k] = P[${T.gu}u + u * ${T.G}u + k] * P[${T.gi}u + i * ${T.G}u + k];
    z += P[${T.out}u + k] * phi[k];
  }`
    : ''
}
  for (var c = 0u; c < ${T.H[L]}u; c++) { z += P[${T.out}u + ${T.G}u + c] * a${L}[c]; }
  return z;
}`;
}

export function towerStepShader(T: TowerLayout, pairs: boolean): string {
  const L = T.H.length - 1;
  const E = T.H[0] / 2;
  const S = towerStrides(T);
  const { x: xOff, o: oOff, d: dOff } = rowOffsets(T);
  const deltas = T.H.slice(1)
    .map((h, k) => `var<private> d${k + 1}: array<f32, ${h}>;`)
    .join('\n');
  const down = [];
  for (let l = L; l >= 2; l--) {
    down.push(`  for (var a = 0u; a < ${T.H[l - 1]}u; a++) {
    var s = 0.0;
    for (var c = 0u; c < ${T.H[l]}u; c++) { s += P[${T.kernels[l - 1]}u + a * ${T.H[l]}u + c] * d${l}[c]; }
    d${l - 1}[a] = select(0.0, s, a${l - 1}[a] > 0.0);
  }`);
  }
  return `${STEP_STRUCT}${STEP_BINDINGS}
@group(0) @binding(5) var<storage, read_write> X: array<f32>;
@group(0) @binding(6) var<storage, read_write> D: array<f32>;
${FIXED_ADD}
${LOSS_FNS}
${towerLogit(T)}
${deltas}
var<workgroup> part: array<f32, ${WORKGROUP}>;

/**
 * The backward pass of the instance whose forward is in a0..aL (row j of X and D), with
 * ∂loss/∂z = dz: deltas down the tower, the embedding rows' gradients (+ L2: userL2 on the user's
 * rows, c on the item's), and X, D rows j for the dense kernel.
 */
fn backward(u: u32, i: u32, dz: f32, j: u32, c: f32, userL2: f32) {
  for (var k = 0u; k < ${T.H[L]}u; k++) { d${L}[k] = select(0.0, dz * P[${T.out}u + ${T.G}u + k], a${L}[k] > 0.0); }
${down.join('\n')}
  for (var a = 0u; a < ${T.H[0]}u; a++) {
    var s = 0.0;
    for (var k = 0u; k < ${T.H[1]}u; k++) { s += P[${T.kernels[0]}u + a * ${T.H[1]}u + k] * d1[k]; }
    if (a < ${E}u) {
      addTo(${T.mu}u + u * ${E}u + a, s + userL2 * a0[a]);
    } else {
      addTo(${T.mi}u + i * ${E}u + a - ${E}u, s + c * a0[a]);
    }
  }
${
  T.G
    ? `  for (var k = 0u; k < ${T.G}u; k++) {
    let g = dz * P[${T.out}u + k];
    let p = P[${T.gu}u + u * ${T.G}u + k];
    let q = P[${T.gi}u + i * ${T.G}u + k];
    addTo(${T.gu}u + u * ${T.G}u + k, g * q + userL2 * p);
    addTo(${T.gi}u + i * ${T.G}u + k, g * p + c * q);
  }`
    : ''
}
  let x = j * ${S.x}u;
${T.H.slice(0, L)
  .map((h, l) => `  for (var k = 0u; k < ${h}u; k++) { X[x + ${xOff[l]}u + k] = a${l}[k]; }`)
  .join('\n')}
${T.G ? `  for (var k = 0u; k < ${T.G}u; k++) { X[x + ${oOff}u + k] = phi[k]; }` : ''}
  for (var k = 0u; k < ${T.H[L]}u; k++) { X[x + ${oOff + T.G}u + k] = a${L}[k]; }
  let dr = j * ${S.d}u;
  D[dr] = dz;
${T.H.slice(1)
  .map((h, k) => `  for (var q = 0u; q < ${h}u; q++) { D[dr + ${dOff[k + 1]}u + q] = d${k + 1}[q]; }`)
  .join('\n')}
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) li: u32) {
  let t = gid.x;
  let w = 1.0 / f32(st.units);
  let c = st.l2 * w;
  var loss = 0.0;
  if (t < st.units) {
${
  pairs
    ? `    let s = st.b0 + 2u * t;
    let u = inst[s];
    let ip = inst[st.n + s];
    let ineg = inst[st.n + s + 1u];
    let zp = logit(u, ip);
    let d = zp - logit(u, ineg);
    loss = softplus(-d);
    let g = (sigmoid(d) - 1.0) * w;
    // The negative's activations are the ones in the arrays now; then the positive's again.
    backward(u, ineg, -g, 2u * t + 1u, c, 0.0);
    logit(u, ip);
    backward(u, ip, g, 2u * t, c, 2.0 * c);`
    : `    let s = st.b0 + t;
    let u = inst[s];
    let i = inst[st.n + s];
    let y = bitcast<f32>(inst[2u * st.n + s]);
    let z = logit(u, i);
    loss = softplus(z) - z * y;
    backward(u, i, (sigmoid(z) - y) * w, t, c, c);`
}
  }
  part[li] = loss;
  workgroupBarrier();
  for (var h = ${WORKGROUP / 2}u; h > 0u; h >>= 1u) {
    if (li < h) { part[li] += part[li + h]; }
    workgroupBarrier();
  }
  if (li == 0u) { addLoss(part[0] * w); }
}`;
}

/** Rows of X and D one thread of the dense kernel sums: workgroup row y takes rows [y·DENSE_CHUNK, (y + 1)·DENSE_CHUNK). Even, so a bpr pair stays in one chunk. */
export const DENSE_CHUNK = 1024;

/** Each dense parameter's gradient from the batch's rows of X and D, plus its L2 share. */
export function towerDenseShader(T: TowerLayout, pairs: boolean): string {
  const L = T.H.length - 1;
  const S = towerStrides(T);
  const { x: xOff, o: oOff, d: dOff } = rowOffsets(T);
  // Under bpr the two rows of a pair are added together first: their dz are g and −g, so the
  // output bias's gradient is exactly 0, as in the scratch engine (noise there would become Adam
  // steps of ±lr on a parameter the loss does not depend on).
  const sum = (term: (j: string) => string): string =>
    pairs ? `for (var j = r0; j < r1; j += 2u) { g += ${term('j')} + ${term('j + 1u')}; }` : `for (var j = r0; j < r1; j++) { g += ${term('j')}; }`;
  const branches: string[] = [];
  for (let l = 1; l <= L; l++) {
    const w = T.kernels[l - 1];
    const b = T.biases[l - 1];
    branches.push(`  if (k >= ${w}u && k < ${w + T.H[l - 1] * T.H[l]}u) {
    let a = (k - ${w}u) / ${T.H[l]}u;
    let c = (k - ${w}u) % ${T.H[l]}u;
    ${sum((j) => `X[(${j}) * ${S.x}u + ${xOff[l - 1]}u + a] * D[(${j}) * ${S.d}u + ${dOff[l]}u + c]`)}
  }
  if (k >= ${b}u && k < ${b + T.H[l]}u) {
    ${sum((j) => `D[(${j}) * ${S.d}u + ${dOff[l]}u + k - ${b}u]`)}
  }`);
  }
  return `${STEP_STRUCT}
@group(0) @binding(0) var<storage, read> P: array<f32>;
@group(0) @binding(1) var<storage, read_write> G: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> D: array<f32>;
@group(0) @binding(5) var<storage, read_write> losses: array<atomic<u32>>;
${FIXED_ADD}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let k = ${T.denseStart}u + gid.x;
  if (k >= ${T.total}u) { return; }
  let r0 = wg.y * ${DENSE_CHUNK}u;
  let r1 = min(st.units * ${pairs ? 2 : 1}u, r0 + ${DENSE_CHUNK}u);
  var g = 0.0;
${branches.join('\n')}
  if (k >= ${T.out}u && k < ${T.out + S.o}u) {
    ${sum((j) => `D[(${j}) * ${S.d}u] * X[(${j}) * ${S.x}u + ${oOff}u + k - ${T.out}u]`)}
  }
  if (k == ${T.outBias}u) {
    ${sum((j) => `D[(${j}) * ${S.d}u]`)}
  }
  // Dense L2: (λ/2)·‖θ‖² per instance of the batch, its gradient λ·(instances / units)·θ.
  if (wg.y == 0u) { g += st.l2 * ${pairs ? '2.0' : '1.0'} * P[k]; }
  addTo(k, g);
}`;
}
