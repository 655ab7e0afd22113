/**
 * TensorFlow.js backend selection, done once per process. Which backends exist depends on what is
 * installed and on the machine (a WebGPU adapter, CUDA), so every choice is probed and explained.
 *
 *   tensorflow  @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node, optional dependencies
 *   webgpu      Dawn through the `webgpu` package: Metal, Vulkan or D3D12
 *   wasm        @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD)
 *   cpu         plain JavaScript (part of @tensorflow/tfjs)
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { NcfError } from '../../util/errors.js';
import { webgpuAdapterName } from './adapter-probe.js';
import type { TfjsBackendName } from './backends.js';

export type { TfjsBackendName } from './backends.js';

export interface BackendChoice {
  name: Exclude<TfjsBackendName, 'auto'>;
  /** Why this backend (for `auto`), or what it runs on. */
  detail: string;
  /** The GPU adapter, for webgpu. */
  adapter?: string;
  /** True when the adapter is a CPU emulator (SwiftShader): correct but slow. */
  emulated?: boolean;
}

const TENSORFLOW_HINT =
  'the tensorflow backend needs @tensorflow/tfjs-node-gpu (CUDA; version 4.x needs CUDA 11.2 and cuDNN 8.1) ' +
  'or @tensorflow/tfjs-node (CPU): npm install @tensorflow/tfjs-node-gpu';

/** One probe per process: tfjs keeps one global engine, so the backend is process-wide. */
let chosen: Promise<BackendChoice> | null = null;
let chosenFor: TfjsBackendName | null = null;

export function useBackend(name: TfjsBackendName): Promise<BackendChoice> {
  if (chosen && chosenFor === name) return chosen;
  chosenFor = name;
  chosen = select(name);
  chosen.catch(() => {
    chosen = null;
    chosenFor = null;
  });
  return chosen;
}

async function select(name: TfjsBackendName): Promise<BackendChoice> {
  switch (name) {
    case 'cpu':
      return activate('cpu', async () => undefined, 'plain JavaScript'); // registered by @tensorflow/tfjs itself
    case 'wasm':
      return activate(
        'wasm',
        async () => {
          await import('@tensorflow/tfjs-backend-wasm');
        },
        'WebAssembly (XNNPACK)',
      );
    case 'tensorflow': {
      const which = await loadTensorflow();
      if (!which) throw new NcfError(TENSORFLOW_HINT);
      return activate('tensorflow', async () => undefined, `libtensorflow through ${which}`);
    }
    case 'webgpu': {
      const adapter = await probeWebgpu();
      if (!adapter) {
        throw new NcfError(
          'webgpu: no WebGPU adapter found — install a Vulkan/Metal/D3D12 GPU driver, or on Linux without a GPU ' +
            "Debian's chromium (SwiftShader) and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json",
        );
      }
      const choice = await activate(
        'webgpu',
        async () => {
          await import('@tensorflow/tfjs-backend-webgpu');
        },
        adapter.name,
      );
      return { ...choice, adapter: adapter.name, emulated: adapter.emulated };
    }
    case 'auto':
      return selectAuto();
  }
}

/** Fastest available: CUDA, then a real GPU through WebGPU, then libtensorflow on the CPU, then wasm (faster than cpu here). */
async function selectAuto(): Promise<BackendChoice> {
  const notes: string[] = [];
  const which = await loadTensorflow();
  if (which === '@tensorflow/tfjs-node-gpu') return activate('tensorflow', async () => undefined, `auto: ${which} is installed (CUDA)`);
  notes.push('no @tensorflow/tfjs-node-gpu');
  const adapter = await probeWebgpu();
  if (adapter && !adapter.emulated) {
    const c = await activate(
      'webgpu',
      async () => {
        await import('@tensorflow/tfjs-backend-webgpu');
      },
      `auto: WebGPU adapter ${adapter.name}; ${notes.join(', ')}`,
    );
    return { ...c, adapter: adapter.name, emulated: false };
  }
  notes.push(adapter ? `WebGPU adapter ${adapter.name} is a CPU emulator` : 'no WebGPU adapter');
  if (which === '@tensorflow/tfjs-node') return activate('tensorflow', async () => undefined, `auto: ${notes.join(', ')}; ${which} (libtensorflow on the CPU)`);
  return activate(
    'wasm',
    async () => {
      await import('@tensorflow/tfjs-backend-wasm');
    },
    `auto: ${notes.join(', ')}; wasm is the fastest CPU backend here`,
  );
}

async function activate(name: BackendChoice['name'], load: () => Promise<void>, detail: string): Promise<BackendChoice> {
  // PROD skips debug checks and silences tfjs' console banners (e.g. the cpu backend's advert for tfjs-node).
  tf.env().set('PROD', true);
  await load();
  const ok = await tf.setBackend(name);
  if (!ok) throw new NcfError(`the ${name} TensorFlow.js backend failed to initialise`);
  await tf.ready();
  return { name, detail };
}

async function loadTensorflow(): Promise<string | null> {
  const require = createRequire(import.meta.url);
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(pkg);
    } catch {
      continue;
    }
    try {
      await import(pkg);
      return pkg;
    } catch (err) {
      throw new NcfError(`${pkg} is installed but failed to load (${(err as Error).message.split('\n')[0]}); ${TENSORFLOW_HINT}`);
    }
  }
  return null;
}

interface AdapterInfo {
  name: string;
  emulated: boolean;
}

/**
 * An adapter found in a child process (adapter-probe.ts); only then is `navigator.gpu` made in
 * this process (it must exist before the tfjs webgpu backend is imported).
 */
async function probeWebgpu(): Promise<AdapterInfo | null> {
  const name = webgpuAdapterName();
  if (!name) return null;
  const webgpu = (await import('webgpu')) as unknown as { create: (flags: string[]) => unknown; globals: object };
  Object.assign(globalThis, webgpu.globals);
  const gpu = webgpu.create([]);
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  return { name, emulated: /swiftshader|llvmpipe|lavapipe|software/i.test(name) };
}
