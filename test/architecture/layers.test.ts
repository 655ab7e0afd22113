/**
 * The house rules, checked on the source itself: imports only point down the layers (or within
 * a folder), there is no import cycle, core/ imports nothing outside itself, and nothing outside
 * src/engines/ and src/models/ compares engine, backend or model names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/** Top to bottom; a folder may import its own layer's folders and any layer below. */
const LAYERS: string[][] = [
  ['cli'],
  ['run'],
  ['serve', 'recommend', 'report'],
  ['train', 'eval', 'artifacts', 'baselines', 'store', 'export'],
  ['config'],
  ['engines'],
  ['models'],
  ['data'],
  ['core', 'util'],
];

const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

/** Relative imports (static, re-exports and dynamic) of a file, as paths of .ts files under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

const folderOf = (file: string): string => relative(SRC, file).split('/')[0];
const layerOf = (folder: string): number => LAYERS.findIndex((l) => l.includes(folder));

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('the layers of src/', () => {
  it('puts every folder in a layer', () => {
    const unplaced = [...new Set(files.map(folderOf))].filter((f) => layerOf(f) < 0);
    expect(unplaced).toEqual([]);
  });

  it('imports only downward (or within a layer)', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        if (layerOf(folderOf(target)) < layerOf(folderOf(file))) upward.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('resolves every relative import to a file', () => {
    const missing = [...graph].flatMap(([file, imports]) => imports.filter((t) => !graph.has(t)).map((t) => `${relative(SRC, file)} → ${relative(SRC, t)}`));
    expect(missing).toEqual([]);
  });

  it('keeps core/ free of imports from outside it', () => {
    const out = [...graph]
      .filter(([f]) => folderOf(f) === 'core')
      .flatMap(([f, imports]) => imports.filter((t) => folderOf(t) !== 'core').map((t) => `${relative(SRC, f)} → ${relative(SRC, t)}`));
    expect(out).toEqual([]);
  });

  it('has no import cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(SRC, p)).join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('compares engine, backend and model names only inside src/engines/ and src/models/', () => {
    const names = 'scratch|tfjs|webgpu|wasm|cpu|tensorflow|gmf|mlp|neumf|mf';
    const compare = new RegExp(`(===|!==)\\s*'(${names})'|'(${names})'\\s*(===|!==)|case '(${names})'`);
    const found = files
      .filter((f) => !['engines', 'models'].includes(folderOf(f)))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => [f, i + 1, line] as const),
      )
      .filter(([, , line]) => compare.test(line))
      .map(([f, n, line]) => `${relative(SRC, f)}:${n}: ${line.trim()}`);
    expect(found).toEqual([]);
  });
});
