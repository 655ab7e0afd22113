/**
 * What a model is, whichever engine runs it: its configuration, its shape on a dataset, its
 * parameters and their values. The models themselves are in src/models/ (one file each).
 *
 * Layout: embeddings are (rows, dim) row-major; Dense kernels are (in, out) row-major as in
 * Keras / TF.js; biases are (out).
 */

export interface ModelConfig {
  /** A key of the model registry (src/models/index.ts): gmf, mlp, neumf, mf, ... */
  type: string;
  /** GMF predictive factors (G); for MF, the dot product's dimension (F). */
  factors: number;
  /** MLP widths; layers[0] is the concatenated embedding width (2E), the rest are Dense outputs. Unused by GMF and MF. */
  layers: number[];
  /** Std of the N(0, std) embedding initialisation. */
  embeddingStd: number;
}

export interface ModelShape extends ModelConfig {
  numUsers: number;
  numItems: number;
}

export type ParamInit = 'normal' | 'glorot_uniform' | 'lecun_uniform' | 'zeros';

export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
  /**
   * A table with one row per user (or per item): the rows a sample reads, a fold-in fits, a lazy
   * optimizer updates. Absent for dense parameters (kernels, biases, the output layer).
   */
  rows?: 'users' | 'items';
}

/** Parameter values by name, in the model's paramSpecs order. */
export type Weights = Map<string, Float32Array>;

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
