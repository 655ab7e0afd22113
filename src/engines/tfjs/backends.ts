/** The TensorFlow.js backends ncf can run on (probing and loading them is backend.ts, which imports tfjs). */
export const TFJS_BACKENDS = ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type TfjsBackendName = (typeof TFJS_BACKENDS)[number];

/** The tfjs engine's config section. */
export interface TfjsSettings {
  backend: TfjsBackendName;
}
