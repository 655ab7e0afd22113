/**
 * The web app that `ncf serve` shows at /: web/src bundled by esbuild into dist/web/app.js (Preact
 * and all, no CDN), beside web/index.html and web/style.css. Run by `npm run build` and `prepare`.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({ options: { out: { type: 'string', default: 'dist/web' } } });
const out = a.out;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['web/src/main.tsx'],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css', 'favicon.svg']) copyFileSync(join('web', f), join(out, f));
