/** The TensorFlow.js backends ncf can run on (probing and loading them is backend.ts, which imports tfjs). */
export const TFJS_BACKENDS = ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type TfjsBackendName = (typeof TFJS_BACKENDS)[number];

/**
 * graph: one tfjs op at a time (every backend); fused: ncf's own WebGPU kernels, a few dispatches
 * per step (webgpu only; see fused/); auto: fused where the backend is webgpu, else graph.
 */
export const TFJS_KERNELS = ['auto', 'graph', 'fused'] as const;

/** The tfjs engine's config section. */
export interface TfjsSettings {
  backend: TfjsBackendName;
  /** Absent in configs saved before it existed: graph, as they were trained. */
  kernels?: (typeof TFJS_KERNELS)[number];
}
