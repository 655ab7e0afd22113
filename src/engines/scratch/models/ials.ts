/**
 * iALS's dot product on the scratch engine: z = w_u·h_i. Fitting it is the engine's leastSquares
 * capability (../../least-squares.ts); forward and backward serve scoring, gradients and fold-in.
 */
import { tableOf } from '../../flat-layout.js';
import type { ScratchModel } from '../net.js';
import { dotBackward, dotForward } from '../ops.js';

export const ials: ScratchModel = (L) => {
  const F = L.shape.factors;
  const w = tableOf(L, 'ials_user').slot;
  const h = tableOf(L, 'ials_item').slot;
  return {
    stride: 1,
    forward: (P, mb) => dotForward(P, mb.rows[w], mb.rows[h], mb.z, F),
    backward: (P, dP, mb) => dotBackward(P, mb.rows[w], mb.rows[h], mb.dz, dP, F),
  };
};
