import { existsSync } from 'node:fs';
import { tfjsParitySuite } from '../helpers/tfjs-suite.js';

// Without a GPU, SwiftShader (Debian's chromium) provides a Vulkan device on the CPU: slow but exact.
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;

tfjsParitySuite(
  'webgpu',
  process.env.VK_ICD_FILENAMES || process.platform !== 'linux' ? null : `no Vulkan driver: apt-get install -y libvulkan1 chromium (for ${SWIFTSHADER})`,
);
