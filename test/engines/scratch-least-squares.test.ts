/**
 * Alternating least squares (model ials) on the scratch engine, against brute force in float64 on
 * a tiny problem: the loss by its three terms equals the sum over every user–item pair, a
 * Cholesky sweep zeroes the loss's gradient in the solved side, CG with d steps reaches the
 * Cholesky solution, so do repeated passes of eALS's coordinate descent, sweeps never raise the
 * loss, and 1 and 2 threads solve the same weights;
 * the loss, the stationary points and fold-in also with eALS's popularity-weighted unobserved term.
 * Workers run dist/engines/scratch/worker.js: build first (`npm test` does).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelShape, Weights } from '../../src/core/model.js';
import type { IalsSettings } from '../../src/core/training.js';
import { ScratchEngine } from '../../src/engines/scratch/engine.js';
import { initWeights } from '../../src/models/weights.js';
import { FOLD_IN, FoldIn } from '../../src/recommend/fold-in.js';
import { randomInteractions } from '../helpers/interactions.js';

const U = 13;
const I = 11;
const d = 4;
const shape: ModelShape = { type: 'ials', factors: d, layers: [8, 4], embeddingStd: 0.3, numUsers: U, numItems: I };
const settings: IalsSettings = { unobservedWeight: 0.3, popularityExp: 0, regularization: 0.05, regularizationExp: 1, solver: 'cholesky', cgSteps: 1 };

const train = randomInteractions(U, I, 7);
const observed = (u: number, i: number): boolean => train.items.subarray(train.offsets[u], train.offsets[u + 1]).includes(i);
const itemCount = (i: number): number => Array.from({ length: U }, (_, u) => (observed(u, i) ? 1 : 0) as number).reduce((a, b) => a + b, 0);
const itemPositives = Array.from({ length: I }, (_, i) => itemCount(i));

/** eALS's c_i, written out: I·f_i^e / Σ_j f_j^e. */
function itemWeight(i: number, e: number): number {
  const f = (j: number): number => Math.max(itemCount(j), 1) ** e;
  let sum = 0;
  for (let j = 0; j < I; j++) sum += f(j);
  return (I * f(i)) / sum;
}

/** The iALS loss (IalsSettings) summed over all U × I pairs in float64. */
function bruteLoss(w: Weights, s: IalsSettings): number {
  const W = w.get('ials_user')!;
  const H = w.get('ials_item')!;
  const userCount = (u: number): number => train.offsets[u + 1] - train.offsets[u];
  const weights = Array.from({ length: I }, (_, i) => itemWeight(i, s.popularityExp));
  const c = (i: number): number => weights[i];
  let loss = 0;
  for (let u = 0; u < U; u++)
    for (let i = 0; i < I; i++) {
      let y = 0;
      for (let k = 0; k < d; k++) y += W[u * d + k] * H[i * d + k];
      loss += s.unobservedWeight * c(i) * y * y + (observed(u, i) ? (y - 1) ** 2 : 0);
    }
  const norm = (T: Float32Array, r: number): number => Array.from(T.subarray(r * d, r * d + d), (x) => x * x).reduce((a, b) => a + b, 0);
  for (let u = 0; u < U; u++) loss += s.regularization * (userCount(u) + s.unobservedWeight * I) ** s.regularizationExp * norm(W, u);
  for (let i = 0; i < I; i++) loss += s.regularization * (itemCount(i) + s.unobservedWeight * c(i) * U) ** s.regularizationExp * norm(H, i);
  return loss;
}

/** ∂L/∂W by central differences on the float64 loss (the weights perturbed in a copy). */
function gradientNorm(w: Weights, name: string, s: IalsSettings): number {
  let max = 0;
  const h = 1e-3;
  for (let k = 0; k < w.get(name)!.length; k++) {
    const at = (delta: number): number => {
      const copy = new Map([...w].map(([n, x]) => [n, Float32Array.from(x)]));
      copy.get(name)![k] += delta;
      return bruteLoss(copy, s);
    };
    max = Math.max(max, Math.abs((at(h) - at(-h)) / (2 * h)));
  }
  return max;
}

const engines: ScratchEngine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
});
async function make(threads: number): Promise<ScratchEngine> {
  const e = await ScratchEngine.create(shape, { optimizer: { name: 'sgd', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, settings: { threads } });
  engines.push(e);
  await e.setWeights(initWeights(shape, 3));
  await e.leastSquares.prepare(train);
  return e;
}
const total = (p: { observed: number; unobserved: number; regularization: number }): number => p.observed + p.unobserved + p.regularization;

function maxDiff(a: Weights, b: Weights): number {
  let m = 0;
  for (const [name, x] of a) for (let k = 0; k < x.length; k++) m = Math.max(m, Math.abs(x[k] - b.get(name)![k]));
  return m;
}

describe('scratch leastSquares', () => {
  it('loss() equals the sum over every user–item pair, for ν 0 and 1, unobserved pairs uniform or weighted by popularity (eALS)', async () => {
    const e = await make(1);
    expect(itemWeight(0, 0.5)).not.toBeCloseTo(itemWeight(1, 0.5), 3); // the fixture's items differ in popularity
    for (const nu of [0, 1])
      for (const popularityExp of [0, 0.5]) {
        const s = { ...settings, regularizationExp: nu, popularityExp };
        expect(total(await e.leastSquares.loss(s))).toBeCloseTo(bruteLoss(await e.getWeights(), s), 4);
      }
  });

  it.each([0, 0.5])('a Cholesky sweep leaves the solved side at a stationary point of the loss (popularity exponent %s)', async (popularityExp) => {
    const s = { ...settings, popularityExp };
    const e = await make(1);
    const before = gradientNorm(await e.getWeights(), 'ials_user', s);
    await e.leastSquares.sweep('users', s);
    const w = await e.getWeights();
    expect(before).toBeGreaterThan(0.1);
    expect(gradientNorm(w, 'ials_user', s)).toBeLessThan(1e-3);
    await e.leastSquares.sweep('items', s);
    expect(gradientNorm(await e.getWeights(), 'ials_item', s)).toBeLessThan(1e-3);
  });

  it('CG with d steps reaches the Cholesky solution; with fewer it still lowers the loss', async () => {
    const chol = await make(1);
    const cg = await make(1);
    const cg1 = await make(1);
    const start = total(await cg1.leastSquares.loss(settings));
    await chol.leastSquares.sweep('users', settings);
    await cg.leastSquares.sweep('users', { ...settings, solver: 'cg', cgSteps: d });
    await cg1.leastSquares.sweep('users', { ...settings, solver: 'cg', cgSteps: 1 });
    expect(maxDiff(await chol.getWeights(), await cg.getWeights())).toBeLessThan(1e-5);
    const one = total(await cg1.leastSquares.loss(settings));
    expect(one).toBeLessThan(start);
    expect(one).toBeGreaterThan(total(await chol.leastSquares.loss(settings)));
  });

  it.each([0, 0.5])(
    'eALS: one pass lowers the loss less than Cholesky, and repeated passes reach its solution (popularity exponent %s)',
    async (popularityExp) => {
      const s = { ...settings, popularityExp };
      const chol = await make(1);
      const cd = await make(1);
      const start = total(await cd.leastSquares.loss(s));
      await chol.leastSquares.sweep('users', s);
      await cd.leastSquares.sweep('users', { ...s, solver: 'eals' });
      const one = total(await cd.leastSquares.loss(s));
      const exact = total(await chol.leastSquares.loss(s));
      expect(one).toBeLessThan(start);
      expect(one).toBeGreaterThan(exact);
      expect(maxDiff(await chol.getWeights(), await cd.getWeights())).toBeGreaterThan(1e-3);
      for (let pass = 1; pass < 400; pass++) await cd.leastSquares.sweep('users', { ...s, solver: 'eals' }); // the items stay fixed
      expect(maxDiff(await chol.getWeights(), await cd.getWeights())).toBeLessThan(1e-5);
      await chol.leastSquares.sweep('items', s);
      for (let pass = 0; pass < 400; pass++) await cd.leastSquares.sweep('items', { ...s, solver: 'eals' });
      expect(maxDiff(await chol.getWeights(), await cd.getWeights())).toBeLessThan(1e-5);
    },
  );

  it.each(['cholesky', 'cg', 'eals'] as const)('%s: no half-sweep raises the loss', async (solver) => {
    const e = await make(1);
    const s = { ...settings, solver, cgSteps: 2 };
    let last = total(await e.leastSquares.loss(s));
    for (let k = 0; k < 6; k++) {
      await e.leastSquares.sweep(k % 2 === 0 ? 'users' : 'items', s);
      const now = total(await e.leastSquares.loss(s));
      expect(now).toBeLessThanOrEqual(last * (1 + 1e-6));
      last = now;
    }
  });

  it.each(['cg', 'eals'] as const)('%s: 1 and 2 threads solve bitwise the same weights (rows are independent)', async (solver) => {
    const one = await make(1);
    const two = await make(2);
    for (const e of [one, two]) for (const side of ['users', 'items', 'users'] as const) await e.leastSquares.sweep(side, { ...settings, solver, cgSteps: 3 });
    expect(maxDiff(await one.getWeights(), await two.getWeights())).toBe(0);
  });

  it.each([0, 0.5])(
    'fold-in: solveUser of an extra row gives the row a Cholesky users-sweep gives that user, and FoldIn scores by it (popularity exponent %s)',
    async (popularityExp) => {
      const s = { ...settings, popularityExp };
      const itemWeights = popularityExp === 0 ? null : Float64Array.from({ length: I }, (_, i) => itemWeight(i, popularityExp));
      const e = await make(1);
      for (const side of ['users', 'items', 'users', 'items'] as const) await e.leastSquares.sweep(side, s);
      const trained = await e.getWeights();
      await e.leastSquares.sweep('users', s); // items unchanged: every user row is now the exact solve against them
      const swept = await e.getWeights();
      const extraShape = { ...shape, numUsers: U + 1 };
      const extra = await ScratchEngine.create(extraShape, {
        optimizer: { name: 'sgd', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
        settings: { threads: 1 },
      });
      engines.push(extra);
      const W = new Float32Array((U + 1) * d);
      W.set(trained.get('ials_user')!);
      await extra.setWeights(new Map([...trained, ['ials_user', W]]));
      const H = trained.get('ials_item')!;
      for (const u of [0, 5, 12]) {
        const likes = train.items.slice(train.offsets[u], train.offsets[u + 1]);
        await extra.leastSquares.solveUser(U, likes, { ...s, solver: 'cg', cgSteps: 1 }, itemWeights); // always exact
        const row = (await extra.getWeights()).get('ials_user')!.subarray(U * d, U * d + d);
        const want = swept.get('ials_user')!.subarray(u * d, u * d + d);
        for (let k = 0; k < d; k++) expect(row[k]).toBeCloseTo(want[k], 5);

        const fold = await FoldIn.create(
          shape,
          trained,
          async (s) => {
            const f = await ScratchEngine.create(s, {
              optimizer: { name: 'sgd', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
              settings: { threads: 1 },
            });
            engines.push(f);
            return f;
          },
          FOLD_IN,
          { settings: s, itemPositives },
        );
        const scores = await fold.scoresFor(likes, 1);
        for (let i = 0; i < I; i++) {
          let y = 0;
          for (let k = 0; k < d; k++) y += want[k] * H[i * d + k];
          expect(scores[i]).toBeCloseTo(y, 5);
        }
      }
      await expect(extra.leastSquares.solveUser(U, Int32Array.of(I), s, itemWeights)).rejects.toThrow(/item 11 is not in 0\.\.10/);
    },
  );

  it('refuses a model that is not one user and one item table', async () => {
    const e = await ScratchEngine.create(
      { ...shape, type: 'neumf' },
      { optimizer: { name: 'sgd', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, settings: { threads: 1 } },
    );
    engines.push(e);
    await expect(e.leastSquares.prepare(train)).rejects.toThrow(/one user and one item table/);
  });
});
