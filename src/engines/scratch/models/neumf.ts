/**
 * NeuMF on the scratch engine (He et al. 2017, eq. 12): GMF and the MLP tower side by side,
 * z = h^T [φ_G ; h_L] + b. Activation row:
 *   [ h_0 (H_0) | h_1 | … | h_{L-1} | φ_G (G) | h_L ]
 * so that the output layer's input [φ_G ; h_L] is one contiguous slice.
 */
import { offsetOf } from '../../flat-layout.js';
import type { MicroBatch } from '../micro-batch.js';
import type { ScratchModel } from '../net.js';
import { denseBackward, denseForward } from '../ops.js';
import { gmfPart } from './gmf.js';
import { mlpTower, towerScoring } from './mlp.js';

export const neumf: ScratchModel = (L) => {
  let gmfAt = 0;
  const tower = mlpTower(L, 0, (end) => {
    gmfAt = end;
    return end + L.shape.factors;
  });
  const gmf = gmfPart(L, gmfAt);
  const O = gmf.G + tower.H[tower.H.length - 1];
  const hOut = offsetOf(L, 'out_kernel');
  const b = offsetOf(L, 'out_bias');
  const output = (P: Float32Array, mb: MicroBatch): void => denseForward(mb.act, gmfAt, mb.stride, P, hOut, b, mb.z, 0, 1, O, 1);
  return {
    stride: gmfAt + O,
    forward(P, mb) {
      gmf.forward(P, mb);
      tower.forward(P, mb);
      output(P, mb);
    },
    backward(P, dP, mb) {
      denseBackward(mb.act, gmfAt, mb.stride, P, hOut, b, mb.dz, 0, 1, dP, mb.dact, O, 1);
      tower.backward(P, dP, mb);
      gmf.backward(P, dP, mb);
    },
    scoring: towerScoring(tower, (P, T, mb, users, items, from) => {
      gmf.forward(P, mb);
      tower.forwardFromTables(P, T, mb, users, items, from);
      output(P, mb);
    }),
  };
};
