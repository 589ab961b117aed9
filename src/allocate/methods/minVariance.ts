import type { CovarianceChoice } from '../covariance.js';
import { estimateCovariance, normaliseScale, screenSleeves } from '../covariance.js';
import { minQuadraticOnHyperplaneRobust, qpNotes } from '../qp.js';
import { embed, normalise } from '../stats.js';
import type { MethodOutput } from '../types.js';
import { equalBecauseAllFlat } from './equal.js';

export interface MinVarianceOptions {
  /** Covariance estimate. Default 'ledoit-wolf'. */
  covariance?: CovarianceChoice;
  /** KKT tolerance of the active-set solver (relative). Default 1e-12. */
  tolerance?: number;
}

/**
 * Long-only global minimum-variance weights: argmin w'Σw s.t. Σw = 1, w ≥ 0, with Σ the
 * Ledoit–Wolf shrunk covariance by default (the sample covariance is singular or nearly so when
 * sleeves are collinear or T is not much larger than N, and minimum variance chases its smallest
 * eigenvalues). Solved exactly by the active-set method in qp.ts from equal weights.
 * Zero-variance sleeves get 0 (see screenSleeves).
 */
export function minVarianceDetailed(returns: readonly Float64Array[], opts: MinVarianceOptions = {}): MethodOutput {
  const N = returns.length;
  const { keep, zeroVariance, centred } = screenSleeves(returns);
  if (keep.length === 0) return equalBecauseAllFlat(returns, zeroVariance);
  const n = keep.length;
  const { cov, shrinkage } = estimateCovariance(centred, opts.covariance ?? 'ledoit-wolf');
  const ones = new Float64Array(n).fill(1);
  const res = minQuadraticOnHyperplaneRobust(normaliseScale(cov, n), ones, new Float64Array(n).fill(1 / n), {
    tolerance: opts.tolerance,
  });
  const w = normalise(res.x);
  return {
    weights: embed(N, keep, w),
    diagnostics: {
      zeroVariance,
      covarianceShrinkage: shrinkage,
      iterations: res.iterations,
      converged: res.converged,
      notes: qpNotes('min-variance', res),
    },
  };
}

/** Long-only minimum-variance weights (see minVarianceDetailed). */
export function minVariance(returns: readonly Float64Array[], opts: MinVarianceOptions = {}): number[] {
  return minVarianceDetailed(returns, opts).weights;
}
