/**
 * Every op's backward against central finite differences of its forward. Each op is checked
 * through a scalar loss L = Σ R ⊙ output with a fixed random R, so ∂L/∂output = R.
 * The ops work on micro-batches of MB samples with row strides; the tests use odd sizes and
 * strides ≠ widths so that tails and offsets are exercised.
 */
import { describe, expect, it } from 'vitest';
import {
  bceWithLogitsBackward,
  bceWithLogitsForward,
  denseBackward,
  denseForward,
  gatherBackward,
  gatherForward,
  hadamardBackward,
  hadamardForward,
  MB,
  reluBackward,
  reluForward,
  sigmoid,
} from '../../src/engines/scratch/ops.js';
import { Rng } from '../../src/util/rng.js';

const rng = new Rng(20240601);
const normal = (std = 1): number => rng.nextNormal() * std;

function randomF32(n: number, std = 0.5): Float32Array {
  const a = new Float32Array(n);
  for (let k = 0; k < n; k++) a[k] = normal(std);
  return a;
}
function randomF64(n: number, std = 0.5): Float64Array {
  const a = new Float64Array(n);
  for (let k = 0; k < n; k++) a[k] = normal(std);
  return a;
}

/**
 * Central difference of `loss` with respect to arr[k]. For Float32 arrays the perturbed values
 * are what float32 can store, so the step actually taken is used in the quotient.
 */
function centralDiff(arr: Float32Array | Float64Array, k: number, h: number, loss: () => number): number {
  const orig = arr[k];
  arr[k] = orig + h;
  const up = arr[k];
  const lp = loss();
  arr[k] = orig - h;
  const down = arr[k];
  const lm = loss();
  arr[k] = orig;
  return (lp - lm) / (up - down);
}

function expectClose(got: number, want: number, tol: number, what: string): void {
  if (!(Math.abs(got - want) <= tol * (1 + Math.abs(want)))) {
    throw new Error(`${what}: got ${got}, finite difference ${want} (tol ${tol})`);
  }
}

describe('gather', () => {
  it('backward matches finite differences; repeated rows accumulate, untouched rows get 0', () => {
    const n = 3;
    const rowsOf = [1, 3, 1, 0]; // row 1 twice, row 2 untouched
    const P = randomF32(4 * n + 2);
    const base = 2; // the table starts at P[2]
    const rows = Int32Array.from(rowsOf, (r) => base + r * n);
    const stride = 5;
    const yOff = 1;
    const R = randomF64(MB * stride);
    const Y = new Float64Array(MB * stride);
    const loss = (): number => {
      gatherForward(P, rows, Y, yOff, stride, n);
      let L = 0;
      for (let s = 0; s < MB; s++) for (let k = 0; k < n; k++) L += R[yOff + s * stride + k] * Y[yOff + s * stride + k];
      return L;
    };
    loss();
    for (let s = 0; s < MB; s++) for (let k = 0; k < n; k++) expect(Y[yOff + s * stride + k]).toBe(P[rows[s] + k]);
    const dP = new Float32Array(P.length).fill(0.25); // backward must add to what is there
    gatherBackward(R, yOff, stride, dP, rows, n);
    for (let k = 0; k < P.length; k++) expectClose(dP[k] - 0.25, centralDiff(P, k, 1 / 64, loss), 1e-6, `dP[${k}]`);
    for (let k = 0; k < n; k++) expect(dP[base + 2 * n + k]).toBe(0.25);
  });
});

describe('hadamard', () => {
  it('backward matches finite differences for both tables', () => {
    const n = 5;
    const users = 3;
    const items = 4;
    const P = randomF32((users + items) * n);
    const aRows = Int32Array.from([0, 2, 0, 1], (r) => r * n);
    const bRows = Int32Array.from([3, 3, 1, 0], (r) => users * n + r * n);
    const stride = 6;
    const R = randomF64(MB * stride);
    const Y = new Float64Array(MB * stride);
    const loss = (): number => {
      hadamardForward(P, aRows, bRows, Y, 0, stride, n);
      let L = 0;
      for (let s = 0; s < MB; s++) for (let k = 0; k < n; k++) L += R[s * stride + k] * Y[s * stride + k];
      return L;
    };
    loss();
    expect(Y[stride + 2]).toBeCloseTo(P[aRows[1] + 2] * P[bRows[1] + 2], 12);
    const dP = new Float32Array(P.length);
    hadamardBackward(P, aRows, bRows, R, 0, stride, dP, n);
    for (let k = 0; k < P.length; k++) expectClose(dP[k], centralDiff(P, k, 1 / 64, loss), 1e-6, `dP[${k}]`);
    // item row 2 is untouched
    for (let k = 0; k < n; k++) expect(dP[users * n + 2 * n + k]).toBe(0);
  });
});

describe('dense', () => {
  for (const zeros of [false, true]) {
    it(`backward matches finite differences for W, b and x${zeros ? ', with zero inputs' : ''}`, () => {
      const nIn = 5; // odd: exercises the single-row tail of the backward
      const nOut = 3; // odd: exercises the single-column tail of the forward
      const w = 3;
      const bias = w + nIn * nOut + 2;
      const P = randomF32(bias + nOut + 1);
      const xStride = 7;
      const xOff = 1;
      const yStride = 4;
      const yOff = 0;
      const X = randomF64(MB * xStride);
      if (zeros) {
        for (let s = 0; s < MB; s++) X[xOff + s * xStride + 2] = 0; // input 2 is 0 for every sample (a dead ReLU)
        X[xOff + 1] = 0; // and input 1 of sample 0 only
        X[xOff + 3 * xStride + 4] = 0;
      }
      const R = randomF64(MB * yStride);
      const Y = new Float64Array(MB * yStride);
      const loss = (): number => {
        denseForward(X, xOff, xStride, P, w, bias, Y, yOff, yStride, nIn, nOut);
        let L = 0;
        for (let s = 0; s < MB; s++) for (let k = 0; k < nOut; k++) L += R[yOff + s * yStride + k] * Y[yOff + s * yStride + k];
        return L;
      };
      loss();
      // The forward against its definition.
      for (let s = 0; s < MB; s++) {
        for (let k = 0; k < nOut; k++) {
          let y = P[bias + k];
          for (let j = 0; j < nIn; j++) y += X[xOff + s * xStride + j] * P[w + j * nOut + k];
          expect(Y[yOff + s * yStride + k]).toBeCloseTo(y, 12);
        }
      }
      const dP = new Float32Array(P.length).fill(-0.5);
      const dX = new Float64Array(X.length).fill(99); // dX is written, not accumulated
      denseBackward(X, xOff, xStride, P, w, bias, R, yOff, yStride, dP, dX, nIn, nOut);
      for (let k = 0; k < P.length; k++) {
        const inParams = (k >= w && k < w + nIn * nOut) || (k >= bias && k < bias + nOut);
        const fd = centralDiff(P, k, 1 / 64, loss);
        expectClose(dP[k] + 0.5, fd, 1e-6, `dP[${k}]`);
        if (!inParams) expect(dP[k]).toBe(-0.5);
      }
      for (let s = 0; s < MB; s++) {
        for (let j = 0; j < nIn; j++) {
          const k = xOff + s * xStride + j;
          expectClose(dX[k], centralDiff(X, k, 1e-3, loss), 1e-9, `dX[${s},${j}]`);
        }
      }
    });
  }

  it('handles the 1-output layer (the NeuMF output layer) and even sizes', () => {
    for (const [nIn, nOut] of [
      [6, 1],
      [4, 2],
      [8, 6],
    ]) {
      const P = randomF32(nIn * nOut + nOut);
      const X = randomF64(MB * nIn);
      const R = randomF64(MB * nOut);
      const Y = new Float64Array(MB * nOut);
      const loss = (): number => {
        denseForward(X, 0, nIn, P, 0, nIn * nOut, Y, 0, nOut, nIn, nOut);
        let L = 0;
        for (let k = 0; k < Y.length; k++) L += R[k] * Y[k];
        return L;
      };
      const dP = new Float32Array(P.length);
      const dX = new Float64Array(X.length);
      denseBackward(X, 0, nIn, P, 0, nIn * nOut, R, 0, nOut, dP, dX, nIn, nOut);
      for (let k = 0; k < P.length; k++) expectClose(dP[k], centralDiff(P, k, 1 / 64, loss), 1e-6, `${nIn}x${nOut} dP[${k}]`);
      for (let k = 0; k < X.length; k++) expectClose(dX[k], centralDiff(X, k, 1e-3, loss), 1e-9, `${nIn}x${nOut} dX[${k}]`);
    }
  });
});

describe('relu', () => {
  it('backward matches finite differences away from the kink', () => {
    const n = 6;
    const stride = 8;
    const V = randomF64(MB * stride);
    for (let k = 0; k < V.length; k++) if (Math.abs(V[k]) < 0.05) V[k] = 0.05 * Math.sign(V[k] || 1);
    const R = randomF64(MB * stride);
    const Y = new Float64Array(V.length);
    const loss = (): number => {
      Y.set(V);
      reluForward(Y, 0, stride, n);
      let L = 0;
      for (let s = 0; s < MB; s++) for (let k = 0; k < n; k++) L += R[s * stride + k] * Y[s * stride + k];
      return L;
    };
    loss();
    for (let s = 0; s < MB; s++) for (let k = 0; k < n; k++) expect(Y[s * stride + k]).toBe(Math.max(V[s * stride + k], 0));
    const dY = R.slice();
    reluBackward(Y, 0, stride, dY, n);
    for (let s = 0; s < MB; s++) {
      for (let k = 0; k < n; k++) {
        const i = s * stride + k;
        expectClose(dY[i], centralDiff(V, i, 1e-3, loss), 1e-9, `dv[${s},${k}]`);
      }
    }
  });
});

describe('bce with logits', () => {
  it('forward equals −y log σ(z) − (1−y) log(1−σ(z)) and stays finite for large |z|', () => {
    for (const z of [-8, -1.5, -0.1, 0, 0.3, 2, 7]) {
      for (const y of [0, 1, 0.25]) {
        const p = 1 / (1 + Math.exp(-z));
        expect(bceWithLogitsForward(z, y)).toBeCloseTo(-y * Math.log(p) - (1 - y) * Math.log(1 - p), 10);
      }
    }
    expect(bceWithLogitsForward(800, 0)).toBeCloseTo(800, 10);
    expect(bceWithLogitsForward(-800, 1)).toBeCloseTo(800, 10);
    expect(bceWithLogitsForward(800, 1)).toBe(0);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
  });

  it('backward matches finite differences', () => {
    for (const z of [-30, -6, -1.2, -0.01, 0.5, 3, 25]) {
      for (const y of [0, 1, 0.7]) {
        const zz = new Float64Array([z]);
        const fd = centralDiff(zz, 0, 1e-5, () => bceWithLogitsForward(zz[0], y));
        expectClose(bceWithLogitsBackward(z, y), fd, 1e-7, `z=${z} y=${y}`);
      }
    }
  });
});
