/**
 * Exact solver for the one QP shape the mean-variance allocators need:
 *
 *   minimise x'Qx   subject to   a'x = 1,  x ≥ 0.
 *
 * With a = 1 this is the long-only global minimum-variance portfolio; with a = μ it is the
 * long-only tangency (maximum-Sharpe) portfolio up to normalisation (max μ'x/√(x'Qx) over x ≥ 0 is
 * attained at x* / Σx* where x* solves the QP with a = μ).
 *
 * Method: primal active-set (Nocedal & Wright, Numerical Optimization, alg. 16.3). Each step solves
 * the equality-constrained problem on the free set F in closed form, x_F ∝ Q_FF⁻¹ a_F, walks
 * towards it until a weight hits 0 (which then joins the active set), and at a stationary point
 * releases the active bound with the most negative multiplier λ_i = (Qx)_i - ν a_i, ν = x'Qx.
 * Chosen over projected gradient because it terminates at the exact optimum (up to rounding) in a
 * finite number of steps whatever the conditioning, which matters for nearly collinear sleeves.
 */
import { choleskySolve, choleskyWithJitter, matVec, subMatrix } from './matrix.js';

export interface QPResult {
  x: Float64Array;
  iterations: number;
  /** True when the KKT conditions held to tolerance within the iteration budget. */
  converged: boolean;
  /** Ridge (× mean diagonal) added to Q to reach convergence; 0 when none was needed. */
  ridge: number;
}

export interface QPOptions {
  /** Relative tolerance on negative multipliers of active bounds. Default 1e-12. */
  tolerance?: number;
  /** Default 20n + 50 (each bound is typically added/released a few times at most). */
  maxIterations?: number;
}

/**
 * Solves min x'Qx s.t. a'x = 1, x ≥ 0 from the feasible start x0 (a'x0 = 1, x0 ≥ 0).
 * Q must be symmetric PSD (a tiny ridge is added if a free block is singular).
 */
export function minQuadraticOnHyperplane(
  Q: Float64Array,
  a: Float64Array,
  x0: Float64Array,
  opts: QPOptions = {},
): QPResult {
  const n = a.length;
  const tol = opts.tolerance ?? 1e-12;
  const maxIter = opts.maxIterations ?? 20 * n + 50;
  const x = Float64Array.from(x0);
  const active = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (x[i] <= 0) active[i] = 1;

  const g = new Float64Array(n);
  let lastReleased = -1;
  for (let iter = 1; iter <= maxIter; iter++) {
    const free: number[] = [];
    for (let i = 0; i < n; i++) if (!active[i]) free.push(i);
    const target = equalityOptimum(Q, n, a, free);

    // Ratio test: step towards the free-set optimum, stopping where a weight would turn negative.
    let alpha = 1;
    let blocking = -1;
    for (let k = 0; k < free.length; k++) {
      const i = free[k];
      const p = target[k] - x[i];
      // The bound just released must be allowed to move off 0 even if rounding says otherwise.
      if (p < 0 && i !== lastReleased) {
        const r = x[i] / -p;
        if (r < alpha) {
          alpha = r;
          blocking = i;
        }
      }
    }
    lastReleased = -1;
    if (blocking >= 0) {
      for (let k = 0; k < free.length; k++) {
        const i = free[k];
        x[i] = Math.max(0, x[i] + alpha * (target[k] - x[i]));
      }
      x[blocking] = 0;
      active[blocking] = 1;
      continue;
    }
    for (let k = 0; k < free.length; k++) x[free[k]] = Math.max(0, target[k]);

    // Stationary on the free set: check the multipliers of the active bounds.
    matVec(Q, n, x, g);
    let nu = 0;
    for (let i = 0; i < n; i++) nu += x[i] * g[i];
    let scale = 0;
    for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(g[i]), Math.abs(nu * a[i]));
    let worst = -tol * (scale > 0 ? scale : 1);
    let release = -1;
    for (let i = 0; i < n; i++) {
      if (!active[i]) continue;
      const lambda = g[i] - nu * a[i];
      if (lambda < worst) {
        worst = lambda;
        release = i;
      }
    }
    if (release < 0) return { x, iterations: iter, converged: true, ridge: 0 };
    active[release] = 0;
    lastReleased = release;
  }
  return { x, iterations: maxIter, converged: false, ridge: 0 };
}

/**
 * minQuadraticOnHyperplane, retried with a growing ridge Q + ε·(mean diag)·I, ε = 1e-12 … 1e-6,
 * if it does not converge. A singular Q (collinear sleeves with too little shrinkage, e.g. T = 2)
 * can make the optimum a whole face, and the active-set method may then cycle between equally
 * good vertices; a ridge makes the optimum unique. Well-posed problems never see a ridge.
 */
export function minQuadraticOnHyperplaneRobust(
  Q: Float64Array,
  a: Float64Array,
  x0: Float64Array,
  opts: QPOptions = {},
): QPResult {
  const n = a.length;
  let res = minQuadraticOnHyperplane(Q, a, x0, opts);
  if (res.converged) return res;
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += Q[i * n + i];
  meanDiag = meanDiag > 0 ? meanDiag / n : 1;
  let iterations = res.iterations;
  for (const ridge of [1e-12, 1e-10, 1e-8, 1e-6]) {
    const Qr = Q.slice();
    for (let i = 0; i < n; i++) Qr[i * n + i] += ridge * meanDiag;
    res = minQuadraticOnHyperplane(Qr, a, x0, opts);
    iterations += res.iterations;
    if (res.converged) return { ...res, iterations, ridge };
  }
  return { ...res, iterations };
}

/** argmin x_F'Q_FF x_F s.t. a_F'x_F = 1, i.e. Q_FF⁻¹ a_F / (a_F'Q_FF⁻¹ a_F), in free-set order. */
function equalityOptimum(Q: Float64Array, n: number, a: Float64Array, free: readonly number[]): Float64Array {
  const k = free.length;
  const { l } = choleskyWithJitter(subMatrix(Q, n, free), k);
  const aF = Float64Array.from(free, (i) => a[i]);
  const z = choleskySolve(l, k, aF, new Float64Array(k));
  let denom = 0;
  for (let j = 0; j < k; j++) denom += aF[j] * z[j];
  // denom > 0 whenever a_F ≠ 0 and Q_FF is PD; a_F = 0 cannot happen because the current point
  // is feasible (a_F'x_F = 1).
  for (let j = 0; j < k; j++) z[j] /= denom;
  return z;
}

/** Report lines for a QP result: the ridge it needed, or that it stopped short. */
export function qpNotes(method: string, res: QPResult): string[] {
  if (!res.converged) return [`${method} solver hit its iteration limit; weights are its last iterate`];
  if (res.ridge > 0) {
    return [`${method}: covariance is singular (collinear sleeves); solved with a ${res.ridge}·(mean variance) ridge`];
  }
  return [];
}
