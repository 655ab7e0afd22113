/**
 * GMF, MLP and NeuMF — He et al., "Neural Collaborative Filtering", WWW 2017, eqs. (9)–(12):
 *   GMF:   φ_G = p_u^G ⊙ q_i^G
 *   MLP:   φ_M = a_L(W_L^T(… a_1(W_1^T [p_u^M ; q_i^M] + b_1) …) + b_L), a = ReLU
 *   NeuMF: ŷ = σ(h^T [φ_G ; φ_M] + b)          (GMF alone: h^T φ_G; MLP alone: h^T φ_M)
 * and dot-product MF with biases (Rendle et al. 2020): ŷ = σ(b + b_u + b_i + p_u·q_i),
 * trained with log loss on the logit, or BPR on pairs of logits. Forward is a list of op calls;
 * backward is the same list reversed, starting from dlogit (σ(z) − y for log loss).
 *
 * MB (= 4) samples at a time (see ops.ts) over a per-thread activation scratch `act` of MB rows,
 * each laid out as
 *   [ x0 (H_0) | h_1 | … | h_{L-1} | φ_G (G) | h_L ]            (stride = A.size)
 * so that the output layer's input [φ_G ; φ_M] is one contiguous slice of each row.
 */
import type { Objective } from '../engine.js';
import type { FlatLayout } from './layout.js';
import {
  bceWithLogitsBackward, bceWithLogitsForward, denseBackward, denseForward, dotBiasBackward, dotBiasForward, gatherBackward,
  gatherForward, hadamardBackward, hadamardForward, MB, reluBackward, reluForward, rowL2Backward,
} from './ops.js';

export interface ActivationLayout {
  /** Offset of h_l in a row of `act` (l = 0 is the concatenated embedding x0). */
  h: number[];
  gmf: number;
  /** Start of the output layer's input [φ_G ; φ_M]. */
  outIn: number;
  /** Row stride: one sample's activations. */
  size: number;
}

export function activationLayout(L: FlatLayout): ActivationLayout {
  const h: number[] = [];
  let off = 0;
  const last = L.H.length - 1;
  for (let l = 0; l < last; l++) {
    h.push(off);
    off += L.H[l];
  }
  const gmf = off;
  off += L.G;
  if (L.mlp) {
    h.push(off);
    off += L.H[last];
  }
  return { h, gmf, outIn: gmf, size: Math.max(off, 1) };
}

/** Per-thread scratch for one micro-batch of MB samples. */
export class MicroBatch {
  /** Activations and their gradients, (MB, A.size). */
  readonly act: Float64Array;
  readonly dact: Float64Array;
  /** Logits and ∂loss/∂logit, (MB). */
  readonly z = new Float64Array(MB);
  readonly dz = new Float64Array(MB);
  /** Labels and loss weights, (MB); padding slots have weight 0. */
  readonly y = new Float64Array(MB);
  readonly weight = new Float64Array(MB);
  /** Offsets into P of each sample's embedding rows, (MB) each. */
  readonly gmfUser = new Int32Array(MB);
  readonly gmfItem = new Int32Array(MB);
  readonly mlpUser = new Int32Array(MB);
  readonly mlpItem = new Int32Array(MB);
  readonly mfUser = new Int32Array(MB);
  readonly mfItem = new Int32Array(MB);
  readonly userBias = new Int32Array(MB);
  readonly itemBias = new Int32Array(MB);
  /** Slots [0, n) hold real samples; the rest repeat the last one with weight 0. */
  n = 0;

  constructor(readonly A: ActivationLayout) {
    this.act = new Float64Array(MB * A.size);
    this.dact = new Float64Array(MB * A.size);
  }

  /** Puts (u, i) with label y and loss weight w into slot s. */
  set(L: FlatLayout, s: number, u: number, i: number, y: number, w: number): void {
    if (L.gmf) {
      this.gmfUser[s] = L.gmfUser + u * L.G;
      this.gmfItem[s] = L.gmfItem + i * L.G;
    }
    if (L.mlp) {
      this.mlpUser[s] = L.mlpUser + u * L.E;
      this.mlpItem[s] = L.mlpItem + i * L.E;
    }
    if (L.mf) {
      this.mfUser[s] = L.mfUser + u * L.F;
      this.mfItem[s] = L.mfItem + i * L.F;
      this.userBias[s] = L.userBias + u;
      this.itemBias[s] = L.itemBias + i;
    }
    this.y[s] = y;
    this.weight[s] = w;
  }

  /**
   * Loads samples [from, to) (at most MB) of parallel arrays; pads the tail with copies of the
   * last sample at weight 0, which contribute exactly zero to every gradient.
   */
  load(L: FlatLayout, users: Int32Array, items: Int32Array, labels: Float32Array | null, from: number, to: number, w: number): void {
    const n = Math.min(to - from, MB);
    this.n = n;
    for (let s = 0; s < MB; s++) {
      const k = from + (s < n ? s : n - 1);
      this.set(L, s, users[k], items[k], labels ? labels[k] : 0, s < n ? w : 0);
    }
  }
}

/** Forward pass for a micro-batch; leaves the logits in mb.z. */
export function forwardMicro(L: FlatLayout, A: ActivationLayout, P: Float32Array, mb: MicroBatch): void {
  if (L.mf) {
    dotBiasForward(P, mb.mfUser, mb.mfItem, mb.userBias, mb.itemBias, L.outBias, mb.z, L.F);
    return;
  }
  const act = mb.act;
  const S = A.size;
  if (L.gmf) hadamardForward(P, mb.gmfUser, mb.gmfItem, act, A.gmf, S, L.G);
  if (L.mlp) {
    gatherForward(P, mb.mlpUser, act, A.h[0], S, L.E);
    gatherForward(P, mb.mlpItem, act, A.h[0] + L.E, S, L.E);
    for (let l = 1; l < L.H.length; l++) {
      denseForward(act, A.h[l - 1], S, P, L.kernels[l - 1], L.biases[l - 1], act, A.h[l], S, L.H[l - 1], L.H[l]);
      reluForward(act, A.h[l], S, L.H[l]);
    }
  }
  denseForward(act, A.outIn, S, P, L.outKernel, L.outBias, mb.z, 0, 1, L.O, 1);
}

/**
 * Forward and backward for a micro-batch; accumulates Σ_s weight_s·∂loss_s/∂θ into dP (weight =
 * 1/B for a batch mean; under bpr each pair's two slots carry the pair's weight) plus the L2 of
 * the rows each slot reads, and returns the unweighted loss summed over the real samples (pairs).
 */
export function forwardBackwardMicro(
  L: FlatLayout, A: ActivationLayout, P: Float32Array, dP: Float32Array, mb: MicroBatch, obj: Objective,
): number {
  forwardMicro(L, A, P, mb);
  const loss = obj.loss === 'bpr' ? pairLossGrad(mb) : logLossGrad(mb);
  if (L.mf) {
    dotBiasBackward(P, mb.mfUser, mb.mfItem, mb.userBias, mb.itemBias, L.outBias, mb.dz, dP, L.F);
  } else {
    const act = mb.act;
    const dact = mb.dact;
    const S = A.size;
    denseBackward(act, A.outIn, S, P, L.outKernel, L.outBias, mb.dz, 0, 1, dP, dact, L.O, 1);
    if (L.mlp) {
      for (let l = L.H.length - 1; l >= 1; l--) {
        reluBackward(act, A.h[l], S, dact, L.H[l]);
        denseBackward(act, A.h[l - 1], S, P, L.kernels[l - 1], L.biases[l - 1], dact, A.h[l], S, dP, dact, L.H[l - 1], L.H[l]);
      }
      gatherBackward(dact, A.h[0], S, dP, mb.mlpUser, L.E);
      gatherBackward(dact, A.h[0] + L.E, S, dP, mb.mlpItem, L.E);
    }
    if (L.gmf) hadamardBackward(P, mb.gmfUser, mb.gmfItem, dact, A.gmf, S, dP, L.G);
  }
  if (obj.l2 > 0) rowsL2(L, P, dP, mb, obj.l2);
  return loss;
}

/** Log loss: dz_s = w_s·(σ(z_s) − y_s); returns Σ loss over the real slots. */
function logLossGrad(mb: MicroBatch): number {
  let loss = 0;
  for (let s = 0; s < MB; s++) {
    const z = mb.z[s];
    mb.dz[s] = bceWithLogitsBackward(z, mb.y[s]) * mb.weight[s];
    if (s < mb.n) loss += bceWithLogitsForward(z, mb.y[s]);
  }
  return loss;
}

/**
 * BPR on slot pairs (s, s + 1) = (positive, negative): loss −ln σ(d) with d = z_s − z_{s+1},
 * which is log loss on d with label 1; dz_s = w·(σ(d) − 1) = −dz_{s+1}. Returns Σ loss over real pairs.
 */
function pairLossGrad(mb: MicroBatch): number {
  let loss = 0;
  for (let s = 0; s < MB; s += 2) {
    const d = mb.z[s] - mb.z[s + 1];
    const g = bceWithLogitsBackward(d, 1) * mb.weight[s];
    mb.dz[s] = g;
    mb.dz[s + 1] = -g;
    if (s < mb.n) loss += bceWithLogitsForward(d, 1);
  }
  return loss;
}

/** The L2 term's gradient on every embedding and bias row the micro-batch's slots read. */
function rowsL2(L: FlatLayout, P: Float32Array, dP: Float32Array, mb: MicroBatch, lambda: number): void {
  const w = mb.weight;
  if (L.gmf) {
    rowL2Backward(P, mb.gmfUser, w, lambda, dP, L.G);
    rowL2Backward(P, mb.gmfItem, w, lambda, dP, L.G);
  }
  if (L.mlp) {
    rowL2Backward(P, mb.mlpUser, w, lambda, dP, L.E);
    rowL2Backward(P, mb.mlpItem, w, lambda, dP, L.E);
  }
  if (L.mf) {
    rowL2Backward(P, mb.mfUser, w, lambda, dP, L.F);
    rowL2Backward(P, mb.mfItem, w, lambda, dP, L.F);
    rowL2Backward(P, mb.userBias, w, lambda, dP, 1);
    rowL2Backward(P, mb.itemBias, w, lambda, dP, 1);
  }
}

/**
 * Scoring shortcut: W_1^T [p_u ; q_i] + b_1 = (p_u W_1[0:E]) + (q_i W_1[E:2E] + b_1), so the first
 * MLP layer's user part (U, H_1) and item part (I, H_1) can be computed once per weight version;
 * a (u, i) pair then costs one add per unit of h_1 plus the remaining (small) layers.
 * Only for models with at least one MLP layer (L.H.length ≥ 2).
 */
export interface FirstLayerTables {
  /** (U, H_1): p_u^M W_1[0:E, :]. */
  user: Float64Array;
  /** (I, H_1): q_i^M W_1[E:2E, :] + b_1. */
  item: Float64Array;
}

export function canUseFirstLayerTables(L: FlatLayout): boolean {
  return L.mlp && L.H.length >= 2;
}

/** Fills tables rows [r0, r1) of the user part (side 0) or item part (side 1). */
export function fillFirstLayerTable(L: FlatLayout, P: Float32Array, T: Float64Array, side: 0 | 1, r0: number, r1: number): void {
  const E = L.E;
  const H1 = L.H[1];
  const w = L.kernels[0] + side * E * H1; // rows E·side .. E·side + E of W_1
  const emb = side === 0 ? L.mlpUser : L.mlpItem;
  for (let r = r0; r < r1; r++) {
    const t = r * H1;
    if (side === 0) for (let k = 0; k < H1; k++) T[t + k] = 0;
    else for (let k = 0; k < H1; k++) T[t + k] = P[L.biases[0] + k];
    for (let j = 0; j < E; j++) {
      const xj = P[emb + r * E + j];
      const row = w + j * H1;
      for (let k = 0; k < H1; k++) T[t + k] += xj * P[row + k];
    }
  }
}

/** The forward pass of `forwardMicro` with h_1 read from the tables; leaves the logits in mb.z. */
export function scoreMicro(
  L: FlatLayout, A: ActivationLayout, P: Float32Array, T: FirstLayerTables, mb: MicroBatch, users: Int32Array, items: Int32Array, from: number,
): void {
  const act = mb.act;
  const S = A.size;
  if (L.gmf) hadamardForward(P, mb.gmfUser, mb.gmfItem, act, A.gmf, S, L.G);
  const H1 = L.H[1];
  const h1 = A.h[1];
  const TU = T.user;
  const TI = T.item;
  for (let s = 0; s < MB; s++) {
    const k0 = from + (s < mb.n ? s : mb.n - 1);
    const tu = users[k0] * H1;
    const ti = items[k0] * H1;
    const y = s * S + h1;
    for (let k = 0; k < H1; k++) act[y + k] = TU[tu + k] + TI[ti + k];
  }
  reluForward(act, h1, S, H1);
  for (let l = 2; l < L.H.length; l++) {
    denseForward(act, A.h[l - 1], S, P, L.kernels[l - 1], L.biases[l - 1], act, A.h[l], S, L.H[l - 1], L.H[l]);
    reluForward(act, A.h[l], S, L.H[l]);
  }
  denseForward(act, A.outIn, S, P, L.outKernel, L.outBias, mb.z, 0, 1, L.O, 1);
}
