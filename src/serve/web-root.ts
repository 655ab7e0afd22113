/**
 * Where the built web app lies: dist/web, which `npm run build` writes (tools/build-web.ts). This
 * module runs from dist/src/serve/ when built, or from src/serve/ under vitest; both find the build.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function builtWebRoot(): string | null {
  const here = import.meta.url;
  const dist = here.includes('/dist/src/serve/') ? new URL('../../web/', here) : new URL('../../dist/web/', here);
  const dir = fileURLToPath(dist);
  return existsSync(`${dir}index.html`) ? dir : null;
}
