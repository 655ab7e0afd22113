/**
 * One optimizer step against the textbook formulas, from known moments and a known gradient:
 *   sgd:   θ' = θ − lr·g
 *   adam:  m = β1 m0 + (1−β1) g,  v = β2 v0 + (1−β2) g²,  m̂ = m/(1−β1^t),  v̂ = v/(1−β2^t),
 *          θ' = θ − lr·m̂/(√v̂ + ε)                           (Kingma & Ba, every parameter)
 *   lazy_adam: the same on embedding rows the batch touched and on dense parameters; untouched
 *          rows keep θ, m and v exactly.
 * The gradient is the engine's own (engine.gradients on the same batch, which the FD tests
 * check); with one thread the training step sums it in the same order.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ScratchEngine } from '../../src/engines/scratch/engine.js';
import type { OptimizerName, OptimizerState } from '../../src/core/training.js';
import { paramSpecs } from '../../src/models/index.js';
import type { ModelShape, Weights } from '../../src/core/model.js';
import { Rng } from '../../src/util/rng.js';
import { randomInstances, randomWeights } from '../helpers/scratch-reference.js';

const shape: ModelShape = { type: 'neumf', factors: 3, layers: [8, 6, 4], embeddingStd: 0.3, numUsers: 5, numItems: 7 };
const LR = 0.01;
const B1 = 0.8;
const B2 = 0.95;
const EPS = 1e-3; // large enough that a misplaced ε shows
const STEP0 = 3; // the step is t = 4: bias correction is far from 1

const engines: ScratchEngine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
});

/** Non-zero moments: m ~ N(0, 0.01), v ~ |N(0, 0.01)|. */
function knownState(seed: number): OptimizerState {
  const rng = new Rng(seed);
  const slots: Weights = new Map();
  for (const p of paramSpecs(shape)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    slots.set(
      `m:${p.name}`,
      Float32Array.from({ length: n }, () => rng.nextNormal() * 0.01),
    );
    slots.set(
      `v:${p.name}`,
      Float32Array.from({ length: n }, () => Math.abs(rng.nextNormal()) * 0.01),
    );
  }
  return { step: STEP0, slots };
}

const USER_ROWS = new Set(['gmf_user', 'mlp_user']);
const ITEM_ROWS = new Set(['gmf_item', 'mlp_item']);

async function oneStep(name: OptimizerName) {
  const e = await ScratchEngine.create(shape, { optimizer: { name, lr: LR, beta1: B1, beta2: B2, epsilon: EPS }, settings: { threads: 1 } });
  engines.push(e);
  const w0 = randomWeights(shape, 21, 0.3);
  const s0 = knownState(4);
  await e.setWeights(w0);
  await e.setOptimizerState(s0);
  // Users {1, 2} and items {0, 4, 5} only; batch of 10 = one step.
  const inst = randomInstances(10, [1, 2], [0, 4, 5], 8);
  const { grads } = await e.gradients(inst, 0, 10);
  await e.trainSteps(inst, 10, 0, 1);
  return { w0, s0, grads, w1: await e.getWeights(), s1: await e.getOptimizerState() };
}

function isTouched(name: string, k: number): boolean {
  const width = paramSpecs(shape).find((p) => p.name === name)!.shape[1];
  const row = Math.floor(k / width);
  if (USER_ROWS.has(name)) return row === 1 || row === 2;
  if (ITEM_ROWS.has(name)) return row === 0 || row === 4 || row === 5;
  return true;
}

function expectAdamStep(r: Awaited<ReturnType<typeof oneStep>>, name: string, k: number): void {
  const t = STEP0 + 1;
  const g = r.grads.get(name)![k];
  const m = B1 * r.s0.slots.get(`m:${name}`)![k] + (1 - B1) * g;
  const v = B2 * r.s0.slots.get(`v:${name}`)![k] + (1 - B2) * g * g;
  const mHat = m / (1 - B1 ** t);
  const vHat = v / (1 - B2 ** t);
  const want = r.w0.get(name)![k] - (LR * mHat) / (Math.sqrt(vHat) + EPS);
  const what = `${name}[${k}]`;
  expect(Math.abs(r.w1.get(name)![k] - want), what).toBeLessThan(1e-6);
  expect(Math.abs(r.s1.slots.get(`m:${name}`)![k] - m), `m:${what}`).toBeLessThan(1e-8);
  expect(Math.abs(r.s1.slots.get(`v:${name}`)![k] - v), `v:${what}`).toBeLessThan(1e-8);
}

describe('optimizer step', () => {
  it('adam: every parameter follows the textbook formula; untouched rows move when their moments are non-zero', async () => {
    const r = await oneStep('adam');
    expect(r.s1.step).toBe(STEP0 + 1);
    let untouchedMoved = 0;
    for (const p of paramSpecs(shape)) {
      for (let k = 0; k < r.w0.get(p.name)!.length; k++) {
        expectAdamStep(r, p.name, k);
        if (!isTouched(p.name, k)) {
          expect(r.grads.get(p.name)![k]).toBe(0);
          if (r.w1.get(p.name)![k] !== r.w0.get(p.name)![k]) untouchedMoved++;
        }
      }
    }
    expect(untouchedMoved).toBe(49); // 3 user rows × (G + E) + 4 item rows × (G + E)
  });

  it('lazy_adam: touched rows and dense parameters follow the formula; untouched rows keep θ, m and v', async () => {
    const r = await oneStep('lazy_adam');
    expect(r.s1.step).toBe(STEP0 + 1);
    let untouched = 0;
    for (const p of paramSpecs(shape)) {
      for (let k = 0; k < r.w0.get(p.name)!.length; k++) {
        if (isTouched(p.name, k)) {
          expectAdamStep(r, p.name, k);
        } else {
          untouched++;
          expect(r.w1.get(p.name)![k]).toBe(r.w0.get(p.name)![k]);
          expect(r.s1.slots.get(`m:${p.name}`)![k]).toBe(r.s0.slots.get(`m:${p.name}`)![k]);
          expect(r.s1.slots.get(`v:${p.name}`)![k]).toBe(r.s0.slots.get(`v:${p.name}`)![k]);
        }
      }
    }
    expect(untouched).toBe(49);
  });

  it('sgd: θ − lr·g everywhere (untouched rows have g = 0 and stay put)', async () => {
    const r = await oneStep('sgd');
    for (const p of paramSpecs(shape)) {
      const w0 = r.w0.get(p.name)!;
      const w1 = r.w1.get(p.name)!;
      const g = r.grads.get(p.name)!;
      for (let k = 0; k < w0.length; k++) {
        expect(Math.abs(w1[k] - (w0[k] - LR * g[k])), `${p.name}[${k}]`).toBeLessThan(1e-7);
        if (!isTouched(p.name, k)) expect(w1[k]).toBe(w0[k]);
      }
    }
  });
});
