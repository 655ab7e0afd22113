/**
 * MLP on the scratch engine (He et al. 2017, eq. 11):
 *   h_0 = [p_u ; q_i],  h_l = ReLU(W_l^T h_{l-1} + b_l) (l = 1..L),  z = h^T h_L + b.
 * The tower's activations in a row: [ h_0 (H_0) | h_1 | … | h_{L-1} ] from `hidden`, and h_L at
 * `last` (so NeuMF can put h_L right after φ_G and read [φ_G ; h_L] as one slice).
 *
 * Scoring shortcut: W_1^T [p_u ; q_i] + b_1 = (p_u W_1[0:E]) + (q_i W_1[E:2E] + b_1), so the first
 * layer's user part (U, H_1) and item part (I, H_1) are computed once per weight version; a pair
 * then costs one add per unit of h_1 plus the remaining (small) layers.
 */
import { offsetOf, tableOf, type FlatLayout } from '../../flat-layout.js';
import type { MicroBatch } from '../micro-batch.js';
import type { ScratchModel, ScoringTables } from '../net.js';
import { denseBackward, denseForward, gatherBackward, gatherForward, MB, reluBackward, reluForward } from '../ops.js';

export interface MlpTower {
  /** H_0..H_L. */
  H: number[];
  E: number;
  /** Offset of h_l in an activation row, l = 0..L. */
  h: number[];
  /** Floats the tower takes before `last` (h_0..h_{L-1}). */
  hidden: number;
  forward(P: Float32Array, mb: MicroBatch): void;
  backward(P: Float32Array, dP: Float32Array, mb: MicroBatch): void;
  /** h_1 from the scoring tables, then layers 2..L: the tower's part of ScoringTables.forward. */
  forwardFromTables(P: Float32Array, T: { user: Float64Array; item: Float64Array }, mb: MicroBatch, users: Int32Array, items: Int32Array, from: number): void;
  fillTables(P: Float32Array, T: Float64Array, side: 'users' | 'items', r0: number, r1: number): void;
}

/** The tower with h_0..h_{L-1} at [hidden, hidden + Σ H_0..H_{L-1}) and h_L at `last` (which may be past them). */
export function mlpTower(L: FlatLayout, hidden: number, last: (hiddenEnd: number) => number): MlpTower {
  const H = L.shape.layers.slice();
  const E = H[0] / 2;
  const Ln = H.length - 1;
  const kernels: number[] = [];
  const biases: number[] = [];
  for (let l = 1; l <= Ln; l++) {
    kernels.push(offsetOf(L, `mlp_${l}_kernel`));
    biases.push(offsetOf(L, `mlp_${l}_bias`));
  }
  const h: number[] = [];
  let off = hidden;
  for (let l = 0; l < Ln; l++) {
    h.push(off);
    off += H[l];
  }
  h.push(last(off));
  const pu = tableOf(L, 'mlp_user');
  const qi = tableOf(L, 'mlp_item');
  const H1 = H[1];
  return {
    H,
    E,
    h,
    hidden: off - hidden,
    forward(P, mb) {
      const { act, stride: S } = mb;
      gatherForward(P, mb.rows[pu.slot], act, h[0], S, E);
      gatherForward(P, mb.rows[qi.slot], act, h[0] + E, S, E);
      for (let l = 1; l <= Ln; l++) {
        denseForward(act, h[l - 1], S, P, kernels[l - 1], biases[l - 1], act, h[l], S, H[l - 1], H[l]);
        reluForward(act, h[l], S, H[l]);
      }
    },
    backward(P, dP, mb) {
      const { act, dact, stride: S } = mb;
      for (let l = Ln; l >= 1; l--) {
        reluBackward(act, h[l], S, dact, H[l]);
        denseBackward(act, h[l - 1], S, P, kernels[l - 1], biases[l - 1], dact, h[l], S, dP, dact, H[l - 1], H[l]);
      }
      gatherBackward(dact, h[0], S, dP, mb.rows[pu.slot], E);
      gatherBackward(dact, h[0] + E, S, dP, mb.rows[qi.slot], E);
    },
    fillTables(P, T, side, r0, r1) {
      const w = kernels[0] + (side === 'users' ? 0 : E * H1); // rows [0, E) or [E, 2E) of W_1
      const emb = side === 'users' ? pu.off : qi.off;
      for (let r = r0; r < r1; r++) {
        const t = r * H1;
        if (side === 'users') for (let k = 0; k < H1; k++) T[t + k] = 0;
        else for (let k = 0; k < H1; k++) T[t + k] = P[biases[0] + k];
        for (let j = 0; j < E; j++) {
          const xj = P[emb + r * E + j];
          const row = w + j * H1;
          for (let k = 0; k < H1; k++) T[t + k] += xj * P[row + k];
        }
      }
    },
    forwardFromTables(P, T, mb, users, items, from) {
      const { act, stride: S } = mb;
      const TU = T.user;
      const TI = T.item;
      for (let s = 0; s < MB; s++) {
        const k0 = from + (s < mb.n ? s : mb.n - 1);
        const tu = users[k0] * H1;
        const ti = items[k0] * H1;
        const y = s * S + h[1];
        for (let k = 0; k < H1; k++) act[y + k] = TU[tu + k] + TI[ti + k];
      }
      reluForward(act, h[1], S, H1);
      for (let l = 2; l <= Ln; l++) {
        denseForward(act, h[l - 1], S, P, kernels[l - 1], biases[l - 1], act, h[l], S, H[l - 1], H[l]);
        reluForward(act, h[l], S, H[l]);
      }
    },
  };
}

/** Only towers with at least one Dense layer have a first layer to tabulate. */
export function towerScoring(tower: MlpTower, rest: ScoringTables['forward']): ScoringTables | undefined {
  return tower.H.length >= 2 ? { width: tower.H[1], fill: tower.fillTables, forward: rest } : undefined;
}

export const mlp: ScratchModel = (L) => {
  const tower = mlpTower(L, 0, (end) => end);
  const HL = tower.H[tower.H.length - 1];
  const top = tower.h[tower.h.length - 1];
  const hOut = offsetOf(L, 'out_kernel');
  const b = offsetOf(L, 'out_bias');
  const output = (P: Float32Array, mb: MicroBatch): void => denseForward(mb.act, top, mb.stride, P, hOut, b, mb.z, 0, 1, HL, 1);
  return {
    stride: tower.hidden + HL,
    forward(P, mb) {
      tower.forward(P, mb);
      output(P, mb);
    },
    backward(P, dP, mb) {
      denseBackward(mb.act, top, mb.stride, P, hOut, b, mb.dz, 0, 1, dP, mb.dact, HL, 1);
      tower.backward(P, dP, mb);
    },
    scoring: towerScoring(tower, (P, T, mb, users, items, from) => {
      tower.forwardFromTables(P, T, mb, users, items, from);
      output(P, mb);
    }),
  };
};
