/**
 * Ledoit & Wolf (2004), "A well-conditioned estimator for large-dimensional covariance matrices",
 * J. Multivariate Analysis 88: shrinkage of the sample covariance S towards the scaled identity
 * m·I (m = mean variance) with the analytic, asymptotically optimal intensity.
 *
 * Target choice: the scaled identity (the paper's target) rather than the constant-correlation
 * target of Ledoit & Wolf (2003/2004 "Honey, I shrunk..."). Consequence worth knowing: besides
 * pulling correlations towards 0, it pulls every variance towards the average variance, so with
 * very unequal volatilities the shrunk matrix understates the spread of risk in proportion to the
 * intensity. The intensity shrinks like N/T, so with thousands of days and tens of sleeves the
 * effect is small; risk parity and inverse-vol default to the sample covariance for this reason.
 */
import type { Centred } from './stats.js';
import { covarianceOfCentred } from './stats.js';

export interface ShrunkCovariance {
  /** Σ* = δ m I + (1 - δ) S, N×N row-major. */
  cov: Float64Array;
  /** The sample covariance S (divisor T). */
  sample: Float64Array;
  /** Shrinkage intensity δ in [0, 1]. */
  shrinkage: number;
  /** m = tr(S) / N, the scale of the identity target. */
  target: number;
}

/**
 * Ledoit–Wolf shrunk covariance of centred returns. With the paper's notation (norms normalised
 * by N: ‖A‖² = tr(AA')/N):
 *   m  = tr(S)/N,   d² = ‖S - mI‖²,
 *   b̄² = (1/T²) Σ_t ‖x_t x_t' - S‖² = (Σ_t |x_t|⁴ / T - ‖S‖²_F) / (N T),
 *   b² = min(b̄², d²),   δ = b² / d²   (δ = 0 when d² = 0: S already is the target).
 * The identity Σ_t x_t' S x_t = T ‖S‖²_F turns b̄² into an O(NT) sum once S is known.
 */
export function ledoitWolf(c: Centred): ShrunkCovariance {
  const { N, T, X } = c;
  const sample = covarianceOfCentred(c);
  if (N === 0 || T === 0) return { cov: sample.slice(), sample, shrinkage: 0, target: 0 };

  let trace = 0;
  for (let i = 0; i < N; i++) trace += sample[i * N + i];
  const m = trace / N;

  let frob2 = 0; // ‖S‖²_F (unnormalised)
  let dist2 = 0; // ‖S - mI‖²_F (unnormalised); summed directly to avoid cancellation
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const s = sample[i * N + j];
      frob2 += s * s;
      const e = i === j ? s - m : s;
      dist2 += e * e;
    }
  }
  const d2 = dist2 / N;

  // Σ_t |x_t|⁴ with sleeve-major data: accumulate |x_t|² per day, then square and sum.
  const rowNorm2 = new Float64Array(T);
  for (let i = 0; i < N; i++) {
    const off = i * T;
    for (let t = 0; t < T; t++) rowNorm2[t] += X[off + t] * X[off + t];
  }
  let sum4 = 0;
  for (let t = 0; t < T; t++) sum4 += rowNorm2[t] * rowNorm2[t];

  // Rounding can push b̄² a hair below 0 when every x_t x_t' equals S (e.g. T = 2).
  const bBar2 = Math.max(0, (sum4 / T - frob2) / (N * T));
  const b2 = Math.min(bBar2, d2);
  const shrinkage = d2 > 0 ? b2 / d2 : 0;

  return { cov: shrinkToIdentity(sample, N, shrinkage, m), sample, shrinkage, target: m };
}

/** δ m I + (1 - δ) S for a given intensity δ (also used for a user-fixed intensity). */
export function shrinkToIdentity(sample: Float64Array, N: number, delta: number, m?: number): Float64Array {
  let target = m;
  if (target === undefined) {
    target = 0;
    for (let i = 0; i < N; i++) target += sample[i * N + i];
    target = N > 0 ? target / N : 0;
  }
  const cov = new Float64Array(N * N);
  for (let k = 0; k < N * N; k++) cov[k] = (1 - delta) * sample[k];
  for (let i = 0; i < N; i++) cov[i * N + i] += delta * target;
  return cov;
}
