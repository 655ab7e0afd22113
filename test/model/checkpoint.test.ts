import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../../src/artifacts/model-file.js';
import { countParams, initWeights } from '../../src/models/weights.js';
import type { ModelShape } from '../../src/core/model.js';

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
    expect(() => loadModel(join(dir, 'cut.ncf'))).toThrow(/cut\.ncf is damaged: its checksum does not match its contents \(a truncated copy/);
  });

  it('refuses a file with four flipped bytes in its weights, naming it in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncf-model-'));
    const good = join(dir, 'good.ncf');
    saveModel(good, { shape, epoch: 1, meta: {}, weights: initWeights(shape, 1), optimizer: null });
    const bytes = Buffer.from(readFileSync(good));
    // Four bytes of one weight, in the middle of the tensors (the header is at the start, the checksum at the end).
    const at = bytes.length - 4 - 4 * 20;
    for (let k = at; k < at + 4; k++) bytes[k] ^= 0xff;
    const flipped = join(dir, 'flipped.ncf');
    writeFileSync(flipped, bytes);
    expect(() => loadModel(flipped)).toThrow(new RegExp(`^${flipped.replace(/[.\\/]/g, '\\$&')} is damaged: its checksum does not match`));
    expect(() => loadModel(good)).not.toThrow();
  });

  it('still reads a file written before checksums (format version 1), with a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncf-model-'));
    const v2 = join(dir, 'v2.ncf');
    const weights = initWeights(shape, 5);
    saveModel(v2, { shape, epoch: 2, meta: { note: 'old' }, weights, optimizer: null });
    // Version 1 is version 2 without the 4-byte checksum and with "version":1 in its header.
    const bytes = readFileSync(v2);
    const h = bytes.readUInt32LE(4);
    const header = bytes.toString('utf8', 8, 8 + h).replace('"version":2', '"version":1');
    const v1bytes = Buffer.concat([bytes.subarray(0, 8), Buffer.from(header, 'utf8'), bytes.subarray(8 + h, bytes.length - 4)]);
    const v1 = join(dir, 'v1.ncf');
    writeFileSync(v1, v1bytes);
    const warnings: string[] = [];
    const back = loadModel<{ note: string }>(v1, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([`${v1} has no checksum (written by an older ncf), so damage to it cannot be detected; train it again to add one`]);
    expect(back.meta.note).toBe('old');
    for (const [k, v] of weights) expect([...back.weights.get(k)!]).toEqual([...v]);
    const none: string[] = [];
    loadModel(v2, { warn: (m) => none.push(m) });
    expect(none).toEqual([]);
  });
});
