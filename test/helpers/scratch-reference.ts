/**
 * An independent, plainly written float64 NeuMF (He et al. 2017) and MF with biases (Rendle et
 * al. 2020), with log loss, BPR and L2, used as the oracle for the scratch engine's tests: one
 * sample at a time, no shared code with src/engines/scratch.
 */
import type { Instances, Objective } from '../../src/core/training.js';
import { paramSpecs } from '../../src/models/index.js';
import type { ModelShape, Weights } from '../../src/core/model.js';
import { Rng } from '../../src/util/rng.js';

export type Weights64 = Map<string, Float64Array>;

export function toWeights64(w: Weights): Weights64 {
  const out: Weights64 = new Map();
  for (const [k, v] of w) out.set(k, Float64Array.from(v));
  return out;
}

/** Every parameter ~ N(0, std), biases included, so gradients are not tiny and ReLUs are mixed. */
export function randomWeights(shape: ModelShape, seed: number, std = 0.3): Weights {
  const rng = new Rng(seed);
  const w: Weights = new Map();
  for (const p of paramSpecs(shape)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    for (let k = 0; k < n; k++) a[k] = rng.nextNormal() * std;
    w.set(p.name, a);
  }
  return w;
}

/** The logit ŷ(u, i) before the sigmoid. */
export function referenceLogit(shape: ModelShape, w: Weights64, u: number, i: number): number {
  const G = shape.factors;
  if (shape.type === 'mf') {
    const pu = w.get('mf_user')!;
    const qi = w.get('mf_item')!;
    let z = w.get('out_bias')![0] + w.get('user_bias')![u] + w.get('item_bias')![i];
    for (let k = 0; k < G; k++) z += pu[u * G + k] * qi[i * G + k];
    return z;
  }
  const phi: number[] = [];
  if (shape.type !== 'mlp') {
    const pu = w.get('gmf_user')!;
    const qi = w.get('gmf_item')!;
    for (let k = 0; k < G; k++) phi.push(pu[u * G + k] * qi[i * G + k]);
  }
  if (shape.type !== 'gmf') {
    const E = shape.layers[0] / 2;
    const pu = w.get('mlp_user')!;
    const qi = w.get('mlp_item')!;
    let h: number[] = [];
    for (let k = 0; k < E; k++) h.push(pu[u * E + k]);
    for (let k = 0; k < E; k++) h.push(qi[i * E + k]);
    for (let l = 1; l < shape.layers.length; l++) {
      const W = w.get(`mlp_${l}_kernel`)!;
      const b = w.get(`mlp_${l}_bias`)!;
      const nOut = shape.layers[l];
      const next: number[] = [];
      for (let o = 0; o < nOut; o++) {
        let a = b[o];
        for (let j = 0; j < h.length; j++) a += h[j] * W[j * nOut + o]; // kernel (in, out)
        next.push(Math.max(a, 0));
      }
      h = next;
    }
    phi.push(...h);
  }
  const hOut = w.get('out_kernel')!;
  let z = w.get('out_bias')![0];
  for (let k = 0; k < phi.length; k++) z += hOut[k] * phi[k];
  return z;
}

/** Mean log loss over instances [start, end), written from the definition: −y log σ(z) − (1−y) log(1−σ(z)). */
export function referenceLoss(shape: ModelShape, w: Weights64, inst: Instances, start: number, end: number): number {
  let sum = 0;
  for (let s = start; s < end; s++) {
    const z = referenceLogit(shape, w, inst.users[s], inst.items[s]);
    const y = inst.labels[s];
    // log σ(z) = −log(1 + e^{−z}); log(1 − σ(z)) = −log(1 + e^{z})
    sum += y * Math.log1p(Math.exp(-z)) + (1 - y) * Math.log1p(Math.exp(z));
  }
  return sum / (end - start);
}

/** Softplus, log(1 + e^x), stably. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** The rows (parameter name, row index) instance (u, i) reads. */
function rowsRead(shape: ModelShape, u: number, i: number): [string, number][] {
  const byType: Record<string, string[]> = {
    gmf: ['gmf_user', 'gmf_item'],
    mlp: ['mlp_user', 'mlp_item'],
    neumf: ['gmf_user', 'gmf_item', 'mlp_user', 'mlp_item'],
    mf: ['mf_user', 'mf_item', 'user_bias', 'item_bias'],
  };
  return byType[shape.type].map((name) => [name, name.endsWith('_user') || name === 'user_bias' ? u : i]);
}

const DENSE_PREFIXES = ['mlp_1', 'mlp_2', 'mlp_3', 'mlp_4', 'out_'];

/**
 * The training objective from its definition (see Objective): the mean data loss over
 * [start, end) — per instance for bce, per pair (2k, 2k + 1) for bpr — plus, per instance
 * weighted like its loss term, (λ/2)·‖row‖² of every row it reads, plus (λ/2)·(Σ weights)·‖dense‖².
 */
export function referenceObjective(shape: ModelShape, w: Weights64, inst: Instances, start: number, end: number, obj: Objective): number {
  const units = obj.loss === 'bpr' ? (end - start) / 2 : end - start;
  let data = 0;
  if (obj.loss === 'bpr') {
    for (let s = start; s < end; s += 2) {
      const d = referenceLogit(shape, w, inst.users[s], inst.items[s]) - referenceLogit(shape, w, inst.users[s + 1], inst.items[s + 1]);
      data += softplus(-d); // −log σ(d)
    }
  } else {
    for (let s = start; s < end; s++) {
      const z = referenceLogit(shape, w, inst.users[s], inst.items[s]);
      data += inst.labels[s] === 1 ? softplus(-z) : softplus(z);
    }
  }
  let reg = 0;
  for (let s = start; s < end; s++) {
    for (const [name, row] of rowsRead(shape, inst.users[s], inst.items[s])) {
      const t = w.get(name)!;
      const width = t.length / (name.endsWith('_user') || name === 'user_bias' ? shape.numUsers : shape.numItems);
      for (let k = 0; k < width; k++) reg += t[row * width + k] ** 2;
    }
  }
  let dense = 0;
  for (const [name, t] of w) if (DENSE_PREFIXES.some((p) => name.startsWith(p))) for (const x of t) dense += x * x;
  return data / units + (obj.l2 / 2) * (reg / units + ((end - start) / units) * dense);
}

export function makeInstances(users: number[], items: number[], labels: number[]): Instances {
  return {
    length: users.length,
    users: Int32Array.from(users),
    items: Int32Array.from(items),
    labels: Float32Array.from(labels),
  };
}

/** Synthetic instances: uniform users/items from the given lists, labels ~ Bernoulli(0.4). */
export function randomInstances(n: number, users: number[], items: number[], seed: number): Instances {
  const rng = new Rng(seed);
  const u: number[] = [];
  const i: number[] = [];
  const y: number[] = [];
  for (let k = 0; k < n; k++) {
    u.push(users[rng.nextInt(users.length)]);
    i.push(items[rng.nextInt(items.length)]);
    y.push(rng.nextFloat() < 0.4 ? 1 : 0);
  }
  return makeInstances(u, i, y);
}
