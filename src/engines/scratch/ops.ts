/**
 * The scratch engine's ops, one sample at a time. Each `xForward` has its `xBackward` right
 * below it with the same loop structure. Backward functions ACCUMULATE (+=) into parameter
 * gradients (summed over the batch) and WRITE (=) input gradients (one sample's scratch).
 *
 * Arrays: parameters and their gradients are Float32Array (the flat layout, addressed by
 * offset); per-sample activations are Float64Array scratch vectors. Keeping each argument
 * position to one array type keeps these functions monomorphic for V8.
 */

/** y[0..n) = P[pOff..pOff+n)  — an embedding lookup (row copy). */
export function gatherForward(P: Float32Array, pOff: number, y: Float64Array, yOff: number, n: number): void {
  for (let k = 0; k < n; k++) y[yOff + k] = P[pOff + k];
}
/** dP[pOff..pOff+n) += dy[0..n)  — the lookup's gradient lands on one table row. */
export function gatherBackward(dy: Float64Array, dyOff: number, dP: Float32Array, pOff: number, n: number): void {
  for (let k = 0; k < n; k++) dP[pOff + k] += dy[dyOff + k];
}

/** y[k] = P[a + k] · P[b + k]  — GMF's element-wise product of a user row and an item row. */
export function hadamardForward(P: Float32Array, a: number, b: number, y: Float64Array, yOff: number, n: number): void {
  for (let k = 0; k < n; k++) y[yOff + k] = P[a + k] * P[b + k];
}
/** ∂y_k/∂p_a,k = p_b,k and ∂y_k/∂p_b,k = p_a,k. */
export function hadamardBackward(
  P: Float32Array, a: number, b: number, dy: Float64Array, dyOff: number, dP: Float32Array, n: number,
): void {
  for (let k = 0; k < n; k++) {
    const g = dy[dyOff + k];
    dP[a + k] += g * P[b + k];
    dP[b + k] += g * P[a + k];
  }
}

/**
 * y = x W + b for one sample: x (nIn), W (nIn, nOut) row-major at P[w], b (nOut) at P[bias].
 * Rows with x_j = 0 (common after ReLU) are skipped: they add nothing.
 */
export function denseForward(
  x: Float64Array, xOff: number, P: Float32Array, w: number, bias: number,
  y: Float64Array, yOff: number, nIn: number, nOut: number,
): void {
  for (let k = 0; k < nOut; k++) y[yOff + k] = P[bias + k];
  for (let j = 0; j < nIn; j++) {
    const xj = x[xOff + j];
    if (xj === 0) continue;
    const row = w + j * nOut;
    for (let k = 0; k < nOut; k++) y[yOff + k] += xj * P[row + k];
  }
}
/**
 * dW_jk += x_j dy_k, db_k += dy_k, dx_j = Σ_k W_jk dy_k (dx skipped when dxOff < 0).
 * Same loop order as the forward: row j of W is read once for both dx_j and dW_j.
 */
export function denseBackward(
  x: Float64Array, xOff: number, P: Float32Array, w: number, bias: number,
  dy: Float64Array, dyOff: number, dP: Float32Array, dx: Float64Array, dxOff: number, nIn: number, nOut: number,
): void {
  for (let k = 0; k < nOut; k++) dP[bias + k] += dy[dyOff + k];
  for (let j = 0; j < nIn; j++) {
    const xj = x[xOff + j];
    const row = w + j * nOut;
    let acc = 0;
    if (xj === 0) {
      if (dxOff >= 0) for (let k = 0; k < nOut; k++) acc += P[row + k] * dy[dyOff + k];
    } else {
      for (let k = 0; k < nOut; k++) {
        const g = dy[dyOff + k];
        dP[row + k] += xj * g;
        acc += P[row + k] * g;
      }
    }
    if (dxOff >= 0) dx[dxOff + j] = acc;
  }
}

/** y = max(y, 0) in place. */
export function reluForward(y: Float64Array, off: number, n: number): void {
  for (let k = 0; k < n; k++) if (y[off + k] < 0) y[off + k] = 0;
}
/** dy_k = 0 where the forward output y_k was clamped (y_k = 0), in place. */
export function reluBackward(y: Float64Array, off: number, dy: Float64Array, dyOff: number, n: number): void {
  for (let k = 0; k < n; k++) if (y[off + k] <= 0) dy[dyOff + k] = 0;
}

/**
 * Binary cross-entropy on a logit z with label y, computed stably:
 * max(z, 0) − z·y + log1p(exp(−|z|)).
 */
export function bceWithLogitsForward(z: number, y: number): number {
  return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
}
/** ∂loss/∂z = sigmoid(z) − y. */
export function bceWithLogitsBackward(z: number, y: number): number {
  return sigmoid(z) - y;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
