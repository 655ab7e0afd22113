/** Weights for any registered model: initialisation, counting and checking against its parameters. */
import { sizeOf, type ModelShape, type Weights } from '../core/model.js';
import { Rng } from '../util/rng.js';
import { paramSpecs } from './index.js';

export function countParams(m: ModelShape): number {
  return paramSpecs(m).reduce((n, p) => n + sizeOf(p.shape), 0);
}

/**
 * He et al.'s initialisation, as in their Keras code: embeddings ~ N(0, 0.01); MLP kernels
 * glorot_uniform, U(±sqrt(6 / (fanIn + fanOut))) (Keras' Dense default); the prediction layer
 * lecun_uniform, U(±sqrt(3 / fanIn)); biases 0. MF: factors ~ N(0, embeddingStd), biases 0.
 */
export function initWeights(m: ModelShape, seed: number): Weights {
  const rng = Rng.derive(seed, 0x1417);
  const weights: Weights = new Map();
  for (const p of paramSpecs(m)) {
    const w = new Float32Array(sizeOf(p.shape));
    if (p.init === 'normal') {
      for (let k = 0; k < w.length; k++) w[k] = rng.nextNormal() * m.embeddingStd;
    } else if (p.init !== 'zeros') {
      const [fanIn, fanOut] = p.shape;
      const limit = p.init === 'glorot_uniform' ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(3 / fanIn);
      for (let k = 0; k < w.length; k++) w[k] = (rng.nextFloat() * 2 - 1) * limit;
    }
    weights.set(p.name, w);
  }
  return weights;
}

/** Throws if `w` does not hold exactly the parameters of `m` with the right sizes. */
export function checkWeights(m: ModelShape, w: Weights): void {
  for (const p of paramSpecs(m)) {
    const got = w.get(p.name);
    if (!got) throw new Error(`weights lack parameter ${p.name}`);
    if (got.length !== sizeOf(p.shape)) {
      throw new Error(`parameter ${p.name} has ${got.length} values, expected ${sizeOf(p.shape)} (${p.shape.join('×')})`);
    }
  }
}

/** The first parameter holding a NaN or ±Infinity, and where, or null when every value is finite. */
export function firstNonFinite(w: Weights): { name: string; index: number; value: number } | null {
  for (const [name, v] of w) {
    for (let k = 0; k < v.length; k++) if (!Number.isFinite(v[k])) return { name, index: k, value: v[k] };
  }
  return null;
}

/** `w` of model `m` with each user table cut to its first `users` rows (the rest dropped, e.g. feedback users'). */
export function firstUserRows(m: ModelShape, w: Weights, users: number): Weights {
  const out: Weights = new Map(w);
  for (const p of paramSpecs(m)) {
    if (p.rows !== 'users') continue;
    const width = sizeOf(p.shape) / p.shape[0];
    out.set(p.name, w.get(p.name)!.slice(0, users * width));
  }
  return out;
}
