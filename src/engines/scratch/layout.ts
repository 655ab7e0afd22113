/**
 * One flat Float32 layout for parameters, gradients and optimizer moments, with named offsets,
 * so the optimizer is one loop and a worker thread can share the buffers as they are.
 *
 * Shape letters used across the scratch engine:
 *   B batch, U users, I items, G GMF factors, E MLP embedding dim per side (= layers[0] / 2),
 *   H_l width of MLP layer l (H_0 = 2E), O = output-layer input width (G and/or H_last),
 *   F MF factors.
 */
import {
  hasGmf, hasMlp, isMf, isRowTable, ITEM_TABLES, mlpEmbeddingDim, outputInputDim, paramSpecs, sizeOf, USER_TABLES, type ModelShape,
} from '../../model/spec.js';

/** A per-user or per-item table in the flat buffer: row r is [off + r·width, off + (r+1)·width). */
export interface RowTable {
  /** The parameter's name (gmf_user, user_bias, ...). */
  name: string;
  off: number;
  width: number;
}

export interface FlatLayout {
  shape: ModelShape;
  gmf: boolean;
  mlp: boolean;
  mf: boolean;
  G: number;
  F: number;
  E: number;
  /** MLP widths H_0..H_L. */
  H: number[];
  O: number;
  /** Offsets into the flat buffer; -1 where the model has no such parameter. */
  gmfUser: number; // (U, G)
  gmfItem: number; // (I, G)
  mlpUser: number; // (U, E)
  mlpItem: number; // (I, E)
  mfUser: number; // (U, F)
  mfItem: number; // (I, F)
  userBias: number; // (U, 1)
  itemBias: number; // (I, 1)
  /** Every per-user and per-item table of the model (the rows a sample reads). */
  userTables: RowTable[];
  itemTables: RowTable[];
  kernels: number[]; // kernel l: (H_{l-1}, H_l), l = 1..L stored at index l-1
  biases: number[]; // bias l: (H_l)
  outKernel: number; // (O, 1)
  outBias: number; // (1)
  /** Parameters from here on are dense (not embedding rows). */
  denseStart: number;
  total: number;
  /** name → [offset, length], in paramSpecs order. */
  entries: [string, number, number][];
}

export function flatLayout(shape: ModelShape): FlatLayout {
  const entries: [string, number, number][] = [];
  let off = 0;
  for (const p of paramSpecs(shape)) {
    const n = sizeOf(p.shape);
    entries.push([p.name, off, n]);
    off += n;
  }
  const at = (name: string): number => entries.find((e) => e[0] === name)?.[1] ?? -1;
  const H = hasMlp(shape) ? shape.layers.slice() : [];
  const kernels: number[] = [];
  const biases: number[] = [];
  for (let l = 1; l < H.length; l++) {
    kernels.push(at(`mlp_${l}_kernel`));
    biases.push(at(`mlp_${l}_bias`));
  }
  const rowTables = (names: readonly string[], rows: number): RowTable[] =>
    entries.filter((e) => names.includes(e[0])).map(([name, o, n]) => ({ name, off: o, width: n / rows }));
  const firstDense = entries.find((e) => !isRowTable(e[0]));
  return {
    shape,
    gmf: hasGmf(shape),
    mlp: hasMlp(shape),
    mf: isMf(shape),
    G: hasGmf(shape) ? shape.factors : 0,
    F: isMf(shape) ? shape.factors : 0,
    E: hasMlp(shape) ? mlpEmbeddingDim(shape) : 0,
    H,
    O: outputInputDim(shape),
    gmfUser: at('gmf_user'),
    gmfItem: at('gmf_item'),
    mlpUser: at('mlp_user'),
    mlpItem: at('mlp_item'),
    mfUser: at('mf_user'),
    mfItem: at('mf_item'),
    userBias: at('user_bias'),
    itemBias: at('item_bias'),
    userTables: rowTables(USER_TABLES, shape.numUsers),
    itemTables: rowTables(ITEM_TABLES, shape.numItems),
    kernels,
    biases,
    outKernel: at('out_kernel'),
    outBias: at('out_bias'),
    denseStart: firstDense ? firstDense[1] : off,
    total: off,
    entries,
  };
}
