/**
 * GMF on the scratch engine (He et al. 2017, eq. 9–10): φ_G = p_u ⊙ q_i, z = h^T φ_G + b.
 * Activation row: [ φ_G (G) ].
 */
import { offsetOf, tableOf, type FlatLayout } from '../../flat-layout.js';
import type { MicroBatch } from '../micro-batch.js';
import type { ScratchModel } from '../net.js';
import { denseBackward, denseForward, hadamardBackward, hadamardForward } from '../ops.js';

/** GMF's product of the user and item rows into act[off, off + G) of each sample. */
export function gmfPart(
  L: FlatLayout,
  off: number,
): {
  G: number;
  forward(P: Float32Array, mb: MicroBatch): void;
  backward(P: Float32Array, dP: Float32Array, mb: MicroBatch): void;
} {
  const G = L.shape.factors;
  const pu = tableOf(L, 'gmf_user').slot;
  const qi = tableOf(L, 'gmf_item').slot;
  return {
    G,
    forward: (P, mb) => hadamardForward(P, mb.rows[pu], mb.rows[qi], mb.act, off, mb.stride, G),
    backward: (P, dP, mb) => hadamardBackward(P, mb.rows[pu], mb.rows[qi], mb.dact, off, mb.stride, dP, G),
  };
}

export const gmf: ScratchModel = (L) => {
  const part = gmfPart(L, 0);
  const h = offsetOf(L, 'out_kernel');
  const b = offsetOf(L, 'out_bias');
  return {
    stride: part.G,
    forward(P, mb) {
      part.forward(P, mb);
      denseForward(mb.act, 0, mb.stride, P, h, b, mb.z, 0, 1, part.G, 1);
    },
    backward(P, dP, mb) {
      denseBackward(mb.act, 0, mb.stride, P, h, b, mb.dz, 0, 1, dP, mb.dact, part.G, 1);
      part.backward(P, dP, mb);
    },
  };
};
