/**
 * The little dense linear algebra the allocators need (N is at most a few hundred): Cholesky
 * factorisation and solves on row-major Float64Array matrices.
 */

/** A relative pivot below this (of the largest diagonal) counts as singular. */
const PIVOT_EPS = 1e-13;

/**
 * Cholesky factorisation A = L L' in place (the lower triangle of `a` becomes L; the upper
 * triangle is ignored). Returns false when A is not numerically positive definite.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]));
  const floor = PIVOT_EPS * maxDiag;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    // A pivot that is tiny relative to the matrix means rounding noise, not information: report
    // failure so the caller regularises instead of dividing by noise.
    if (!(d > floor)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L L' x = b given the factor from choleskyInPlace; writes x into `out` (may alias b). */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= l[ri + k] * out[k];
    out[i] = s / l[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = out[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * out[k];
    out[i] = s / l[i * n + i];
  }
  return out;
}

/**
 * Factorises a symmetric positive semi-definite matrix, adding the smallest diagonal jitter (from
 * 1e-12 up to 1e-2 of the mean diagonal) that makes it positive definite. Singular covariances
 * (perfectly correlated sleeves) are legitimate input, and a tiny ridge selects a sensible point
 * among the equally good solutions. Returns the factor and the jitter used.
 */
export function choleskyWithJitter(a: Float64Array, n: number): { l: Float64Array; jitter: number } {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += a[i * n + i];
  meanDiag = meanDiag > 0 ? meanDiag / n : 1;
  const l = new Float64Array(n * n);
  for (let jitter = 0; ; jitter = jitter === 0 ? 1e-12 * meanDiag : jitter * 100) {
    l.set(a);
    for (let i = 0; i < n; i++) l[i * n + i] += jitter;
    if (choleskyInPlace(l, n)) return { l, jitter };
    if (jitter > 1e-2 * meanDiag) {
      throw new RangeError(`matrix is not positive semi-definite (n=${n})`);
    }
  }
}

/** y = A x for a square row-major A. */
export function matVec(a: Float64Array, n: number, x: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    const ri = i * n;
    for (let j = 0; j < n; j++) s += a[ri + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** Copies the rows and columns `idx` of a square n×n matrix into a new |idx|×|idx| matrix. */
export function subMatrix(a: Float64Array, n: number, idx: readonly number[]): Float64Array {
  const k = idx.length;
  const out = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    const src = idx[r] * n;
    for (let c = 0; c < k; c++) out[r * k + c] = a[src + idx[c]];
  }
  return out;
}
