/**
 * Alternating least squares for model ials on the host, the scratch engine's (the loss is in IalsSettings).
 * With the other side's table H fixed, row w of one side minimises a quadratic whose normal
 * equations are
 *   (α0·c_r·G + Σ_{j∈S_r} h_j h_jᵀ + λ·#_r^ν·I) w = Σ_{j∈S_r} h_j,   G = Σ_j c_j h_j h_jᵀ (the Gramian trick),
 * so rows are independent: each thread solves a contiguous range of them into the shared
 * weights, and the result does not depend on how many threads there are. Sums run in float64.
 * c is eALS's per-item weight of the unobserved term (all 1 for iALS): solving items, c_r is the
 * row's own and G unweighted; solving users, c_r = 1 and G is weighted by the items' c.
 * A row is solved exactly (Cholesky), by conjugate-gradient steps, or by one pass of eALS's
 * coordinate descent; the last two start from the row's current value.
 */
import type { IalsSettings } from '../core/training.js';

/** One side's rows and what they are solved against, as every thread sees it (shared buffers). */
export interface SweepJob {
  /** Offset in P of the table being solved, its row count, and of the fixed table. */
  solvedOff: number;
  solvedRows: number;
  fixedOff: number;
  fixedRows: number;
  d: number;
  /** The solved side's interactions: row r's partners are index[offsets[r] .. offsets[r+1]). */
  offsets: Int32Array;
  index: Int32Array;
  /** The fixed table's Gramian, (d, d), weighted by its rows' c when the fixed side is the items. */
  gram: Float64Array;
  /** The solved rows' c when they are items weighted by popularity; null: all 1. */
  rowWeights: Float64Array | null;
  settings: IalsSettings;
  /** Thread t solves rows [bounds[t], bounds[t + 1]). */
  bounds: Int32Array;
}

/** G = Σ_r c_r h_r h_rᵀ over `rows` rows of width d at P[off ..], full (d, d); c all 1 when null. */
export function gramian(P: Float32Array, off: number, rows: number, d: number, G: Float64Array, c: Float64Array | null = null): void {
  G.fill(0);
  const h = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const base = off + r * d;
    const cr = c === null ? 1 : c[r];
    for (let k = 0; k < d; k++) h[k] = cr * P[base + k];
    for (let a = 0; a < d; a++) {
      const ha = h[a];
      const row = a * d;
      for (let b = 0; b <= a; b++) G[row + b] += ha * P[base + b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) G[b * d + a] = G[a * d + b];
}

/** Row r's regularisation λ·#_r^ν, #_r = |S_r| + α0·c_r·(rows of the fixed side): the total weight of its terms. */
export function rowRegularization(count: number, fixedRows: number, s: IalsSettings, c = 1): number {
  return s.regularization * (count + s.unobservedWeight * c * fixedRows) ** s.regularizationExp;
}

/** Fold-in's input: every liked item a row of the table, and one weight per item when weighted. */
export function checkFoldIn(items: Int32Array, itemWeights: Float64Array | null, numItems: number): void {
  for (const j of items) if (!(j >= 0 && j < numItems)) throw new Error(`leastSquares.solveUser: item ${j} is not in 0..${numItems - 1}`);
  if (itemWeights !== null && itemWeights.length !== numItems)
    throw new Error(`leastSquares.solveUser: ${itemWeights.length} item weights for ${numItems} items`);
}

function rowWeight(job: SweepJob, row: number): number {
  return job.rowWeights === null ? 1 : job.rowWeights[row];
}

/** Per-thread scratch for one row's system. */
export class RowSolver {
  private readonly A: Float64Array;
  private readonly b: Float64Array;
  private readonly x: Float64Array;
  private readonly r: Float64Array;
  private readonly p: Float64Array;
  private readonly Ap: Float64Array;
  private readonly h: Float64Array;
  /** eALS's cache of the row's predictions on its partners and of where their rows start in P, grown to the longest row seen. */
  private predictions = new Float64Array(0);
  private partners = new Int32Array(0);

  constructor(readonly d: number) {
    this.A = new Float64Array(d * d);
    [this.b, this.x, this.r, this.p, this.Ap, this.h] = Array.from({ length: 6 }, () => new Float64Array(d));
  }

  /** Solves rows [r0, r1) of the job into P. */
  solveRows(P: Float32Array, job: SweepJob, r0: number, r1: number): void {
    const solver = job.settings.solver;
    for (let row = r0; row < r1; row++) {
      if (solver === 'cholesky') this.cholesky(P, job, row);
      else if (solver === 'eals') this.coordinateDescent(P, job, row);
      else this.conjugateGradient(P, job, row);
    }
  }

  /** b = Σ h_j over the row's partners. */
  private rhs(P: Float32Array, job: SweepJob, row: number): void {
    const { b } = this;
    const d = job.d;
    b.fill(0);
    for (let e = job.offsets[row]; e < job.offsets[row + 1]; e++) {
      const base = job.fixedOff + job.index[e] * d;
      for (let k = 0; k < d; k++) b[k] += P[base + k];
    }
  }

  /** The exact solution: builds the lower triangle of A, factors A = L Lᵀ in place, two triangular solves. */
  private cholesky(P: Float32Array, job: SweepJob, row: number): void {
    const { A, b, h } = this;
    const d = job.d;
    const s = job.settings;
    const c = rowWeight(job, row);
    const a0 = s.unobservedWeight * c;
    const lam = rowRegularization(job.offsets[row + 1] - job.offsets[row], job.fixedRows, s, c);
    const G = job.gram;
    for (let a = 0; a < d; a++) {
      const i = a * d;
      for (let c = 0; c <= a; c++) A[i + c] = a0 * G[i + c];
      A[i + a] += lam;
    }
    for (let e = job.offsets[row]; e < job.offsets[row + 1]; e++) {
      const base = job.fixedOff + job.index[e] * d;
      for (let k = 0; k < d; k++) h[k] = P[base + k];
      for (let a = 0; a < d; a++) {
        const ha = h[a];
        const i = a * d;
        for (let c = 0; c <= a; c++) A[i + c] += ha * h[c];
      }
    }
    // Cholesky–Banachiewicz, row by row: L[i][j] reads rows i and j of L, both contiguous.
    for (let i = 0; i < d; i++) {
      const ri = i * d;
      for (let j = 0; j <= i; j++) {
        const rj = j * d;
        let sum = A[ri + j];
        for (let k = 0; k < j; k++) sum -= A[ri + k] * A[rj + k];
        if (i === j) {
          if (!(sum > 0)) throw new Error(`iALS: row ${row}'s system is not positive definite (λ too small?)`);
          A[ri + i] = Math.sqrt(sum);
        } else A[ri + j] = sum / A[rj + j];
      }
    }
    this.rhs(P, job, row);
    for (let i = 0; i < d; i++) {
      let sum = b[i];
      for (let k = 0; k < i; k++) sum -= A[i * d + k] * b[k];
      b[i] = sum / A[i * d + i];
    }
    for (let i = d - 1; i >= 0; i--) {
      let sum = b[i];
      for (let k = i + 1; k < d; k++) sum -= A[k * d + i] * b[k];
      b[i] = sum / A[i * d + i];
    }
    const out = job.solvedOff + row * d;
    for (let k = 0; k < d; k++) P[out + k] = b[k];
  }

  /** Ap = (α0·c_r·G + λ·I) p + Σ_j h_j (h_j·p), without forming the row's matrix. */
  private multiply(P: Float32Array, job: SweepJob, row: number, lam: number, p: Float64Array, Ap: Float64Array): void {
    const d = job.d;
    const G = job.gram;
    const a0 = job.settings.unobservedWeight * rowWeight(job, row);
    for (let a = 0; a < d; a++) {
      const i = a * d;
      let sum = 0;
      for (let c = 0; c < d; c++) sum += G[i + c] * p[c];
      Ap[a] = a0 * sum + lam * p[a];
    }
    for (let e = job.offsets[row]; e < job.offsets[row + 1]; e++) {
      const base = job.fixedOff + job.index[e] * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += P[base + k] * p[k];
      for (let k = 0; k < d; k++) Ap[k] += dot * P[base + k];
    }
  }

  /** cgSteps steps of conjugate gradient from the row's current value (warm start across epochs). */
  private conjugateGradient(P: Float32Array, job: SweepJob, row: number): void {
    const { b, x, r, p, Ap } = this;
    const d = job.d;
    const lam = rowRegularization(job.offsets[row + 1] - job.offsets[row], job.fixedRows, job.settings, rowWeight(job, row));
    const out = job.solvedOff + row * d;
    for (let k = 0; k < d; k++) x[k] = P[out + k];
    this.rhs(P, job, row);
    this.multiply(P, job, row, lam, x, Ap);
    let rs = 0;
    for (let k = 0; k < d; k++) {
      r[k] = b[k] - Ap[k];
      p[k] = r[k];
      rs += r[k] * r[k];
    }
    for (let step = 0; step < job.settings.cgSteps && rs > 1e-20; step++) {
      this.multiply(P, job, row, lam, p, Ap);
      let pAp = 0;
      for (let k = 0; k < d; k++) pAp += p[k] * Ap[k];
      const alpha = rs / pAp;
      let next = 0;
      for (let k = 0; k < d; k++) {
        x[k] += alpha * p[k];
        r[k] -= alpha * Ap[k];
        next += r[k] * r[k];
      }
      const beta = next / rs;
      for (let k = 0; k < d; k++) p[k] = r[k] + beta * p[k];
      rs = next;
    }
    for (let k = 0; k < d; k++) P[out + k] = x[k];
  }

  /**
   * One pass of eALS (He et al. 2016) over the row's coordinates: with the others fixed, x_k's
   * exact minimiser is
   *   x_k = (Σ_j (1 − ŷ_j + x_k h_jk) h_jk − α0·c_r·((G x)_k − G_kk x_k)) / (Σ_j h_jk² + α0·c_r·G_kk + λ_r),
   * with the predictions ŷ_j = x·h_j on the row's partners and G x kept up to date after each
   * coordinate: about 2d² + 3|S_r|·d, a little more than one CG step. No step raises the loss.
   */
  private coordinateDescent(P: Float32Array, job: SweepJob, row: number): void {
    const { x, Ap: gx } = this;
    const d = job.d;
    const G = job.gram;
    const a0 = job.settings.unobservedWeight * rowWeight(job, row);
    const first = job.offsets[row];
    const n = job.offsets[row + 1] - first;
    const lam = rowRegularization(n, job.fixedRows, job.settings, rowWeight(job, row));
    if (this.predictions.length < n) {
      this.predictions = new Float64Array(Math.max(n, 2 * this.predictions.length));
      this.partners = new Int32Array(this.predictions.length);
    }
    const { predictions: pred, partners: base } = this;
    const out = job.solvedOff + row * d;
    for (let k = 0; k < d; k++) x[k] = P[out + k];
    for (let a = 0; a < d; a++) {
      let sum = 0;
      for (let c = 0; c < d; c++) sum += G[a * d + c] * x[c];
      gx[a] = sum;
    }
    for (let e = 0; e < n; e++) {
      const b = job.fixedOff + job.index[first + e] * d;
      base[e] = b;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += x[k] * P[b + k];
      pred[e] = dot;
    }
    for (let k = 0; k < d; k++) {
      const xk = x[k];
      const gkk = G[k * d + k];
      let num = -a0 * (gx[k] - gkk * xk);
      let den = a0 * gkk + lam;
      for (let e = 0; e < n; e++) {
        const hk = P[base[e] + k];
        num += (1 - pred[e] + xk * hk) * hk;
        den += hk * hk;
      }
      const delta = num / den - xk;
      if (delta === 0) continue;
      x[k] = xk + delta;
      for (let e = 0; e < n; e++) pred[e] += delta * P[base[e] + k];
      for (let a = 0; a < d; a++) gx[a] += delta * G[a * d + k];
    }
    for (let k = 0; k < d; k++) P[out + k] = x[k];
  }
}

/**
 * Thread bounds over `rows` rows with about equal work each: a row costs about d² (its
 * Gramian term) plus |S_r|·d per step or per outer product.
 */
export function balancedBounds(offsets: Int32Array, rows: number, d: number, threads: number): Int32Array {
  const cost = (r: number): number => d + (offsets[r + 1] - offsets[r]);
  let total = 0;
  for (let r = 0; r < rows; r++) total += cost(r);
  const bounds = new Int32Array(threads + 1);
  let acc = 0;
  let t = 1;
  for (let r = 0; r < rows && t < threads; r++) {
    acc += cost(r);
    while (t < threads && acc >= (total * t) / threads) bounds[t++] = r + 1;
  }
  for (; t <= threads; t++) bounds[t] = rows;
  return bounds;
}

/**
 * The iALS loss at the current weights, by parts: the observed term over the user-side
 * interactions, the α0 term as Σ_ab (WᵀW)_ab (Σ_i c_i h_i h_iᵀ)_ab, and the regularisation.
 * items.gram is weighted by items.weights (null: all 1).
 */
export function ialsLoss(
  P: Float32Array,
  users: { off: number; rows: number; offsets: Int32Array; index: Int32Array; gram: Float64Array },
  items: { off: number; rows: number; offsets: Int32Array; gram: Float64Array; weights: Float64Array | null },
  d: number,
  s: IalsSettings,
): { observed: number; unobserved: number; regularization: number } {
  let observed = 0;
  for (let u = 0; u < users.rows; u++) {
    const w = users.off + u * d;
    for (let e = users.offsets[u]; e < users.offsets[u + 1]; e++) {
      const h = items.off + users.index[e] * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += P[w + k] * P[h + k];
      observed += (dot - 1) ** 2;
    }
  }
  let all = 0;
  for (let k = 0; k < d * d; k++) all += users.gram[k] * items.gram[k];
  const normsWeighted = (t: { off: number; rows: number; offsets: Int32Array }, otherRows: number, c: Float64Array | null): number => {
    let sum = 0;
    for (let r = 0; r < t.rows; r++) {
      let sq = 0;
      for (let k = 0; k < d; k++) sq += P[t.off + r * d + k] ** 2;
      sum += rowRegularization(t.offsets[r + 1] - t.offsets[r], otherRows, s, c === null ? 1 : c[r]) * sq;
    }
    return sum;
  };
  return {
    observed,
    unobserved: s.unobservedWeight * all,
    regularization: normsWeighted(users, items.rows, null) + normsWeighted(items, users.rows, items.weights),
  };
}
