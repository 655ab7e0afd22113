/** The TensorFlow.js backends ncf can run on (probing and loading them is backend.ts, which imports tfjs). */
export const TFJS_BACKENDS = ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type TfjsBackendName = (typeof TFJS_BACKENDS)[number];

/** graph: one tfjs op per step of the model (every backend); fused: ncf's own WebGPU kernels, a few dispatches per step (webgpu; see fused/). */
export const TFJS_KERNELS = ['graph', 'fused'] as const;

/** The tfjs engine's config section. */
export interface TfjsSettings {
  backend: TfjsBackendName;
  /** Absent in configs saved before it existed: graph. */
  kernels?: (typeof TFJS_KERNELS)[number];
}
