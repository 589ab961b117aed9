import type { MethodOutput } from '../types.js';

/** 1/N per sleeve. The benchmark every other method has to beat after costs of estimation error. */
export function equal(returns: readonly Float64Array[]): number[] {
  const N = returns.length;
  return new Array<number>(N).fill(N > 0 ? 1 / N : 0);
}

/** equal, with (empty) diagnostics. */
export function equalDetailed(returns: readonly Float64Array[]): MethodOutput {
  return { weights: equal(returns), diagnostics: { notes: [] } };
}

/**
 * The fallback of every risk-based method when no sleeve has any variance: nothing to weigh risk
 * by, so equal weights, with the zero-variance sleeves listed.
 */
export function equalBecauseAllFlat(returns: readonly Float64Array[], zeroVariance: number[]): MethodOutput {
  return {
    weights: equal(returns),
    diagnostics: { zeroVariance, notes: returns.length > 0 ? ['every sleeve has zero variance: equal weights'] : [] },
  };
}
