/** NeuMF from pre-trained GMF and MLP: it must start out as their α-mix, in logits, for every pair. */
import { afterAll, describe, expect, it } from 'vitest';
import { NO_OPTIMIZER } from '../../src/core/training.js';
import { ScratchEngine } from '../../src/engines/scratch/engine.js';
import type { Engine } from '../../src/engines/engine.js';
import { gmfFromMf, mlpShare, neumfFromPretrained } from '../../src/models/pretrain.js';
import { initWeights } from '../../src/models/weights.js';
import type { ModelShape } from '../../src/core/model.js';
import type { ModelType } from '../../src/models/index.js';
import { NcfError } from '../../src/util/errors.js';

const base = { factors: 4, layers: [12, 8, 4], embeddingStd: 0.3, numUsers: 7, numItems: 9 };
const shape = (type: ModelType, extra: Partial<ModelShape> = {}): ModelShape => ({ ...base, type, ...extra });
const engines: Engine[] = [];
afterAll(async () => {
  for (const e of engines) await e.dispose();
});

async function logits(s: ModelShape, w: Map<string, Float32Array>, users: Int32Array, items: Int32Array): Promise<Float32Array> {
  const e = await ScratchEngine.create(s, { settings: { threads: 1 }, optimizer: NO_OPTIMIZER });
  engines.push(e);
  await e.setWeights(w);
  return e.score(users, items);
}

describe('neumfFromPretrained', () => {
  it('gives logits α·GMF + (1 − α)·MLP for every (user, item)', async () => {
    const gmf = { shape: shape('gmf'), weights: initWeights(shape('gmf'), 1) };
    const mlp = { shape: shape('mlp'), weights: initWeights(shape('mlp'), 2) };
    // Non-zero output biases, so the bias mix is checked too.
    gmf.weights.set('out_bias', Float32Array.of(0.7));
    mlp.weights.set('out_bias', Float32Array.of(-0.3));
    const users = Int32Array.from({ length: 63 }, (_, k) => Math.floor(k / 9));
    const items = Int32Array.from({ length: 63 }, (_, k) => k % 9);
    const zg = await logits(gmf.shape, gmf.weights, users, items);
    const zm = await logits(mlp.shape, mlp.weights, users, items);
    for (const alpha of [0.5, 0.2]) {
      const z = await logits(shape('neumf'), neumfFromPretrained(shape('neumf'), gmf, mlp, alpha), users, items);
      for (let k = 0; k < z.length; k++) expect(z[k]).toBeCloseTo(alpha * zg[k] + (1 - alpha) * zm[k], 5);
    }
  });

  it('takes MF with factors − 2 for the GMF part: same logits as MF, then the same α-mix', async () => {
    const mfShape = shape('mf', { factors: 2 });
    const mf = { shape: mfShape, weights: initWeights(mfShape, 3) };
    // Biases are 0 at initialisation; give every one a distinct value so each lands somewhere checked.
    for (const name of ['user_bias', 'item_bias', 'out_bias']) {
      const b = mf.weights.get(name)!;
      for (let k = 0; k < b.length; k++) b[k] = (name === 'user_bias' ? 0.1 : name === 'item_bias' ? -0.07 : 0.5) * (k + 1);
    }
    const mlp = { shape: shape('mlp'), weights: initWeights(shape('mlp'), 2) };
    const users = Int32Array.from({ length: 63 }, (_, k) => Math.floor(k / 9));
    const items = Int32Array.from({ length: 63 }, (_, k) => k % 9);
    const zf = await logits(mfShape, mf.weights, users, items);
    const gmf = gmfFromMf(mf);
    expect(gmf.shape).toEqual(shape('gmf'));
    const zg = await logits(gmf.shape, gmf.weights, users, items);
    const zm = await logits(mlp.shape, mlp.weights, users, items);
    const z = await logits(shape('neumf'), neumfFromPretrained(shape('neumf'), mf, mlp, 0.5), users, items);
    for (let k = 0; k < z.length; k++) {
      // By hand: b + b_u + b_i + p_u·q_i.
      const u = users[k],
        i = items[k];
      const p = mf.weights.get('mf_user')!.subarray(u * 2, u * 2 + 2),
        q = mf.weights.get('mf_item')!.subarray(i * 2, i * 2 + 2);
      const byHand = 0.5 + 0.1 * (u + 1) - 0.07 * (i + 1) + p[0] * q[0] + p[1] * q[1];
      expect(zf[k]).toBeCloseTo(byHand, 5);
      expect(zg[k]).toBeCloseTo(byHand, 5);
      expect(z[k]).toBeCloseTo(0.5 * byHand + 0.5 * zm[k], 5);
    }
    const wide = { shape: shape('mf'), weights: initWeights(shape('mf'), 3) };
    expect(() => neumfFromPretrained(shape('neumf'), wide, mlp, 0.5)).toThrow('NeuMF with 4 factors needs MF with 2, not 4');
  });

  it('prints the MLP share 1 − α without float noise', () => {
    expect(String(mlpShare(0.8))).toBe('0.2');
    expect(String(mlpShare(0.7))).toBe('0.3');
    expect(String(mlpShare(0.5))).toBe('0.5');
  });

  it('refuses models of other sizes or kinds, in one line', () => {
    const gmf = { shape: shape('gmf'), weights: initWeights(shape('gmf'), 1) };
    const mlp = { shape: shape('mlp'), weights: initWeights(shape('mlp'), 2) };
    const other = { shape: shape('gmf', { factors: 8 }), weights: initWeights(shape('gmf', { factors: 8 }), 1) };
    expect(() => neumfFromPretrained(shape('neumf'), other, mlp, 0.5)).toThrow('pre-trained GMF: model.factors is 8, NeuMF needs 4');
    expect(() => neumfFromPretrained(shape('neumf'), mlp, mlp, 0.5)).toThrow(NcfError);
    expect(() => neumfFromPretrained(shape('gmf'), gmf, mlp, 0.5)).toThrow('pre-training initialises NeuMF, not gmf');
  });
});
