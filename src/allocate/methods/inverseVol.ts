import { screenSleeves } from '../covariance.js';
import { embed, variances } from '../stats.js';
import type { MethodOutput } from '../types.js';
import { equalBecauseAllFlat } from './equal.js';

/**
 * Weights proportional to 1/σ_i (sample standard deviation). Equals risk parity when the sleeves
 * are uncorrelated. Zero-variance sleeves get 0; if every sleeve is flat, equal weights.
 */
export function inverseVolDetailed(returns: readonly Float64Array[]): MethodOutput {
  const N = returns.length;
  const { keep, zeroVariance, centred } = screenSleeves(returns);
  if (keep.length === 0) return equalBecauseAllFlat(returns, zeroVariance);
  const v = variances(centred);
  const inv = Array.from(v, (x) => 1 / Math.sqrt(x));
  const sum = inv.reduce((s, x) => s + x, 0);
  return { weights: embed(N, keep, inv.map((x) => x / sum)), diagnostics: { zeroVariance, notes: [] } };
}

/** Weights proportional to 1/σ_i. */
export function inverseVol(returns: readonly Float64Array[]): number[] {
  return inverseVolDetailed(returns).weights;
}
