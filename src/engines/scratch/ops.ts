// biome-ignore-all format: the ops are laid out by hand (a 4-sample × 2-output tile per line, forward beside backward); see below
/**
 * The scratch engine's ops, over a micro-batch of exactly MB = 4 samples at a time. Each
 * `xForward` has its `xBackward` right below it with the same loop structure (except Dense: its
 * forward walks down columns of W and its backward along rows, each the order that keeps its
 * running sums in registers). Backward functions
 * ACCUMULATE (+=) into parameter gradients (summed over the batch) and WRITE (=) input gradients
 * (the micro-batch's scratch).
 *
 * Why micro-batches: a Dense layer is a stream of weight loads; handling 4 samples per weight
 * load, with the 4 samples' values held in local variables (registers), does 4 multiply-adds per
 * load instead of 1. The 4 samples are written out (s = 0..3) rather than looped over, so V8 keeps
 * them in registers. A short tail is padded by the caller (repeat a sample with loss weight 0).
 *
 * Arrays: parameters and their gradients are Float32Array (the flat layout, addressed by
 * offset); activations are Float64Array scratch, one row of `stride` values per sample, so sample
 * s of a vector at offset `off` starts at off + s·stride. Embedding-row arguments are Int32Array
 * (MB) of offsets into P. Keeping each argument position to one array type keeps these functions
 * monomorphic for V8.
 */

/** Samples per micro-batch; the ops below are written out for exactly this many. */
export const MB = 4;

/** Y[s, 0..n) = P[rows[s] .. rows[s]+n)  — embedding lookups (row copies), (MB, n). */
export function gatherForward(P: Float32Array, rows: Int32Array, Y: Float64Array, yOff: number, stride: number, n: number): void {
  for (let s = 0; s < MB; s++) {
    const r = rows[s];
    const y = yOff + s * stride;
    for (let k = 0; k < n; k++) Y[y + k] = P[r + k];
  }
}
/** dP[rows[s] + k] += dY[s, k]  — each lookup's gradient lands on its table row. */
export function gatherBackward(dY: Float64Array, yOff: number, stride: number, dP: Float32Array, rows: Int32Array, n: number): void {
  for (let s = 0; s < MB; s++) {
    const r = rows[s];
    const y = yOff + s * stride;
    for (let k = 0; k < n; k++) dP[r + k] += dY[y + k];
  }
}

/** Y[s, k] = P[a_s + k] · P[b_s + k]  — GMF's element-wise product of a user row and an item row. */
export function hadamardForward(
  P: Float32Array, aRows: Int32Array, bRows: Int32Array, Y: Float64Array, yOff: number, stride: number, n: number,
): void {
  for (let s = 0; s < MB; s++) {
    const a = aRows[s];
    const b = bRows[s];
    const y = yOff + s * stride;
    for (let k = 0; k < n; k++) Y[y + k] = P[a + k] * P[b + k];
  }
}
/** ∂y_k/∂p_a,k = p_b,k and ∂y_k/∂p_b,k = p_a,k. */
export function hadamardBackward(
  P: Float32Array, aRows: Int32Array, bRows: Int32Array, dY: Float64Array, yOff: number, stride: number, dP: Float32Array, n: number,
): void {
  for (let s = 0; s < MB; s++) {
    const a = aRows[s];
    const b = bRows[s];
    const y = yOff + s * stride;
    for (let k = 0; k < n; k++) {
      const g = dY[y + k];
      dP[a + k] += g * P[b + k];
      dP[b + k] += g * P[a + k];
    }
  }
}

/**
 * z_s = P[bias] + P[ub_s] + P[ib_s] + Σ_k P[a_s + k]·P[b_s + k]  — MF's logit: the global bias, the
 * user's and the item's bias, and the dot product of their factor rows.
 */
export function dotBiasForward(
  P: Float32Array, aRows: Int32Array, bRows: Int32Array, userBias: Int32Array, itemBias: Int32Array, bias: number, z: Float64Array, n: number,
): void {
  const b = P[bias];
  for (let s = 0; s < MB; s++) {
    const a = aRows[s];
    const c = bRows[s];
    let dot = 0;
    for (let k = 0; k < n; k++) dot += P[a + k] * P[c + k];
    z[s] = b + P[userBias[s]] + P[itemBias[s]] + dot;
  }
}
/**
 * ∂z/∂p_a,k = p_b,k, ∂z/∂p_b,k = p_a,k, and 1 for each of the three biases. The global bias
 * gradient is summed over the micro-batch, and a user bias's over slots (2k, 2k + 1) when they
 * share the user, in float64 before reaching dP: a BPR pair's equal and opposite terms then cancel
 * exactly (in float32 they would leave rounding noise, which Adam would blow up into steps of ±lr
 * on parameters the loss does not depend on).
 */
export function dotBiasBackward(
  P: Float32Array, aRows: Int32Array, bRows: Int32Array, userBias: Int32Array, itemBias: Int32Array, bias: number,
  dz: Float64Array, dP: Float32Array, n: number,
): void {
  dotBackward(P, aRows, bRows, dz, dP, n);
  let gBias = 0;
  for (let s = 0; s < MB; s++) {
    dP[itemBias[s]] += dz[s];
    gBias += dz[s];
  }
  dP[bias] += gBias;
  for (let s = 0; s < MB; s += 2) {
    const r0 = userBias[s];
    const r1 = userBias[s + 1];
    if (r0 === r1) dP[r0] += dz[s] + dz[s + 1];
    else {
      dP[r0] += dz[s];
      dP[r1] += dz[s + 1];
    }
  }
}

/** z_s = Σ_k P[a_s + k]·P[b_s + k]  — the plain dot product of two rows (iALS's score). */
export function dotForward(P: Float32Array, aRows: Int32Array, bRows: Int32Array, z: Float64Array, n: number): void {
  for (let s = 0; s < MB; s++) {
    const a = aRows[s];
    const c = bRows[s];
    let dot = 0;
    for (let k = 0; k < n; k++) dot += P[a + k] * P[c + k];
    z[s] = dot;
  }
}

/** ∂z/∂p_a,k = p_b,k and ∂z/∂p_b,k = p_a,k. */
export function dotBackward(P: Float32Array, aRows: Int32Array, bRows: Int32Array, dz: Float64Array, dP: Float32Array, n: number): void {
  for (let s = 0; s < MB; s++) {
    const a = aRows[s];
    const c = bRows[s];
    const g = dz[s];
    for (let k = 0; k < n; k++) {
      const pa = P[a + k];
      dP[a + k] += g * P[c + k];
      dP[c + k] += g * pa;
    }
  }
}

/**
 * L2 on the rows a sample reads: dP[row_s + k] += λ·w_s·P[row_s + k], the gradient of
 * (λ/2)·w_s·‖row_s‖² — as Rendle et al.'s SGD, which decays only the rows each example uses.
 */
export function rowL2Backward(P: Float32Array, rows: Int32Array, weight: Float64Array, lambda: number, dP: Float32Array, n: number): void {
  for (let s = 0; s < MB; s++) {
    const r = rows[s];
    const c = lambda * weight[s];
    if (c === 0) continue;
    for (let k = 0; k < n; k++) dP[r + k] += c * P[r + k];
  }
}

/**
 * Y = X W + b for MB samples: X (MB, nIn) rows at xOff + s·xStride, W (nIn, nOut) row-major at
 * P[w], b (nOut) at P[bias], Y (MB, nOut) rows at yOff + s·yStride.
 * Register-blocked: a 4-sample × 2-output tile of Y is accumulated in 8 locals while the inner
 * loop walks down two columns of W, so each weight load feeds 4 multiply-adds and each x load 2.
 */
export function denseForward(
  X: Float64Array, xOff: number, xStride: number, P: Float32Array, w: number, bias: number,
  Y: Float64Array, yOff: number, yStride: number, nIn: number, nOut: number,
): void {
  const x0 = xOff, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
  const y0 = yOff, y1 = y0 + yStride, y2 = y1 + yStride, y3 = y2 + yStride;
  let k = 0;
  for (; k + 1 < nOut; k += 2) {
    const b0 = P[bias + k], b1 = P[bias + k + 1];
    let s00 = b0, s01 = b1, s10 = b0, s11 = b1, s20 = b0, s21 = b1, s30 = b0, s31 = b1;
    for (let j = 0, r = w + k; j < nIn; j++, r += nOut) {
      const w0 = P[r], w1 = P[r + 1];
      const a0 = X[x0 + j], a1 = X[x1 + j], a2 = X[x2 + j], a3 = X[x3 + j];
      s00 += a0 * w0; s01 += a0 * w1;
      s10 += a1 * w0; s11 += a1 * w1;
      s20 += a2 * w0; s21 += a2 * w1;
      s30 += a3 * w0; s31 += a3 * w1;
    }
    Y[y0 + k] = s00; Y[y0 + k + 1] = s01;
    Y[y1 + k] = s10; Y[y1 + k + 1] = s11;
    Y[y2 + k] = s20; Y[y2 + k + 1] = s21;
    Y[y3 + k] = s30; Y[y3 + k + 1] = s31;
  }
  if (k < nOut) {
    // Odd nOut (the output layer has 1): the last column alone.
    const b0 = P[bias + k];
    let s0 = b0, s1 = b0, s2 = b0, s3 = b0;
    for (let j = 0, r = w + k; j < nIn; j++, r += nOut) {
      const w0 = P[r];
      s0 += X[x0 + j] * w0;
      s1 += X[x1 + j] * w0;
      s2 += X[x2 + j] * w0;
      s3 += X[x3 + j] * w0;
    }
    Y[y0 + k] = s0;
    Y[y1 + k] = s1;
    Y[y2 + k] = s2;
    Y[y3 + k] = s3;
  }
}
/**
 * db_k += Σ_s dy_sk,  dW_jk += Σ_s x_sj dy_sk,  dX_sj = Σ_k W_jk dy_sk.
 * Blocked over two rows j, j+1 of W at a time: the inner loop walks along both rows, so each
 * dy_sk load serves 4 multiply-adds and the 8 dX sums stay in locals. Rows whose four x_j are
 * all 0 (after ReLU) leave dW_j unchanged; the loop still adds 0s there, which costs less than
 * a branch per row.
 */
export function denseBackward(
  X: Float64Array, xOff: number, xStride: number, P: Float32Array, w: number, bias: number,
  dY: Float64Array, yOff: number, yStride: number, dP: Float32Array, dX: Float64Array, nIn: number, nOut: number,
): void {
  const x0 = xOff, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
  const y0 = yOff, y1 = y0 + yStride, y2 = y1 + yStride, y3 = y2 + yStride;
  for (let k = 0; k < nOut; k++) dP[bias + k] += dY[y0 + k] + dY[y1 + k] + dY[y2 + k] + dY[y3 + k];
  let j = 0;
  for (; j + 1 < nIn; j += 2) {
    const a0 = X[x0 + j], a1 = X[x1 + j], a2 = X[x2 + j], a3 = X[x3 + j];
    const c0 = X[x0 + j + 1], c1 = X[x1 + j + 1], c2 = X[x2 + j + 1], c3 = X[x3 + j + 1];
    const ra = w + j * nOut;
    const rc = ra + nOut;
    let d0 = 0, d1 = 0, d2 = 0, d3 = 0, e0 = 0, e1 = 0, e2 = 0, e3 = 0;
    for (let k = 0; k < nOut; k++) {
      const wa = P[ra + k], wc = P[rc + k];
      const g0 = dY[y0 + k], g1 = dY[y1 + k], g2 = dY[y2 + k], g3 = dY[y3 + k];
      dP[ra + k] += a0 * g0 + a1 * g1 + a2 * g2 + a3 * g3;
      dP[rc + k] += c0 * g0 + c1 * g1 + c2 * g2 + c3 * g3;
      d0 += g0 * wa; d1 += g1 * wa; d2 += g2 * wa; d3 += g3 * wa;
      e0 += g0 * wc; e1 += g1 * wc; e2 += g2 * wc; e3 += g3 * wc;
    }
    dX[x0 + j] = d0; dX[x1 + j] = d1; dX[x2 + j] = d2; dX[x3 + j] = d3;
    dX[x0 + j + 1] = e0; dX[x1 + j + 1] = e1; dX[x2 + j + 1] = e2; dX[x3 + j + 1] = e3;
  }
  if (j < nIn) {
    // Odd nIn: the last row alone.
    const a0 = X[x0 + j], a1 = X[x1 + j], a2 = X[x2 + j], a3 = X[x3 + j];
    const ra = w + j * nOut;
    let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
    for (let k = 0; k < nOut; k++) {
      const wa = P[ra + k];
      const g0 = dY[y0 + k], g1 = dY[y1 + k], g2 = dY[y2 + k], g3 = dY[y3 + k];
      dP[ra + k] += a0 * g0 + a1 * g1 + a2 * g2 + a3 * g3;
      d0 += g0 * wa; d1 += g1 * wa; d2 += g2 * wa; d3 += g3 * wa;
    }
    dX[x0 + j] = d0; dX[x1 + j] = d1; dX[x2 + j] = d2; dX[x3 + j] = d3;
  }
}

/**
 * Y = max(Y, 0) in place, (MB, n). Written branch-free as (y + |y|)/2, which is exact (y + |y| is
 * 2y or 0): ReLU signs are close to coin flips, and a mispredicted branch per unit costs more
 * than the arithmetic.
 */
export function reluForward(Y: Float64Array, off: number, stride: number, n: number): void {
  for (let s = 0; s < MB; s++) {
    const y = off + s * stride;
    for (let k = 0; k < n; k++) {
      const v = Y[y + k];
      Y[y + k] = (v + Math.abs(v)) * 0.5;
    }
  }
}
/** dY_sk = 0 where the forward output Y_sk was clamped (Y_sk = 0), in place; branch-free: dY·[Y > 0]. */
export function reluBackward(Y: Float64Array, off: number, stride: number, dY: Float64Array, n: number): void {
  for (let s = 0; s < MB; s++) {
    const y = off + s * stride;
    for (let k = 0; k < n; k++) dY[y + k] *= Number(Y[y + k] > 0);
  }
}

/**
 * Binary cross-entropy on a logit z with label y, computed stably:
 * max(z, 0) − z·y + log1p(exp(−|z|)).
 */
export function bceWithLogitsForward(z: number, y: number): number {
  return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
}
/** ∂loss/∂z = sigmoid(z) − y. BPR's pair loss −ln σ(z⁺ − z⁻) is bceWithLogits(z⁺ − z⁻, 1). */
export function bceWithLogitsBackward(z: number, y: number): number {
  return sigmoid(z) - y;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
