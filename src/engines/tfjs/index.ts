/** The tfjs engine's registry entry; TensorFlow.js itself is imported only when an engine is made (it takes a while). */
import { z } from 'zod';
import { isModelType, modelDef } from '../../models/index.js';
import type { EngineEntry } from '../entry.js';
import { TFJS_BACKENDS, TFJS_KERNELS, type TfjsBackendName, type TfjsSettings } from './backends.js';

const settings: z.ZodType<TfjsSettings> = z.strictObject({
  /** auto: the fastest available (CUDA, a real GPU through WebGPU, else wasm), printed with the reason. */
  backend: z.enum(TFJS_BACKENDS),
  /** auto: fused on webgpu (graph for model ials), graph elsewhere; graph: tfjs ops (every backend); fused: ncf's own WebGPU kernels, two or three dispatches per step. */
  kernels: z.enum(TFJS_KERNELS),
});

export const tfjsEngine: EngineEntry<TfjsSettings> = {
  name: 'tfjs',
  summary: 'TensorFlow.js graph on webgpu, wasm, cpu or tensorflow (tfjs-node), the same models and weight layout',
  settings,
  defaults: { backend: 'auto', kernels: 'auto' },
  variants: TFJS_BACKENDS,
  withVariant: (s, variant) => ({ ...s, backend: variant as TfjsBackendName }),
  reference: false,
  create: async (shape, o) => {
    const kernels = o.settings.kernels ?? 'graph';
    // The fused kernels take gradient steps; a model fitted by least squares gets the graph's batched solver.
    const steps = !(isModelType(shape.type) && modelDef(shape.type).fit === 'least-squares');
    if (kernels === 'fused' || (kernels === 'auto' && steps && (await backendOf(o.settings.backend)) === 'webgpu')) {
      const { FusedEngine } = await import('./fused/fused-engine.js');
      return FusedEngine.create(shape, o);
    }
    const { TfjsEngine } = await import('./engine.js');
    return TfjsEngine.create(shape, o);
  },
  describe: (info) => {
    const emulated = info.emulated ? ' (SwiftShader, CPU emulator)' : '';
    return `tfjs on ${info.backend}${emulated}${info.detail ? ` — ${info.detail}` : ''}`;
  },
};

/** The backend a setting resolves to (probed once per process; see backend.ts). */
async function backendOf(name: TfjsBackendName): Promise<string> {
  const { useBackend } = await import('./backend.js');
  return (await useBackend(name)).name;
}
