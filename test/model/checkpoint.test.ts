import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../../src/model/checkpoint.js';
import { countParams, initWeights, type ModelShape } from '../../src/model/spec.js';

const shape: ModelShape = { type: 'neumf', factors: 3, layers: [8, 4, 2], embeddingStd: 0.1, numUsers: 5, numItems: 7 };

describe('model files', () => {
  it('round-trip weights, optimizer state and metadata exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncf-model-'));
    const path = join(dir, 'm.ncf');
    const weights = initWeights(shape, 3);
    const slots = new Map([...weights].map(([k, v]) => [`m:${k}`, v.map((x) => x * 2)]));
    saveModel(path, { shape, epoch: 4, meta: { note: 'hi' }, weights, optimizer: { step: 99, slots } });
    const back = loadModel<{ note: string }>(path);
    expect(back.epoch).toBe(4);
    expect(back.meta.note).toBe('hi');
    expect(back.shape).toEqual(shape);
    expect(back.optimizer?.step).toBe(99);
    for (const [k, v] of weights) expect([...back.weights.get(k)!]).toEqual([...v]);
    for (const [k, v] of slots) expect([...back.optimizer!.slots.get(k)!]).toEqual([...v]);
    const total = [...back.weights.values()].reduce((n, w) => n + w.length, 0);
    expect(total).toBe(countParams(shape));
  });

  it('rejects missing, foreign and truncated files with one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncf-model-'));
    expect(() => loadModel(join(dir, 'nope.ncf'))).toThrow(/model file .*nope\.ncf not found/);
    writeFileSync(join(dir, 'text.ncf'), 'hello world');
    expect(() => loadModel(join(dir, 'text.ncf'))).toThrow(/not a readable ncf model file: wrong magic bytes/);
    const good = join(dir, 'good.ncf');
    saveModel(good, { shape, epoch: 1, meta: {}, weights: initWeights(shape, 1), optimizer: null });
    const bytes = readFileSync(good);
    writeFileSync(join(dir, 'cut.ncf'), bytes.subarray(0, bytes.length - 40));
    expect(() => loadModel(join(dir, 'cut.ncf'))).toThrow(/truncated data/);
  });
});
