import { describe, expect, it } from 'vitest';
import { countParams, initWeights } from '../../src/models/weights.js';
import { paramSpecs } from '../../src/models/index.js';
import type { ModelShape } from '../../src/core/model.js';

const paper: ModelShape = { type: 'neumf', factors: 8, layers: [64, 32, 16, 8], embeddingStd: 0.01, numUsers: 6040, numItems: 3706 };

describe('model spec', () => {
  it("has the paper's NeuMF parameter count on ML-1M", () => {
    // GMF (6040+3706)·8 + MLP embeddings (6040+3706)·32 + Dense 64·32+32 + 32·16+16 + 16·8+8 + output 16+1
    expect(countParams(paper)).toBe(9746 * 8 + 9746 * 32 + 2080 + 528 + 136 + 17);
    expect(countParams(paper)).toBe(392_601);
  });

  it('gives GMF and MLP only their own parameters and the right output width', () => {
    const names = (type: 'gmf' | 'mlp'): string[] => paramSpecs({ ...paper, type }).map((p) => p.name);
    expect(names('gmf')).toEqual(['gmf_user', 'gmf_item', 'out_kernel', 'out_bias']);
    expect(names('mlp')).toEqual([
      'mlp_user',
      'mlp_item',
      'mlp_1_kernel',
      'mlp_1_bias',
      'mlp_2_kernel',
      'mlp_2_bias',
      'mlp_3_kernel',
      'mlp_3_bias',
      'out_kernel',
      'out_bias',
    ]);
    expect(paramSpecs({ ...paper, type: 'gmf' }).at(-2)!.shape).toEqual([8, 1]);
    expect(paramSpecs(paper).at(-2)!.shape).toEqual([16, 1]);
  });

  it("initialises as He et al.'s Keras code: N(0, 0.01), glorot_uniform, lecun_uniform, zeros", () => {
    const w = initWeights(paper, 5);
    const e = w.get('mlp_user')!;
    const mean = e.reduce((a, b) => a + b, 0) / e.length;
    const std = Math.sqrt(e.reduce((a, b) => a + (b - mean) ** 2, 0) / e.length);
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(std).toBeCloseTo(0.01, 3);
    const k1 = w.get('mlp_1_kernel')!;
    const glorot = Math.sqrt(6 / (64 + 32));
    expect(Math.max(...k1.map(Math.abs))).toBeLessThanOrEqual(glorot);
    expect(Math.max(...k1.map(Math.abs))).toBeGreaterThan(glorot * 0.95);
    const out = w.get('out_kernel')!;
    expect(Math.max(...out.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(3 / 16));
    expect([...w.get('mlp_1_bias')!].every((b) => b === 0)).toBe(true);
    expect([...initWeights(paper, 5).get('gmf_item')!]).toEqual([...w.get('gmf_item')!]);
    expect([...initWeights(paper, 6).get('gmf_item')!]).not.toEqual([...w.get('gmf_item')!]);
  });
});
