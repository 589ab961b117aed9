import { InputError } from '../../domain/errors.js';
import type { CovarianceChoice } from '../covariance.js';
import { estimateCovariance, normaliseScale, screenSleeves } from '../covariance.js';
import { choleskySolve, choleskyWithJitter } from '../matrix.js';
import { minQuadraticOnHyperplaneRobust, qpNotes } from '../qp.js';
import { embed, normalise } from '../stats.js';
import type { MethodOutput } from '../types.js';
import { equalBecauseAllFlat } from './equal.js';
import { minVarianceDetailed } from './minVariance.js';

export interface MaxSharpeOptions {
  /** Covariance estimate. Default 'ledoit-wolf'. */
  covariance?: CovarianceChoice;
  /**
   * Shrinkage of the sample means towards their grand mean: 'bayes-stein' (default, Jorion 1986
   * intensity) or a fixed intensity in [0, 1] (0 = raw sample means, 1 = all means equal, which
   * makes the tangency portfolio the minimum-variance portfolio).
   */
  meanShrinkage?: 'bayes-stein' | number;
  /** KKT tolerance of the active-set solver (relative). Default 1e-12. */
  tolerance?: number;
}

/**
 * Long-only tangency portfolio (maximum Sharpe ratio, risk-free rate 0 since cash earns 0):
 * max μ'w / √(w'Σw) over w ≥ 0, Σw = 1. Sample means are far noisier than covariances, so μ is
 * shrunk towards the grand mean μ̄ with the Bayes–Stein intensity of Jorion (1986),
 *
 *   φ = (N + 2) / ((N + 2) + T (μ̂ - μ̄1)' Σ⁻¹ (μ̂ - μ̄1)),
 *
 * (Jorion shrinks towards the minimum-variance portfolio's mean; the grand mean is used here as
 * asked, which keeps the target independent of Σ), and Σ is Ledoit–Wolf shrunk. The problem is
 * solved exactly as min y'Σy s.t. μ'y = 1, y ≥ 0, w = y / Σy (active set, qp.ts).
 *
 * If no sleeve has a positive shrunk mean there is no portfolio with positive Sharpe ratio; the
 * method then falls back to minimum variance and says so in the notes (Kelly scaling, if enabled,
 * will then move the allocation to cash because the portfolio's mean is not positive).
 */
export function maxSharpeDetailed(returns: readonly Float64Array[], opts: MaxSharpeOptions = {}): MethodOutput {
  const N = returns.length;
  const { keep, zeroVariance, centred } = screenSleeves(returns);
  if (keep.length === 0) return equalBecauseAllFlat(returns, zeroVariance);
  const n = keep.length;
  const { T } = centred;
  const { cov, shrinkage } = estimateCovariance(centred, opts.covariance ?? 'ledoit-wolf');

  const mu = centred.means;
  let grand = 0;
  for (const m of mu) grand += m;
  grand /= n;
  const phi = meanShrinkageIntensity(opts.meanShrinkage ?? 'bayes-stein', mu, grand, cov, n, T);
  const muS = Float64Array.from(mu, (m) => (1 - phi) * m + phi * grand);

  let best = 0;
  for (let i = 1; i < n; i++) if (muS[i] > muS[best]) best = i;
  // Relative test: means that are positive only by rounding (all equal to a zero grand mean) do
  // not make a tangency portfolio.
  let scale = 0;
  for (const m of muS) scale = Math.max(scale, Math.abs(m));
  if (!(muS[best] > 1e-12 * scale) || scale === 0) {
    const mv = minVarianceDetailed(returns, { covariance: opts.covariance, tolerance: opts.tolerance });
    return {
      weights: mv.weights,
      diagnostics: {
        ...mv.diagnostics,
        meanShrinkage: phi,
        notes: [...mv.diagnostics.notes, 'no sleeve has a positive expected return: fell back to min-variance'],
      },
    };
  }
  const x0 = new Float64Array(n);
  x0[best] = 1 / muS[best];
  const res = minQuadraticOnHyperplaneRobust(normaliseScale(cov, n), muS, x0, { tolerance: opts.tolerance });
  return {
    weights: embed(N, keep, normalise(res.x)),
    diagnostics: {
      zeroVariance,
      covarianceShrinkage: shrinkage,
      meanShrinkage: phi,
      iterations: res.iterations,
      converged: res.converged,
      notes: qpNotes('max-Sharpe', res),
    },
  };
}

/** Long-only maximum-Sharpe weights (see maxSharpeDetailed). */
export function maxSharpe(returns: readonly Float64Array[], opts: MaxSharpeOptions = {}): number[] {
  return maxSharpeDetailed(returns, opts).weights;
}

function meanShrinkageIntensity(
  choice: 'bayes-stein' | number,
  mu: Float64Array,
  grand: number,
  cov: Float64Array,
  n: number,
  T: number,
): number {
  if (typeof choice === 'number') {
    if (Number.isFinite(choice) && choice >= 0 && choice <= 1) return choice;
    throw new InputError(`mean shrinkage must be 'bayes-stein' or a number in [0, 1], got ${choice}`);
  }
  if (choice !== 'bayes-stein') {
    throw new InputError(`mean shrinkage must be 'bayes-stein' or a number in [0, 1], got '${String(choice)}'`);
  }
  const dev = Float64Array.from(mu, (m) => m - grand);
  const { l } = choleskyWithJitter(cov, n);
  const z = choleskySolve(l, n, dev, new Float64Array(n));
  let q = 0;
  for (let i = 0; i < n; i++) q += dev[i] * z[i];
  return (n + 2) / (n + 2 + T * Math.max(0, q));
}
