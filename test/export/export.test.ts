/**
 * ncf export on models trained on the smoke fixture (60 users, 80 movies), one per model type:
 * the ONNX file scored by onnxruntime-node and the TF.js Layers folder reloaded by
 * tf.loadLayersModel must give ncf's own scores (the scratch engine's logits) on every
 * (user, movie) pair; the id maps must be the model file's; bad input fails in one line.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../src/artifacts/meta.js';
import { loadModel, type ModelFile } from '../../src/artifacts/model-file.js';
import { NO_OPTIMIZER } from '../../src/core/training.js';
import { engineFor } from '../../src/config/engine.js';
import { layersModel } from '../../src/export/tfjs-layers.js';
import { MODEL_TYPES, paramSpecs } from '../../src/models/index.js';
import { ncf } from '../helpers/cli.js';

const out = mkdtempSync(join(tmpdir(), 'ncf-export-'));
const U = 60;
const I = 80;
/** Every (user, item) pair of the fixture, user-major. */
const users = Int32Array.from({ length: U * I }, (_, k) => Math.floor(k / I));
const items = Int32Array.from({ length: U * I }, (_, k) => k % I);
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

interface Trained {
  path: string;
  file: ModelFile<ModelMeta>;
  /** ncf's logits for every pair (the scratch engine). */
  logits: Float32Array;
}
const trained = new Map<string, Trained>();

beforeAll(async () => {
  await tf.setBackend('cpu');
  for (const type of MODEL_TYPES) {
    const r = ncf([
      'train',
      '--config',
      'configs/smoke.json',
      '--set',
      `name=${type}`,
      '--set',
      `model.type="${type}"`,
      '--set',
      'train.epochs=2',
      '--set',
      `output.models=${out}`,
      '--set',
      `output.reports=${out}`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const path = join(out, `${type}.ncf`);
    const file = loadModel<ModelMeta>(path);
    const engine = await engineFor(file.meta.config, file.shape, NO_OPTIMIZER);
    await engine.setWeights(file.weights);
    const logits = await engine.score(users, items);
    await engine.dispose();
    trained.set(type, { path, file, logits });
  }
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The largest |a − b|, and that nothing compared is trivially zero. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k] - b[k]));
  return d;
}

describe.each(MODEL_TYPES)('ncf export of a %s model', (type) => {
  it('onnx: onnxruntime-node scores every pair as ncf does (within 1e-5), sigmoid included', async () => {
    const t = trained.get(type)!;
    const onnxPath = join(out, `${type}.onnx`);
    const r = ncf(['export', '--model', t.path, '--format', 'onnx', '--out', onnxPath]);
    expect(r.status, r.stderr).toBe(0);
    const session = await ort.InferenceSession.create(onnxPath);
    expect(session.inputNames).toEqual(['user', 'item']);
    expect(session.outputNames).toEqual(['logit', 'probability']);
    const feeds = {
      user: new ort.Tensor('int64', BigInt64Array.from(users, BigInt), [users.length]),
      item: new ort.Tensor('int64', BigInt64Array.from(items, BigInt), [items.length]),
    };
    const res = await session.run(feeds);
    const logit = res.logit.data as Float32Array;
    expect(res.logit.dims).toEqual([U * I]);
    // The scores vary (a model, not a constant) and match ncf's.
    expect(Math.max(...logit) - Math.min(...logit)).toBeGreaterThan(1e-3);
    expect(maxDiff(logit, t.logits)).toBeLessThan(1e-5);
    expect(maxDiff(res.probability.data as Float32Array, Array.from(t.logits, sigmoid))).toBeLessThan(1e-6);
    await session.release();

    // Opset ≥ 17, ncf's parameter names and shapes as initializers.
    const m = onnxProto.onnx.ModelProto.decode(readFileSync(onnxPath));
    expect(Number(m.opsetImport[0].version)).toBeGreaterThanOrEqual(17);
    const inits = new Map(m.graph!.initializer!.map((x) => [x.name, x.dims!.map(Number)]));
    for (const p of paramSpecs(t.file.shape)) expect(inits.get(p.name)).toEqual(p.shape);
    expect(Object.fromEntries(m.metadataProps.map((p) => [p.key, p.value]))).toMatchObject({ type, users: String(U), items: String(I) });

    // The id maps beside it: the model file's, dense index → MovieLens id.
    const ids = JSON.parse(readFileSync(join(out, `${type}.ids.json`), 'utf8')) as { users: number[]; items: number[]; dataset: string };
    expect(ids.dataset).toBe('ml-100k');
    expect(ids.users).toEqual(t.file.meta.ids!.users);
    expect(ids.items).toEqual(t.file.meta.ids!.items);
    expect(ids.users).toHaveLength(U);
    expect(ids.items).toHaveLength(I);
  });

  it('tfjs-layers: tf.loadLayersModel reloads model.json + weights.bin with identical scores', async () => {
    const t = trained.get(type)!;
    const dir = join(out, `${type}-tfjs`);
    const r = ncf(['export', '--model', t.path, '--format', 'tfjs-layers', '--out', dir]);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    const reloaded = await tf.loadLayersModel(
      tf.io.fromMemory(
        await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const bin = readFileSync(join(dir, manifest[0].paths[0]));
          return [manifest[0].weights, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength)];
        }),
      ),
    );
    expect(reloaded.inputNames).toEqual(['user', 'item']);
    expect(reloaded.outputNames).toEqual(['logit', 'probability']);
    const x = [tf.tensor2d(users, [users.length, 1], 'int32'), tf.tensor2d(items, [items.length, 1], 'int32')];
    const [logit, probability] = (reloaded.predict(x) as tf.Tensor[]).map((y) => y.dataSync() as Float32Array);
    // The model as built in memory before saving: the reload is bit for bit the same.
    const built = layersModel(t.file.shape, t.file.weights);
    const [builtLogit, builtProbability] = (built.predict(x) as tf.Tensor[]).map((y) => y.dataSync() as Float32Array);
    expect(Array.from(logit)).toEqual(Array.from(builtLogit));
    expect(Array.from(probability)).toEqual(Array.from(builtProbability));
    // And ncf's scores.
    expect(Math.max(...logit) - Math.min(...logit)).toBeGreaterThan(1e-3);
    expect(maxDiff(logit, t.logits)).toBeLessThan(1e-5);
    expect(maxDiff(probability, Array.from(t.logits, sigmoid))).toBeLessThan(1e-6);
    built.dispose();
    reloaded.dispose();
    tf.dispose(x);
    const ids = JSON.parse(readFileSync(join(dir, 'ids.json'), 'utf8')) as { users: number[]; items: number[] };
    expect(ids.users).toEqual(t.file.meta.ids!.users);
    expect(ids.items).toEqual(t.file.meta.ids!.items);
  });
});

describe('ncf export: bad input in one line', () => {
  const oneLine = (r: { status: number | null; stderr: string }, pattern: RegExp): void => {
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  };

  it('a missing model file', () => {
    oneLine(ncf(['export', '--model', join(out, 'nope.ncf'), '--format', 'onnx', '--out', join(out, 'nope.onnx')]), /^ncf: .*nope\.ncf not found/);
  });

  it('an unknown format', () => {
    oneLine(
      ncf(['export', '--model', trained.get('gmf')!.path, '--format', 'keras', '--out', join(out, 'x')]),
      /argument 'keras' is invalid. Allowed choices are onnx, tfjs-layers/,
    );
    expect(existsSync(join(out, 'x'))).toBe(false);
  });

  it('an existing --out without --force; with --force it is replaced', () => {
    const path = join(out, 'twice.onnx');
    expect(ncf(['export', '--model', trained.get('gmf')!.path, '--format', 'onnx', '--out', path]).status).toBe(0);
    oneLine(ncf(['export', '--model', trained.get('mf')!.path, '--format', 'onnx', '--out', path]), /^ncf: .*twice\.onnx exists — pass --force to replace it/);
    const forced = ncf(['export', '--model', trained.get('mf')!.path, '--format', 'onnx', '--out', path, '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    const m = onnxProto.onnx.ModelProto.decode(readFileSync(path));
    expect(m.graph!.initializer!.map((x) => x.name)).toContain('mf_user');
  });
});
