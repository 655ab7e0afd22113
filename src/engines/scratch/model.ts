/**
 * GMF, MLP and NeuMF — He et al., "Neural Collaborative Filtering", WWW 2017, eqs. (9)–(12):
 *   GMF:   φ_G = p_u^G ⊙ q_i^G
 *   MLP:   φ_M = a_L(W_L^T(… a_1(W_1^T [p_u^M ; q_i^M] + b_1) …) + b_L), a = ReLU
 *   NeuMF: ŷ = σ(h^T [φ_G ; φ_M] + b)          (GMF alone: h^T φ_G; MLP alone: h^T φ_M)
 * trained with log loss on the logit. Forward is a list of op calls; backward is the same list
 * reversed, starting from dlogit = σ(z) − y.
 *
 * One sample at a time over a per-thread activation scratch `act` laid out as
 *   [ x0 (H_0) | h_1 | … | h_{L-1} | φ_G (G) | h_L ]
 * so that the output layer's input [φ_G ; φ_M] is one contiguous slice.
 */
import type { FlatLayout } from './layout.js';
import {
  bceWithLogitsBackward, bceWithLogitsForward, denseBackward, denseForward, gatherBackward, gatherForward,
  hadamardBackward, hadamardForward, reluBackward, reluForward,
} from './ops.js';

export interface ActivationLayout {
  /** Offset of h_l in `act` (l = 0 is the concatenated embedding x0). */
  h: number[];
  gmf: number;
  /** Start of the output layer's input [φ_G ; φ_M]. */
  outIn: number;
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

/** Per-thread scratch for one sample: activations, their gradients and the logit's. */
export class SampleScratch {
  readonly act: Float64Array;
  readonly dact: Float64Array;
  readonly dz = new Float64Array(1);
  readonly z = new Float64Array(1);
  constructor(readonly A: ActivationLayout) {
    this.act = new Float64Array(A.size);
    this.dact = new Float64Array(A.size);
  }
}

/** Forward pass for one (u, i); returns the logit z. */
export function forwardSample(L: FlatLayout, A: ActivationLayout, P: Float32Array, s: SampleScratch, u: number, i: number): number {
  const act = s.act;
  if (L.gmf) hadamardForward(P, L.gmfUser + u * L.G, L.gmfItem + i * L.G, act, A.gmf, L.G);
  if (L.mlp) {
    gatherForward(P, L.mlpUser + u * L.E, act, 0, L.E);
    gatherForward(P, L.mlpItem + i * L.E, act, L.E, L.E);
    for (let l = 1; l < L.H.length; l++) {
      denseForward(act, A.h[l - 1], P, L.kernels[l - 1], L.biases[l - 1], act, A.h[l], L.H[l - 1], L.H[l]);
      reluForward(act, A.h[l], L.H[l]);
    }
  }
  denseForward(act, A.outIn, P, L.outKernel, L.outBias, s.z, 0, L.O, 1);
  return s.z[0];
}

/**
 * Forward and backward for one labelled sample; accumulates weight·∂loss/∂θ into dP
 * (weight = 1/B for a batch mean) and returns the sample's unweighted loss.
 */
export function forwardBackwardSample(
  L: FlatLayout, A: ActivationLayout, P: Float32Array, dP: Float32Array, s: SampleScratch,
  u: number, i: number, y: number, weight: number,
): number {
  const z = forwardSample(L, A, P, s, u, i);
  const act = s.act;
  const dact = s.dact;
  s.dz[0] = bceWithLogitsBackward(z, y) * weight;
  denseBackward(act, A.outIn, P, L.outKernel, L.outBias, s.dz, 0, dP, dact, A.outIn, L.O, 1);
  if (L.mlp) {
    for (let l = L.H.length - 1; l >= 1; l--) {
      reluBackward(act, A.h[l], dact, A.h[l], L.H[l]);
      denseBackward(act, A.h[l - 1], P, L.kernels[l - 1], L.biases[l - 1], dact, A.h[l], dP, dact, A.h[l - 1], L.H[l - 1], L.H[l]);
    }
    gatherBackward(dact, 0, dP, L.mlpUser + u * L.E, L.E);
    gatherBackward(dact, L.E, dP, L.mlpItem + i * L.E, L.E);
  }
  if (L.gmf) hadamardBackward(P, L.gmfUser + u * L.G, L.gmfItem + i * L.G, dact, A.gmf, dP, L.G);
  return bceWithLogitsForward(z, y);
}
