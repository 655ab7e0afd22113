/** Parameter blocks that several models share. */
import type { ParamSpec } from '../core/model.js';

/** A user table and an item table of `dim` columns, ~ N(0, embeddingStd). */
export function embeddingPair(prefix: string, users: number, items: number, dim: number): ParamSpec[] {
  return [
    { name: `${prefix}_user`, shape: [users, dim], init: 'normal', rows: 'users' },
    { name: `${prefix}_item`, shape: [items, dim], init: 'normal', rows: 'items' },
  ];
}

/** The prediction layer ŷ = h^T φ + b over a vector φ of `width` (lecun_uniform, as He et al.'s Keras code). */
export function outputLayer(width: number): ParamSpec[] {
  return [
    { name: 'out_kernel', shape: [width, 1], init: 'lecun_uniform' },
    { name: 'out_bias', shape: [1], init: 'zeros' },
  ];
}
