import { Rng } from '../../src/domain/rng.js';
import type { Sleeve } from '../../src/allocate/index.js';

/**
 * Walsh-type ±1 sequence: sign flips every 2^k days. For T a multiple of 2^(k+1) every such
 * sequence has mean exactly 0, and sequences with different k are exactly orthogonal, so sample
 * covariances of scaled Walsh series are exactly diagonal: known answers without sampling error.
 */
export function walsh(T: number, k: number): Float64Array {
  return Float64Array.from({ length: T }, (_, t) => (Math.floor(t / 2 ** k) % 2 === 0 ? 1 : -1));
}

export function affine(x: Float64Array, scale: number, shift = 0): Float64Array {
  return x.map((v) => shift + scale * v);
}

export function add(...xs: Float64Array[]): Float64Array {
  return xs[0].map((_, t) => xs.reduce((s, x) => s + x[t], 0));
}

/** iid normal series with the given mean and volatility. */
export function normalSeries(rng: Rng, T: number, mean: number, vol: number): Float64Array {
  return Float64Array.from({ length: T }, () => mean + vol * rng.normal());
}

/** Sleeves named s0, s1, ... on assets given (default: each its own asset). */
export function sleevesOf(returns: Float64Array[], assets?: string[]): Sleeve[] {
  return returns.map((r, i) => ({
    id: `s${i}`,
    strategyId: `strat${i}`,
    asset: assets?.[i] ?? `A${i}`,
    returns: r,
  }));
}

/** Risk contributions w_i (Σw)_i / w'Σw for a row-major covariance. */
export function riskContributions(cov: Float64Array, w: number[]): number[] {
  const n = w.length;
  const sw = w.map((_, i) => w.reduce((s, wj, j) => s + cov[i * n + j] * wj, 0));
  const total = w.reduce((s, wi, i) => s + wi * sw[i], 0);
  return w.map((wi, i) => (wi * sw[i]) / total);
}

/** A factor-model panel: every sleeve loads on one common factor plus its own noise. */
export function factorPanel(rng: Rng, N: number, T: number): Float64Array[] {
  const f = normalSeries(rng, T, 0, 0.01);
  return Array.from({ length: N }, () => {
    const beta = 0.2 + rng.float();
    const vol = 0.005 + 0.02 * rng.float();
    const mu = 0.0004 * (rng.float() - 0.3);
    return Float64Array.from({ length: T }, (_, t) => mu + beta * f[t] + vol * rng.normal());
  });
}
