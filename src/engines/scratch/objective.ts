/**
 * The training objective on a micro-batch, for any model: forward, the loss's ∂/∂z (log loss or
 * BPR on slot pairs), backward, and the L2 of every table row the samples read.
 */
import type { Objective } from '../../core/training.js';
import type { FlatLayout } from '../flat-layout.js';
import type { MicroBatch } from './micro-batch.js';
import type { ScratchNet } from './net.js';
import { bceWithLogitsBackward, bceWithLogitsForward, MB, rowL2Backward } from './ops.js';

/**
 * Forward and backward for a micro-batch; accumulates Σ_s weight_s·∂loss_s/∂θ into dP (weight =
 * 1/B for a batch mean; under bpr each pair's two slots carry the pair's weight) plus the L2 of
 * the rows each slot reads, and returns the unweighted loss summed over the real samples (pairs).
 */
export function forwardBackwardMicro(net: ScratchNet, L: FlatLayout, P: Float32Array, dP: Float32Array, mb: MicroBatch, obj: Objective): number {
  net.forward(P, mb);
  const loss = obj.loss === 'bpr' ? pairLossGrad(mb) : logLossGrad(mb);
  net.backward(P, dP, mb);
  if (obj.l2 > 0) {
    for (const t of L.rowTables) rowL2Backward(P, mb.rows[t.slot], mb.weight, obj.l2, dP, t.width);
  }
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
