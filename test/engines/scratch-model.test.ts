/**
 * The whole model's gradients (engine.gradients) against central finite differences of an
 * independent float64 reference loss, for GMF, MLP and NeuMF; and the engine's loss and scores
 * against the same reference forward.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ScratchEngine } from '../../src/engines/scratch/engine.js';
import type { Instances } from '../../src/core/training.js';
import { paramSpecs, type ModelType } from '../../src/models/index.js';
import type { ModelShape, Weights } from '../../src/core/model.js';
import { Rng } from '../../src/util/rng.js';
import { randomInstances, randomWeights, referenceLogit, referenceLoss, toWeights64, type Weights64 } from '../helpers/scratch-reference.js';

const OPT = { name: 'adam' as const, lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

function tinyShape(type: ModelType): ModelShape {
  return { type, factors: 3, layers: [8, 6, 4], embeddingStd: 0.3, numUsers: 5, numItems: 7 };
}

const engines: ScratchEngine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
});
async function engineWith(shape: ModelShape, w: Weights): Promise<ScratchEngine> {
  const e = await ScratchEngine.create(shape, { optimizer: OPT, settings: { threads: 1 } });
  engines.push(e);
  await e.setWeights(w);
  return e;
}

/** ∂(reference loss)/∂θ by central differences in float64. */
function fdGrad(shape: ModelShape, w64: Weights64, inst: Instances, start: number, end: number, name: string, k: number): number {
  const t = w64.get(name)!;
  const orig = t[k];
  const h = 1e-6;
  t[k] = orig + h;
  const lp = referenceLoss(shape, w64, inst, start, end);
  t[k] = orig - h;
  const lm = referenceLoss(shape, w64, inst, start, end);
  t[k] = orig;
  return (lp - lm) / (2 * h);
}

/** |analytic − numeric| within 2e-5 of the gradient's scale plus 1e-3 relative: a sign error or a missing term fails. */
function expectGradClose(got: number, want: number, scale: number, what: string): void {
  const tol = 2e-5 * scale + 1e-3 * Math.abs(want);
  if (!(Math.abs(got - want) <= tol)) throw new Error(`${what}: analytic ${got}, finite difference ${want}`);
}

function maxAbs(grads: Weights): number {
  let m = 0;
  for (const g of grads.values()) for (const x of g) m = Math.max(m, Math.abs(x));
  return m;
}

const TOUCHED_USERS = [0, 1, 3];
const TOUCHED_ITEMS = [0, 2, 3, 5];
const EMBEDDINGS: Record<string, { rows: 'users' | 'items' }> = {
  gmf_user: { rows: 'users' },
  gmf_item: { rows: 'items' },
  mlp_user: { rows: 'users' },
  mlp_item: { rows: 'items' },
};

describe.each(['gmf', 'mlp', 'neumf'] as ModelType[])('%s on a tiny shape (5 users, 7 items, G=3, layers [8,6,4])', (type) => {
  const shape = tinyShape(type);
  const w = randomWeights(shape, 7 + type.length, 0.3);
  const w64 = toWeights64(w);
  // Batches touch users {0,1,3} and items {0,2,3,5} only, with repeats.
  const inst = randomInstances(23, TOUCHED_USERS, TOUCHED_ITEMS, 99);

  for (const [start, end] of [
    [0, 23],
    [2, 11],
    [5, 6],
    [4, 8],
  ]) {
    it(`gradients over [${start}, ${end}) match finite differences for every parameter entry`, async () => {
      const e = await engineWith(shape, w);
      const { loss, grads } = await e.gradients(inst, start, end);
      expect(loss).toBeCloseTo(referenceLoss(shape, w64, inst, start, end), 9);
      const scale = maxAbs(grads);
      expect(scale).toBeGreaterThan(1e-3);
      let checked = 0;
      for (const p of paramSpecs(shape)) {
        const g = grads.get(p.name)!;
        const rowWidth = p.shape[1];
        const emb = EMBEDDINGS[p.name];
        for (let k = 0; k < g.length; k++) {
          if (emb) {
            const row = Math.floor(k / rowWidth);
            const touchedRows = new Set<number>();
            for (let s = start; s < end; s++) touchedRows.add(emb.rows === 'users' ? inst.users[s] : inst.items[s]);
            if (!touchedRows.has(row)) {
              expect(g[k], `${p.name}[${k}] (row ${row} untouched)`).toBe(0);
              continue;
            }
          }
          expectGradClose(g[k], fdGrad(shape, w64, inst, start, end, p.name, k), scale, `${type} ${p.name}[${k}]`);
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(10);
    });
  }

  it('gradients leave no residue: a second call gives the same result', async () => {
    const e = await engineWith(shape, w);
    const a = await e.gradients(inst, 0, 9);
    const b = await e.gradients(inst, 0, 9);
    expect(b.loss).toBe(a.loss);
    for (const [name, g] of a.grads) expect(b.grads.get(name)).toEqual(g);
  });

  it('score equals the reference logits for every (user, item) pair', async () => {
    const e = await engineWith(shape, w);
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < shape.numUsers; u++) {
      for (let i = 0; i < shape.numItems; i++) {
        users.push(u);
        items.push(i);
      }
    }
    const z = await e.score(Int32Array.from(users), Int32Array.from(items));
    expect(z.length).toBe(users.length);
    for (let k = 0; k < users.length; k++) {
      const want = referenceLogit(shape, w64, users[k], items[k]);
      expect(Math.abs(z[k] - want), `pair ${users[k]},${items[k]}`).toBeLessThan(1e-5 * (1 + Math.abs(want)));
    }
    // A request that is not a multiple of the micro-batch, and an empty one.
    const part = await e.score(Int32Array.from([4, 0, 2]), Int32Array.from([6, 1, 3]));
    expect(Array.from(part)).toEqual([z[4 * 7 + 6], z[1], z[2 * 7 + 3]]);
    expect((await e.score(new Int32Array(0), new Int32Array(0))).length).toBe(0);
  });
});

describe('neumf with layers [6] (embeddings straight into the output layer)', () => {
  it('gradients match finite differences and score matches the reference', async () => {
    const shape: ModelShape = { ...tinyShape('neumf'), layers: [6] };
    const w = randomWeights(shape, 31, 0.3);
    const w64 = toWeights64(w);
    const inst = randomInstances(9, TOUCHED_USERS, TOUCHED_ITEMS, 4);
    const e = await engineWith(shape, w);
    const { loss, grads } = await e.gradients(inst, 0, 9);
    expect(loss).toBeCloseTo(referenceLoss(shape, w64, inst, 0, 9), 9);
    const scale = maxAbs(grads);
    for (const p of paramSpecs(shape)) {
      const g = grads.get(p.name)!;
      for (let k = 0; k < g.length; k++) expectGradClose(g[k], fdGrad(shape, w64, inst, 0, 9, p.name, k), scale, `${p.name}[${k}]`);
    }
    const z = await e.score(Int32Array.from([0, 4, 2]), Int32Array.from([6, 1, 3]));
    expect(z[1]).toBeCloseTo(referenceLogit(shape, w64, 4, 1), 5);
  });
});

describe('neumf on a medium shape (He et al. widths, 60 users, 80 items)', () => {
  it('gradients match finite differences on a sample of touched rows and on every dense entry', async () => {
    const shape: ModelShape = { type: 'neumf', factors: 8, layers: [64, 32, 16, 8], embeddingStd: 0.3, numUsers: 60, numItems: 80 };
    const w = randomWeights(shape, 5, 0.3);
    // Kernels at std 0.3 over 64 inputs would saturate the logit; scale them like lecun init.
    for (const p of paramSpecs(shape)) {
      if (p.name.endsWith('_kernel')) {
        const t = w.get(p.name)!;
        for (let k = 0; k < t.length; k++) t[k] *= Math.sqrt(3 / p.shape[0]);
      }
    }
    const w64 = toWeights64(w);
    const users = Array.from({ length: 30 }, (_, k) => 2 * k); // even users only
    const items = Array.from({ length: 40 }, (_, k) => 2 * k + 1); // odd items only
    const inst = randomInstances(37, users, items, 3);
    const e = await engineWith(shape, w);
    const { loss, grads } = await e.gradients(inst, 0, 37);
    expect(loss).toBeCloseTo(referenceLoss(shape, w64, inst, 0, 37), 9);
    const scale = maxAbs(grads);
    const rng = new Rng(11);
    for (const p of paramSpecs(shape)) {
      const g = grads.get(p.name)!;
      const emb = EMBEDDINGS[p.name];
      if (!emb) {
        for (let k = 0; k < g.length; k++) expectGradClose(g[k], fdGrad(shape, w64, inst, 0, 37, p.name, k), scale, `${p.name}[${k}]`);
        continue;
      }
      const width = p.shape[1];
      const ids = emb.rows === 'users' ? inst.users : inst.items;
      // Untouched rows (odd users, even items, and any not drawn) are exactly zero.
      const touched = new Set(ids);
      for (let row = 0; row < p.shape[0]; row++) {
        if (touched.has(row)) continue;
        for (let c = 0; c < width; c++) expect(g[row * width + c]).toBe(0);
      }
      // Four touched rows, every column.
      for (let r = 0; r < 4; r++) {
        const row = ids[rng.nextInt(ids.length)];
        for (let c = 0; c < width; c++) {
          const k = row * width + c;
          expectGradClose(g[k], fdGrad(shape, w64, inst, 0, 37, p.name, k), scale, `${p.name}[row ${row}, ${c}]`);
        }
      }
    }
  });
});
