/**
 * Alternating least squares (model ials) on the tfjs engine against the scratch engine, on every
 * backend that runs here (cpu and wasm; webgpu on SwiftShader): the batched CG sweeps reach the
 * scratch engine's weights (float32 against float64 sums), uniform and popularity-weighted; the
 * loss by its three terms is the scratch engine's; Cholesky and eALS sweeps and fold-in (solved
 * on the host) give the same rows; a sweep leaves no tensor behind; on webgpu `kernels: auto` picks the
 * graph, which has the solver. Workers run dist/engines/scratch/worker.js: build first.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelShape } from '../../src/core/model.js';
import type { IalsSettings, OptimizerConfig } from '../../src/core/training.js';
import { createEngine, type Engine } from '../../src/engines/index.js';
import { TfjsLeastSquares } from '../../src/engines/tfjs/least-squares.js';
import { initWeights } from '../../src/models/weights.js';
import { backendUnavailable } from '../helpers/backend-probe.js';
import { maxAbsDiff, relError } from '../helpers/compare.js';
import { randomInteractions } from '../helpers/interactions.js';

const U = 19;
const I = 13;
const d = 5;
const shape: ModelShape = { type: 'ials', factors: d, layers: [8, 4], embeddingStd: 0.3, numUsers: U, numItems: I };
const sgd: OptimizerConfig = { name: 'sgd', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const settings: IalsSettings = { unobservedWeight: 0.3, popularityExp: 0, regularization: 0.05, regularizationExp: 1, solver: 'cg', cgSteps: 3 };

const train = randomInteractions(U, I, 5);
const total = (p: { observed: number; unobserved: number; regularization: number }): number => p.observed + p.unobserved + p.regularization;

for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
  const skip = backendUnavailable(backend);
  if (skip) console.log(`tfjs leastSquares on ${backend} skipped: ${skip}`);

  describe.skipIf(skip !== null)(`tfjs leastSquares on ${backend} vs the scratch engine`, () => {
    const made: Engine[] = [];
    afterAll(async () => {
      for (const e of made) await e.dispose();
    });
    const pair = async (of = shape, kernels: 'auto' | 'graph' = 'auto'): Promise<[Engine, Engine]> => {
      const t = await createEngine('tfjs', of, { optimizer: sgd, settings: { backend, kernels } });
      const s = await createEngine('scratch', of, { optimizer: sgd, settings: { threads: 1 } });
      made.push(t, s);
      const w = initWeights(of, 3);
      for (const e of [t, s]) await e.setWeights(w);
      return [t, s];
    };

    it('takes the graph engine under kernels auto, which has the solver', async () => {
      const [t] = await pair();
      expect(t.info.label).not.toContain('fused');
      expect(t.leastSquares).toBeDefined();
    });

    it.each([0, 0.5])('CG sweeps reach the scratch engine’s weights, and the loss is its loss (popularity exponent %s)', async (popularityExp) => {
      const [t, s] = await pair();
      for (const e of [t, s]) await e.leastSquares!.prepare(train);
      for (const nu of [0, 1]) {
        const at = { ...settings, popularityExp, regularizationExp: nu };
        const [a, b] = [total(await t.leastSquares!.loss(at)), total(await s.leastSquares!.loss(at))];
        expect(Math.abs(a - b) / b).toBeLessThan(1e-5);
      }
      const at = { ...settings, popularityExp };
      const start = total(await s.leastSquares!.loss(at));
      for (const side of ['users', 'items', 'users', 'items', 'users'] as const) {
        await t.leastSquares!.sweep(side, at);
        await s.leastSquares!.sweep(side, at);
      }
      const [wt, ws] = [await t.getWeights(), await s.getWeights()];
      for (const [name, w] of ws) expect(relError(wt.get(name)!, w)).toBeLessThan(1e-4);
      const [a, b] = [total(await t.leastSquares!.loss(at)), total(await s.leastSquares!.loss(at))];
      expect(b).toBeLessThan(start * 0.9); // the sweeps did move the weights
      expect(Math.abs(a - b) / b).toBeLessThan(1e-5);
    });

    it('eALS sweeps give the scratch engine’s rows', async () => {
      const [t, s] = await pair();
      const at = { ...settings, solver: 'eals' as const, popularityExp: 0.5 };
      const start = await s.getWeights();
      for (const e of [t, s]) {
        await e.leastSquares!.prepare(train);
        for (const side of ['users', 'items', 'users'] as const) await e.leastSquares!.sweep(side, at);
      }
      expect(maxAbsDiff(start, await s.getWeights())).toBeGreaterThan(0.01);
      expect(maxAbsDiff(await t.getWeights(), await s.getWeights())).toBeLessThan(1e-6);
    });

    it('Cholesky sweeps and fold-in give the scratch engine’s rows', async () => {
      const [t, s] = await pair();
      const at = { ...settings, solver: 'cholesky' as const, popularityExp: 0.5 };
      for (const e of [t, s]) {
        await e.leastSquares!.prepare(train);
        for (const side of ['users', 'items', 'users'] as const) await e.leastSquares!.sweep(side, at);
      }
      expect(maxAbsDiff(await t.getWeights(), await s.getWeights())).toBeLessThan(1e-6);
      const weights = Float64Array.from({ length: I }, (_, i) => 0.5 + i / I);
      for (const e of [t, s]) await e.leastSquares!.solveUser(4, Int32Array.of(0, 3, 7), at, weights);
      const [rt, rs] = [(await t.getWeights()).get('ials_user')!, (await s.getWeights()).get('ials_user')!];
      expect(maxAbsDiff(new Map([['row', rt.subarray(4 * d, 5 * d)]]), new Map([['row', rs.subarray(4 * d, 5 * d)]]))).toBeLessThan(1e-6);
      expect(maxAbsDiff(await t.getWeights(), await s.getWeights())).toBeLessThan(1e-6);
      await expect(t.leastSquares!.solveUser(4, Int32Array.of(I), at, null)).rejects.toThrow(/item 13 is not in 0\.\.12/);
    });

    it('interactions split into many chunks solve the same rows as one chunk', async () => {
      const [t] = await pair();
      const params = new Map([...(await t.getWeights())].map(([name, w]) => [name, tf.variable(tf.tensor2d(w, [name === 'ials_user' ? U : I, d]))] as const));
      const chunked = new TfjsLeastSquares(shape, params, 4 * d); // 4 interactions a chunk
      await t.leastSquares!.prepare(train);
      await chunked.prepare(train);
      const at = { ...settings, popularityExp: 0.5 };
      for (const side of ['users', 'items'] as const) {
        await t.leastSquares!.sweep(side, at);
        await chunked.sweep(side, at);
      }
      const w = await t.getWeights();
      for (const [name, v] of params) expect(relError((await v.data()) as Float32Array, w.get(name)!)).toBeLessThan(1e-5);
      const [a, b] = [total(await chunked.loss(at)), total(await t.leastSquares!.loss(at))];
      expect(Math.abs(a - b) / b).toBeLessThan(1e-5);
      chunked.dispose();
      for (const v of params.values()) v.dispose();
    });

    it('a sweep and a loss leave no tensor behind', async () => {
      const [t] = await pair();
      await t.leastSquares!.prepare(train);
      await t.leastSquares!.sweep('users', settings);
      const before = tf.memory().numTensors;
      for (const side of ['items', 'users'] as const) await t.leastSquares!.sweep(side, { ...settings, popularityExp: 0.5 });
      await t.leastSquares!.loss(settings);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('refuses a model that is not one user and one item table', async () => {
      const [t] = await pair({ ...shape, type: 'neumf' }, 'graph');
      await expect(t.leastSquares!.prepare(train)).rejects.toThrow(/one user and one item table/);
    });
  });
}
