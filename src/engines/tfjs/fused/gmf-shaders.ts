/**
 * WGSL for GMF (He et al. 2017, eq. 9–10), z = h^T (p_u ⊙ q_i) + b: the step kernel (forward,
 * loss, backward of a batch, one thread per unit) and the scoring kernel. Row gradients are
 * fixed-point atomic adds (fixed-point.ts); the dense gradients (h and b) are summed per workgroup
 * first, one reduction per component, then added once per workgroup.
 */
import { FIXED_ADD } from './fixed-point.js';
import { LOSS_FNS, STEP_BINDINGS, STEP_STRUCT, WORKGROUP } from './mf-shaders.js';

export interface GmfLayout {
  /** Offsets of p (U, G), q (I, G), h (G) and b. */
  pu: number;
  qi: number;
  h: number;
  b: number;
  G: number;
}

/** GMF's logit, z = b + h·(p_u ⊙ q_i): the step's forward, and the scoring and ranking kernels'. */
export const gmfLogit = (L: GmfLayout): string => `
const G_ = ${L.G}u;
fn logit(u: u32, i: u32) -> f32 {
  var z = P[${L.b}u];
  for (var k = 0u; k < G_; k++) { z += P[${L.h}u + k] * P[${L.pu}u + u * G_ + k] * P[${L.qi}u + i * G_ + k]; }
  return z;
}`;

export function gmfStepShader(L: GmfLayout, pairs: boolean): string {
  return `${STEP_STRUCT}${STEP_BINDINGS}
${FIXED_ADD}
${LOSS_FNS}
${gmfLogit(L)}
var<workgroup> part: array<f32, ${WORKGROUP}>;

/** The workgroup's sum of x (every thread calls it, in uniform control flow); valid in thread 0. */
fn total(li: u32, x: f32) -> f32 {
  workgroupBarrier();
  part[li] = x;
  workgroupBarrier();
  for (var h = ${WORKGROUP / 2}u; h > 0u; h >>= 1u) {
    if (li < h) { part[li] += part[li + h]; }
    workgroupBarrier();
  }
  return part[0];
}

/** Row gradients of one (u, i) with ∂loss/∂z = g: p += g·h⊙q + c·p (c·p only when userL2), q += g·h⊙p + c·q. */
fn rows(u: u32, i: u32, g: f32, c: f32, userL2: f32) {
  for (var k = 0u; k < G_; k++) {
    let h = P[${L.h}u + k];
    let p = P[${L.pu}u + u * G_ + k];
    let q = P[${L.qi}u + i * G_ + k];
    addTo(${L.pu}u + u * G_ + k, g * h * q + userL2 * p);
    addTo(${L.qi}u + i * G_ + k, g * h * p + c * q);
  }
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) li: u32) {
  let t = gid.x;
  let w = 1.0 / f32(st.units);
  let c = st.l2 * w;
  var loss = 0.0;
  var gb = 0.0;
  // This unit's share of ∂/∂h: g·φ (bce), g·(φ⁺ − φ⁻) (bpr).
  var dh: array<f32, ${L.G}>;
  if (t < st.units) {
${
  pairs
    ? `    let s = st.b0 + 2u * t;
    let u = inst[s];
    let ip = inst[st.n + s];
    let ineg = inst[st.n + s + 1u];
    let d = logit(u, ip) - logit(u, ineg);
    loss = softplus(-d);
    let g = (sigmoid(d) - 1.0) * w;
    // The user's row is read by both members of the pair: its L2 twice.
    rows(u, ip, g, c, 2.0 * c);
    rows(u, ineg, -g, c, 0.0);
    for (var k = 0u; k < G_; k++) {
      dh[k] = g * P[${L.pu}u + u * G_ + k] * (P[${L.qi}u + ip * G_ + k] - P[${L.qi}u + ineg * G_ + k]);
    }`
    : `    let s = st.b0 + t;
    let u = inst[s];
    let i = inst[st.n + s];
    let y = bitcast<f32>(inst[2u * st.n + s]);
    let z = logit(u, i);
    loss = softplus(z) - z * y;
    let g = (sigmoid(z) - y) * w;
    rows(u, i, g, c, c);
    for (var k = 0u; k < G_; k++) { dh[k] = g * P[${L.pu}u + u * G_ + k] * P[${L.qi}u + i * G_ + k]; }
    gb = g;`
}
  }
  // Dense L2, once per step: (λ/2)·‖θ‖² per instance of the batch (per pair member under bpr).
  let dense = select(0.0, st.l2 * ${pairs ? '2.0' : '1.0'}, gid.x == 0u);
  for (var k = 0u; k < G_; k++) {
    let sum = total(li, dh[k]);
    if (li == 0u) { addTo(${L.h}u + k, sum + dense * P[${L.h}u + k]); }
  }
  let lossSum = total(li, loss);
  let gbSum = total(li, gb);
  if (li == 0u) {
    addLoss(lossSum * w);
    addTo(${L.b}u, gbSum + dense * P[${L.b}u]);
  }
}`;
}
