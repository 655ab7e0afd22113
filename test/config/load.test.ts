import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULTS } from '../../src/config/schema.js';

function file(obj: unknown): string {
  const p = join(mkdtempSync(join(tmpdir(), 'ncf-config-')), 'run.json');
  writeFileSync(p, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return p;
}

describe('loadConfig', () => {
  it('layers defaults < file < --set and names the run after the file', () => {
    const c = loadConfig(file({ train: { epochs: 3 }, model: { type: 'gmf' } }), ['train.epochs=1', 'train.lr=0.01', 'data.dir=/x/y']);
    expect(c.train.epochs).toBe(1);
    expect(c.train.lr).toBe(0.01);
    expect(c.train.batchSize).toBe(DEFAULTS.train.batchSize);
    expect(c.model.type).toBe('gmf');
    expect(c.model.layers).toEqual([64, 32, 16, 8]);
    expect(c.data.dir).toBe('/x/y');
    expect(c.name).toBe('run');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('parses --set values as JSON where they are JSON', () => {
    const c = loadConfig(null, ['model.layers=[32,16,8]', 'data.dir=null', 'seed=7']);
    expect(c.model.layers).toEqual([32, 16, 8]);
    expect(c.data.dir).toBeNull();
    expect(c.seed).toBe(7);
  });

  it('rejects an unknown key, naming it, a near miss and what is allowed', () => {
    expect(() => loadConfig(null, ['train.epoch=3'])).toThrow(
      /unknown key "train\.epoch" \(did you mean "train\.epochs"\?\) — allowed under train: epochs, batchSize/,
    );
    expect(() => loadConfig(file({ trian: {} }))).toThrow(/unknown key "trian" \(did you mean "train"\?\)/);
  });

  it('rejects wrong types and values, naming the key and the value', () => {
    expect(() => loadConfig(null, ['train.epochs=abc'])).toThrow(/train\.epochs: expected number, received string \(got "abc"\)/);
    expect(() => loadConfig(null, ['train.epochs=1.5'])).toThrow(/train\.epochs: .*int.*\(got 1\.5\)/);
    expect(() => loadConfig(null, ['data.dataset=ml-2m'])).toThrow(/data\.dataset: .*"ml-100k".*\(got "ml-2m"\)/);
    expect(() => loadConfig(null, ['model.layers=[63,8]'])).toThrow(/model\.layers: .*even/);
    expect(() => loadConfig(null, ['train.loss=bpr', 'train.batchSize=255'])).toThrow(/train\.batchSize: must be even under bpr/);
    expect(() => loadConfig(null, ['train.loss=bpr', 'train.negatives=0'])).toThrow(/train\.negatives: must be at least 1 under bpr/);
    expect(() => loadConfig(null, ['train.l2=-1'])).toThrow(/train\.l2: /);
    expect(() => loadConfig(null, ['train.epochs=0'])).toThrow(/train\.epochs: must be at least 1 \(0 is only for pretrain/);
    expect(loadConfig(null, ['train.epochs=0', 'pretrain={"gmf":"g.json","mlp":"m.json","alpha":0.5}']).train.epochs).toBe(0);
    expect(loadConfig(null, ['train.loss=bpr', 'model.type=mf']).train.loss).toBe('bpr');
  });

  it('reports unreadable files and bad --set syntax in one line', () => {
    expect(() => loadConfig('/nonexistent/x.json')).toThrow(/config file \/nonexistent\/x\.json not found/);
    expect(() => loadConfig(file('{ nope'))).toThrow(/is not valid JSON/);
    expect(() => loadConfig(null, ['epochs'])).toThrow(/--set expects key=value/);
    expect(() => loadConfig(null, ['seed.x=1'])).toThrow(/"seed" is not a section/);
  });
});

describe('the shipped configs', () => {
  it('all load, and every pre-training config names configs that load and match its factors', () => {
    const dir = join(fileURLToPath(new URL('../..', import.meta.url)), 'configs');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) {
      const c = loadConfig(join(dir, f));
      if (!c.pretrain) continue;
      const root = join(dir, '..');
      const gmf = loadConfig(join(root, c.pretrain.gmf));
      const mlp = loadConfig(join(root, c.pretrain.mlp));
      expect(['gmf', 'mf'], f).toContain(gmf.model.type);
      expect(mlp.model.type, f).toBe('mlp');
      // MF stands in for a GMF with two more factors (its biases).
      expect(gmf.model.factors + (gmf.model.type === 'mf' ? 2 : 0), f).toBe(c.model.factors);
      expect(mlp.model.layers, f).toEqual(c.model.layers);
    }
  });
});
