/**
 * iALS — the plain dot product ŷ = w_u·h_i (no biases, no output layer), fitted not by gradient
 * steps but by alternating least squares on the iALS loss (Hu, Koren & Volinsky 2008, in Rendle et
 * al.'s formulation, "Revisiting the Performance of iALS on Item Recommendation Benchmarks",
 * RecSys 2022; see IalsSettings). Its score ranks items; it is not a logit.
 */
import { embeddingPair } from './parts.js';
import type { ModelDef } from './types.js';

export const ials: ModelDef = {
  type: 'ials',
  title: 'iALS',
  summary: 'dot product w_u·h_i fitted by implicit alternating least squares (Hu et al. 2008; Rendle et al. 2022)',
  params: (m) => embeddingPair('ials', m.numUsers, m.numItems, m.factors),
  describe: (m) => `ials (dot product fitted by alternating least squares), ${m.factors} factors`,
  predictiveFactors: (m) => m.factors,
  fit: 'least-squares',
};

/**
 * eALS's weight c_i of item i's unobserved pairs (IalsSettings.popularityExp e): I·f_i^e / Σ_j f_j^e
 * from each item's training positives f, counted as at least 1 so that no item's system is singular;
 * null for e = 0 (uniform, iALS).
 */
export function popularityWeights(positives: ArrayLike<number>, exponent: number): Float64Array | null {
  if (exponent === 0) return null;
  const c = Float64Array.from(positives, (f) => Math.max(f, 1) ** exponent);
  let sum = 0;
  for (const v of c) sum += v;
  for (let i = 0; i < c.length; i++) c[i] *= c.length / sum;
  return c;
}
