/**
 * Is there a WebGPU adapter? Asked of Dawn (the `webgpu` package) in a child process: Dawn prints
 * native warnings on stderr while it rejects unusable Vulkan drivers, and a failed probe should
 * cost the user one clear line, not a screen of driver noise. Imports no TensorFlow.js.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';

/** The adapter's name, or null when there is none (or no `webgpu` package). */
export function webgpuAdapterName(): string | null {
  let entry: string;
  try {
    entry = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
  } catch {
    return null;
  }
  process.env.XDG_RUNTIME_DIR ??= tmpdir(); // else the Vulkan loader complains on stderr
  const script =
    `import(${JSON.stringify(entry)}).then(async ({ create, globals }) => {` +
    '  Object.assign(globalThis, globals);' +
    '  const a = await create([]).requestAdapter();' +
    '  const i = (a && a.info) || {};' +
    "  process.stdout.write(JSON.stringify(a ? [i.description, i.vendor, i.architecture, i.device].filter(Boolean).join(' ') || 'unknown adapter' : null));" +
    '  process.exit(0);' +
    "}).catch(() => { process.stdout.write('null'); process.exit(0); });";
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  try {
    return JSON.parse(r.stdout || 'null') as string | null;
  } catch {
    return null;
  }
}
