/**
 * `npm run bundle`: the CLI as one self-contained folder for machines without npm (e.g. a lent
 * GPU machine that has neither Node's registry nor our node_modules):
 *
 *   bundle/ncf.mjs             the CLI and every JS dependency, one ESM file (esbuild)
 *   bundle/worker.js           the scratch engine's worker thread
 *   bundle/*.wasm              tfjs-backend-wasm's binaries (found next to the bundle at run time)
 *   bundle/node_modules/webgpu the `webgpu` package with only this platform's dawn.node
 *
 * Run it there with `node bundle/ncf.mjs train ...` (Node ≥ 20 needed; carry a node binary).
 */
import { build, type BuildOptions } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: { out: { type: 'string', default: 'bundle' }, platform: { type: 'string', default: `${process.platform}-${process.arch}` } },
});
const out = a.out;
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// ESM output still needs __dirname and require for tfjs-backend-wasm's loader and CJS dependencies.
const banner = [
  "import { createRequire as __ncfCreateRequire } from 'node:module';",
  "import { fileURLToPath as __ncfFileURLToPath } from 'node:url';",
  "import { dirname as __ncfDirname } from 'node:path';",
  'const require = __ncfCreateRequire(import.meta.url);',
  'const __filename = __ncfFileURLToPath(import.meta.url);',
  'const __dirname = __ncfDirname(__filename);',
].join('\n');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: banner },
  define: { 'process.env.NCF_VERSION': JSON.stringify(pkg.version) },
  // Native or optional: loaded from node_modules at run time when present.
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  logLevel: 'warning',
};
await build({ ...common, entryPoints: { ncf: 'src/cli/entry.ts' }, outExtension: { '.js': '.mjs' }, outdir: out });
await build({ ...common, entryPoints: { worker: 'src/engines/scratch/worker.ts', 'fold-in-worker': 'src/serve/fold-in-worker.ts' }, outdir: out });

const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
for (const f of readdirSync(join(wasmDir, 'dist'))) if (f.endsWith('.wasm')) cpSync(join(wasmDir, 'dist', f), join(out, f));

const webgpuDir = dirname(require.resolve('webgpu/package.json'));
const webgpuOut = join(out, 'node_modules', 'webgpu');
for (const f of ['package.json', 'index.js']) cpSync(join(webgpuDir, f), join(webgpuOut, f));
cpSync(join(webgpuDir, 'dist', a.platform), join(webgpuOut, 'dist', a.platform), { recursive: true });
console.log(`${out}/: ncf.mjs, worker.js, tfjs wasm binaries, webgpu (${a.platform})`);
