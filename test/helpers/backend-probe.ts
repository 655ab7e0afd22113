/** Whether a tfjs backend can run on this machine, decided by a real probe, and what to install when it cannot. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { webgpuAdapterName } from '../../src/engines/tfjs/adapter-probe.js';

/** Without a GPU, SwiftShader (Debian's chromium) provides a Vulkan device on the CPU: slow but exact. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Asks the `webgpu` package (Dawn) for an adapter in a child process, with the engine's own probe
 * (src/engines/tfjs/adapter-probe.ts), so driver noise stays out of the test output. Defaults
 * VK_ICD_FILENAMES to SwiftShader's ICD where that file exists, in this process too, so the
 * engine's in-process Dawn later finds the same device. The adapter's name, or null.
 */
export function probeWebgpuAdapter(): string | null {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  return webgpuAdapterName();
}

function resolves(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a tfjs backend cannot run here, with what to install; null when it can. cpu and wasm
 * ship with ncf; a backend this does not know is tried (so a new one is covered, and fails
 * loudly if it cannot start).
 */
export function backendUnavailable(backend: string): string | null {
  switch (backend) {
    case 'webgpu': {
      if (!resolves('webgpu')) return 'webgpu: the webgpu package (Dawn) is not installed — npm install webgpu';
      if (probeWebgpuAdapter() !== null) return null;
      const icd = process.env.VK_ICD_FILENAMES;
      return (
        `webgpu: no WebGPU adapter${icd ? ` with VK_ICD_FILENAMES=${icd}` : ''} — apt-get install -y libvulkan1 chromium ` +
        `(SwiftShader; its ICD ${SWIFTSHADER_ICD} is used when VK_ICD_FILENAMES is unset), or a GPU driver (Vulkan, Metal or D3D12)`
      );
    }
    case 'tensorflow':
      return resolves('@tensorflow/tfjs-node-gpu') || resolves('@tensorflow/tfjs-node')
        ? null
        : 'tensorflow: neither @tensorflow/tfjs-node nor @tensorflow/tfjs-node-gpu is installed — npm install @tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu for CUDA)';
    default:
      return null;
  }
}
