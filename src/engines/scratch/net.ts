/**
 * What the scratch engine needs of a model: a forward and a backward over a micro-batch, bound
 * to the flat layout. Each model's is one file in models/ (a list of op calls, and the same list
 * reversed), found through models/index.ts.
 */
import type { FlatLayout } from '../flat-layout.js';
import type { MicroBatch } from './micro-batch.js';

export interface ScratchNet {
  /** Float64 activations per sample (the row stride of MicroBatch.act). */
  readonly stride: number;
  /** Forward pass for a micro-batch; leaves the logits in mb.z. */
  forward(P: Float32Array, mb: MicroBatch): void;
  /** Backward from mb.dz after `forward`: accumulates ∂/∂θ into dP (rows and dense parameters alike). */
  backward(P: Float32Array, dP: Float32Array, mb: MicroBatch): void;
  /** A faster scoring path through tables computed once per weight version, where the model has one. */
  readonly scoring?: ScoringTables;
}

/**
 * Per-user and per-item tables of `width` values computed from the weights (e.g. the first MLP
 * layer's user and item halves), so scoring a pair costs less than a forward pass.
 */
export interface ScoringTables {
  readonly width: number;
  /** Fills rows [r0, r1) of the user table (side 'users') or the item table. */
  fill(P: Float32Array, T: Float64Array, side: 'users' | 'items', r0: number, r1: number): void;
  /** The forward pass with the tables; samples [from, from + MB) of users/items are loaded in mb. Leaves logits in mb.z. */
  forward(P: Float32Array, T: { user: Float64Array; item: Float64Array }, mb: MicroBatch, users: Int32Array, items: Int32Array, from: number): void;
}

export type ScratchModel = (L: FlatLayout) => ScratchNet;
