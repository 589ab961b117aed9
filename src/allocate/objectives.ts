/**
 * Ready-made objectives for evolveWeights. Each maps a portfolio's daily returns to a number to
 * maximise; none is annualisation-sensitive in its argmax, but they are annualised so reports can
 * print them.
 */
import type { Objective } from './types.js';

/** Trading days per year used for annualisation. */
export const PERIODS_PER_YEAR = 252;

/**
 * Annualised Sharpe ratio with a zero risk-free rate: mean / sd · √252 (sd with divisor T-1).
 * 0 when fewer than 2 days or zero volatility (no evidence either way).
 */
export function sharpeRatio(r: Float64Array, periodsPerYear = PERIODS_PER_YEAR): number {
  if (r.length < 2) return 0;
  const { mean, variance } = meanAndSampleVariance(r);
  const sd = Math.sqrt(variance);
  return sd > 0 ? (mean / sd) * Math.sqrt(periodsPerYear) : 0;
}

/** Mean and sample variance (divisor T-1, two passes for accuracy); needs at least 2 values. */
export function meanAndSampleVariance(r: Float64Array): { mean: number; variance: number } {
  const T = r.length;
  let s = 0;
  for (let t = 0; t < T; t++) s += r[t];
  const mean = s / T;
  let v = 0;
  for (let t = 0; t < T; t++) v += (r[t] - mean) * (r[t] - mean);
  return { mean, variance: v / (T - 1) };
}

/**
 * Calmar ratio: compound annual growth rate / maximum drawdown of the compounded equity curve.
 * With no drawdown it is +Infinity for positive growth and 0 otherwise.
 */
export function calmarRatio(r: Float64Array, periodsPerYear = PERIODS_PER_YEAR): number {
  const T = r.length;
  if (T === 0) return 0;
  let equity = 1;
  let peak = 1;
  let maxDd = 0;
  for (let t = 0; t < T; t++) {
    equity *= 1 + r[t];
    if (equity > peak) peak = equity;
    const dd = peak > 0 ? 1 - equity / peak : 1;
    if (dd > maxDd) maxDd = dd;
  }
  const cagr = equity > 0 ? Math.pow(equity, periodsPerYear / T) - 1 : -1;
  if (maxDd === 0) return cagr > 0 ? Infinity : 0;
  return cagr / maxDd;
}

/** The objectives by name, for configs. */
export const OBJECTIVES: Readonly<Record<'sharpe' | 'calmar', Objective>> = {
  sharpe: (r) => sharpeRatio(r),
  calmar: (r) => calmarRatio(r),
};
