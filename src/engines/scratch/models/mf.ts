/**
 * MF with biases on the scratch engine (Rendle et al. 2020): z = b + b_u + b_i + p_u·q_i, one op
 * each way; no activations.
 */
import { offsetOf, tableOf } from '../../flat-layout.js';
import type { ScratchModel } from '../net.js';
import { dotBiasBackward, dotBiasForward } from '../ops.js';

export const mf: ScratchModel = (L) => {
  const F = L.shape.factors;
  const [pu, qi, bu, bi] = ['mf_user', 'mf_item', 'user_bias', 'item_bias'].map((name) => tableOf(L, name).slot);
  const b = offsetOf(L, 'out_bias');
  return {
    stride: 1,
    forward: (P, mb) => dotBiasForward(P, mb.rows[pu], mb.rows[qi], mb.rows[bu], mb.rows[bi], b, mb.z, F),
    backward: (P, dP, mb) => dotBiasBackward(P, mb.rows[pu], mb.rows[qi], mb.rows[bu], mb.rows[bi], b, mb.dz, dP, F),
  };
};
