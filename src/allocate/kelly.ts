/**
 * Fractional-Kelly sizing of total exposure.
 */
import { InputError } from '../domain/errors.js';
import type { KellyReport } from './types.js';
import { meanAndSampleVariance } from './objectives.js';

export interface KellyOptions {
  /** Fraction of full Kelly, in (0, 1] (0.5 = "half Kelly"). Over-betting (> 1) is refused. */
  fraction: number;
  /** Largest total exposure, in [0, 1]; pass at most the constraints' maxTotal. */
  cap: number;
}

/**
 * Scales the weights by k = clamp(fraction · f*, 0, min(1, cap / Σw)), where
 * f* = mean / variance of the portfolio's daily returns (the continuous-time Kelly leverage of
 * the portfolio, sample variance with divisor T-1). k ≤ 1 because the weights are taken to be a
 * constrained allocation that already invests as much as the caps allow: scaling up would break
 * per-sleeve/asset caps. A non-positive mean gives k = 0 (all cash); zero variance with a
 * positive mean gives the largest allowed k; fewer than 2 days gives 0 (no evidence).
 * `portfolioReturns` must be the daily returns of `weights` (see portfolioReturns).
 */
export function kellyScale(weights: readonly number[], portfolioReturns: Float64Array, opts: KellyOptions): number[] {
  const { scale } = kellyDetails(weights, portfolioReturns, opts);
  return weights.map((w) => w * scale);
}

/** The numbers behind kellyScale, for reports. */
export function kellyDetails(weights: readonly number[], portfolioReturns: Float64Array, opts: KellyOptions): KellyReport {
  const { fraction, cap } = opts;
  if (!(Number.isFinite(fraction) && fraction > 0 && fraction <= 1)) {
    throw new InputError(`kelly.fraction must be a number in (0, 1], got ${fraction}`);
  }
  if (!(Number.isFinite(cap) && cap >= 0 && cap <= 1)) {
    throw new InputError(`kelly.cap must be a number in [0, 1], got ${cap}`);
  }
  let total = 0;
  for (const w of weights) {
    if (!(Number.isFinite(w) && w >= 0)) throw new RangeError(`kellyScale: weight ${w} is not a non-negative number`);
    total += w;
  }
  const fullKelly = kellyLeverage(portfolioReturns);
  const limit = total > 0 ? Math.min(1, cap / total) : 0;
  const raw = fraction * fullKelly;
  const scale = raw > 0 ? Math.min(limit, raw) : 0;
  return { fullKelly, fraction, scale };
}

/** f* = mean / variance; ±Infinity for a non-zero mean with zero variance; 0 if T < 2. */
export function kellyLeverage(r: Float64Array): number {
  if (r.length < 2) return 0;
  const { mean: m, variance: v } = meanAndSampleVariance(r);
  if (v > 0) return m / v;
  return m > 0 ? Infinity : m < 0 ? -Infinity : 0;
}
