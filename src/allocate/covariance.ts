/**
 * Covariance estimate selection shared by the risk-based methods, plus the zero-variance screen
 * they all apply first.
 */
import { InputError } from '../domain/errors.js';
import { ledoitWolf, shrinkToIdentity } from './ledoitWolf.js';
import type { Centred } from './stats.js';
import { centre, covarianceOfCentred, nonDegenerate, selectSleeves, variances } from './stats.js';

/**
 * Which covariance to use: 'ledoit-wolf' (analytic shrinkage towards the scaled identity),
 * 'sample' (no shrinkage), or a fixed shrinkage intensity in [0, 1] towards the scaled identity.
 */
export type CovarianceChoice = 'ledoit-wolf' | 'sample' | number;

export interface CovarianceEstimate {
  cov: Float64Array;
  /** Intensity used (0 for 'sample'). */
  shrinkage: number;
}

/** Covariance of centred returns according to `choice`. */
export function estimateCovariance(c: Centred, choice: CovarianceChoice): CovarianceEstimate {
  if (choice === 'ledoit-wolf') {
    const lw = ledoitWolf(c);
    return { cov: lw.cov, shrinkage: lw.shrinkage };
  }
  if (choice === 'sample') return { cov: covarianceOfCentred(c), shrinkage: 0 };
  if (typeof choice === 'number' && Number.isFinite(choice) && choice >= 0 && choice <= 1) {
    return { cov: shrinkToIdentity(covarianceOfCentred(c), c.N, choice), shrinkage: choice };
  }
  throw new InputError(
    `unknown covariance estimate '${String(choice)}' (expected 'ledoit-wolf', 'sample' or a shrinkage intensity in [0, 1])`,
  );
}

/**
 * The sleeves worth allocating to by a risk-based method. A zero-variance sleeve carries no risk
 * to balance and no information beyond cash (which the allocator already holds implicitly), and
 * would receive unbounded weight from 1/σ-type formulas, so it is set aside with weight 0.
 */
export interface Screened {
  /** Indices (into the original sleeves) of sleeves with usable variance. */
  keep: number[];
  /** Indices of zero-variance sleeves. */
  zeroVariance: number[];
  /** Centred returns of the kept sleeves only. */
  centred: Centred;
}

/** Splits sleeves into those with usable variance (centred) and zero-variance ones. */
export function screenSleeves(returns: readonly Float64Array[]): Screened {
  const all = centre(returns);
  const keep = nonDegenerate(variances(all));
  const zeroVariance: number[] = [];
  let k = 0;
  for (let i = 0; i < all.N; i++) {
    if (keep[k] === i) k++;
    else zeroVariance.push(i);
  }
  const centred = keep.length === all.N ? all : selectSleeves(all, keep);
  return { keep, zeroVariance, centred };
}

/** Divides a covariance by its mean diagonal: the solvers' tolerances then mean the same thing at
 *  any return scale (daily variances are ~1e-4). Every method here is invariant to this scale. */
export function normaliseScale(cov: Float64Array, N: number): Float64Array {
  let m = 0;
  for (let i = 0; i < N; i++) m += cov[i * N + i];
  m /= N;
  if (!(m > 0)) return cov.slice();
  return cov.map((v) => v / m);
}
