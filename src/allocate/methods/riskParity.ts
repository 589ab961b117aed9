import { InputError } from '../../domain/errors.js';
import type { CovarianceChoice } from '../covariance.js';
import { estimateCovariance, screenSleeves } from '../covariance.js';
import { choleskyInPlace, choleskySolve, choleskyWithJitter, matVec } from '../matrix.js';
import { embed } from '../stats.js';
import type { MethodOutput } from '../types.js';
import { equalBecauseAllFlat } from './equal.js';

export interface RiskParityOptions {
  /**
   * Risk budgets, one per sleeve (positive; normalised to sum 1 over the sleeves with variance).
   * Default: equal budgets (equal risk contribution).
   */
  budgets?: readonly number[];
  /** Covariance estimate. Default 'sample' (risk parity never inverts Σ, so it needs no
   *  conditioning help, and identity shrinkage would pull unequal volatilities together). */
  covariance?: CovarianceChoice;
  /** Stop when max_i |RC_i - b_i| / b_i < tolerance (RC_i = w_i(Σw)_i / w'Σw). Default 1e-10. */
  tolerance?: number;
  /** Newton iteration budget. Default 100 (typically 5–20 are used). */
  maxIterations?: number;
}

/**
 * Long-only risk budgeting / equal risk contribution by Spinu (2013), "An algorithm for computing
 * risk parity weights": the strictly convex problem
 *
 *   min_y f(y) = ½ y'Σy - Σ_i b_i log y_i,  y > 0,
 *
 * has the unique stationary point y_i (Σy)_i = b_i, so w = y / Σy has risk contributions exactly
 * proportional to b. Solved by damped Newton (Hessian Σ + diag(b/y²), always positive definite)
 * with backtracking that keeps y > 0 — quadratic convergence, typically 5–15 steps.
 * A ridge of 1e-12 on the correlation matrix keeps the problem bounded when sleeves hedge each other
 * perfectly (w'Σw = 0 is then attainable and the exact problem has no minimiser); if the
 * tolerance cannot be met at that ridge it is raised (up to 1e-4) and a note says so.
 */
export function riskParityDetailed(returns: readonly Float64Array[], opts: RiskParityOptions = {}): MethodOutput {
  const N = returns.length;
  if (opts.budgets !== undefined && opts.budgets.length !== N) {
    throw new InputError(`risk budgets: expected ${N} values (one per sleeve), got ${opts.budgets.length}`);
  }
  for (const b of opts.budgets ?? []) {
    if (!(Number.isFinite(b) && b > 0)) throw new InputError(`risk budgets must be positive numbers, got ${b}`);
  }
  const { keep, zeroVariance, centred } = screenSleeves(returns);
  if (keep.length === 0) return equalBecauseAllFlat(returns, zeroVariance);
  const n = keep.length;
  const rawB = keep.map((i) => opts.budgets?.[i] ?? 1);
  const bSum = rawB.reduce((s, x) => s + x, 0);
  const b = Float64Array.from(rawB, (x) => x / bSum);

  const { cov, shrinkage } = estimateCovariance(centred, opts.covariance ?? 'sample');
  // Work on the correlation matrix: with z = σ∘y the conditions y_i(Σy)_i = b_i become
  // z_i(Cz)_i = b_i, so the solver sees unit variances however unequal the sleeves' volatilities
  // are (a ridge on C is then equally small for every sleeve); w_i ∝ z_i / σ_i afterwards.
  const sd = Float64Array.from({ length: n }, (_, i) => Math.sqrt(cov[i * n + i]));
  const base = cov.map((v, k) => v / (sd[Math.floor(k / n)] * sd[k % n]));
  const { res, ridge } = balanceWithRidge(base, n, b, opts.tolerance ?? 1e-10, opts.maxIterations ?? 100);
  const notes = !res.converged
    ? [`risk parity stopped at relative error ${res.error.toExponential(2)}`]
    : ridge > RIDGES[0]
      ? [`covariance is (nearly) singular, e.g. perfectly hedging sleeves: balanced the correlation matrix + ${ridge}·I`]
      : [];
  const y = res.y.map((z, i) => z / sd[i]);
  let sum = 0;
  for (const v of y) sum += v;
  const w = Array.from(y, (v) => v / sum);
  return {
    weights: embed(N, keep, w),
    diagnostics: {
      zeroVariance,
      covarianceShrinkage: shrinkage,
      iterations: res.iterations,
      converged: res.converged,
      riskContributionError: res.error,
      notes,
    },
  };
}

/** Equal-risk-contribution (or risk-budget) weights (see riskParityDetailed). */
export function riskParity(returns: readonly Float64Array[], opts: RiskParityOptions = {}): number[] {
  return riskParityDetailed(returns, opts).weights;
}

const RIDGES = [1e-12, 1e-10, 1e-8, 1e-6, 1e-4];

/**
 * A ridge ε keeps the problem bounded. With a perfect hedge (w'Σw = 0 attainable) y grows like
 * 1/√ε and (Σy)_i is a difference of O(1/√ε) terms that must resolve b_i/y_i = O(√ε), so the
 * attainable accuracy is ~1e-16/ε: escalate ε until the tolerance is reachable.
 */
function balanceWithRidge(
  C: Float64Array,
  n: number,
  b: Float64Array,
  tol: number,
  maxIter: number,
): { res: SpinuResult; ridge: number } {
  let last: { res: SpinuResult; ridge: number } | undefined;
  for (const ridge of RIDGES) {
    const Q = C.slice();
    for (let i = 0; i < n; i++) Q[i * n + i] += ridge;
    last = { res: solveSpinu(Q, n, b, tol, maxIter), ridge };
    if (last.res.converged) break;
  }
  return last!;
}

interface SpinuResult {
  y: Float64Array;
  iterations: number;
  converged: boolean;
  error: number;
}

function solveSpinu(Q: Float64Array, n: number, b: Float64Array, tol: number, maxIter: number): SpinuResult {
  const Qy = new Float64Array(n);
  // Start on the right scale: y0 = b / √(b'Σb) gives y0'Σy0 = 1 = Σ b_i.
  matVec(Q, n, b, Qy);
  let bQb = 0;
  for (let i = 0; i < n; i++) bQb += b[i] * Qy[i];
  let y = Float64Array.from(b, (v) => v / Math.sqrt(bQb));

  const f = (v: Float64Array): number => {
    matVec(Q, n, v, Qy);
    let s = 0;
    for (let i = 0; i < n; i++) s += 0.5 * v[i] * Qy[i] - b[i] * Math.log(v[i]);
    return s;
  };
  const rcError = (v: Float64Array): number => {
    matVec(Q, n, v, Qy);
    let total = 0;
    for (let i = 0; i < n; i++) total += v[i] * Qy[i];
    let err = 0;
    for (let i = 0; i < n; i++) err = Math.max(err, Math.abs((v[i] * Qy[i]) / total - b[i]) / b[i]);
    return err;
  };

  const H = new Float64Array(n * n);
  const g = new Float64Array(n);
  const d = new Float64Array(n);
  const trial = new Float64Array(n);
  let err = rcError(y);
  let iter = 0;
  while (err >= tol && iter < maxIter) {
    iter++;
    matVec(Q, n, y, Qy);
    for (let i = 0; i < n; i++) g[i] = Qy[i] - b[i] / y[i];
    H.set(Q);
    for (let i = 0; i < n; i++) H[i * n + i] += b[i] / (y[i] * y[i]);
    // H is PD (PSD Σ plus a positive diagonal); the jitter fallback only guards against rounding.
    const l = choleskyInPlace(H, n) ? H : choleskyWithJitter(rebuildHessian(Q, n, b, y), n).l;
    choleskySolve(l, n, g, d);
    let slope = 0;
    for (let i = 0; i < n; i++) {
      d[i] = -d[i];
      slope += g[i] * d[i];
    }
    const f0 = f(y);
    let t = 1;
    for (let k = 0; k < 60; k++, t *= 0.5) {
      let positive = true;
      for (let i = 0; i < n; i++) {
        trial[i] = y[i] + t * d[i];
        if (!(trial[i] > 0)) positive = false;
      }
      // Armijo on f, or a fall in the risk-contribution error: near a badly conditioned optimum
      // f changes by less than its own rounding, and the error is then the only usable merit.
      if (positive && (f(trial) <= f0 + 1e-4 * t * slope || rcError(trial) < (1 - 1e-4 * t) * err)) break;
    }
    if (t < 1e-18) break; // no further progress possible in floating point
    y = Float64Array.from(trial);
    err = rcError(y);
  }
  return { y, iterations: iter, converged: err < tol, error: err };
}

function rebuildHessian(Q: Float64Array, n: number, b: Float64Array, y: Float64Array): Float64Array {
  const H = Q.slice();
  for (let i = 0; i < n; i++) H[i * n + i] += b[i] / (y[i] * y[i]);
  return H;
}
