/**
 * Statistics for judging whether a backtest's Sharpe ratio is real:
 * - Probabilistic Sharpe Ratio (Bailey & López de Prado 2012, "The Sharpe Ratio Efficient
 *   Frontier", Journal of Risk 15(2)): P(true SR > benchmark) given track length and the
 *   skewness / kurtosis of returns.
 * - Deflated Sharpe Ratio (Bailey & López de Prado 2014, "The Deflated Sharpe Ratio", Journal of
 *   Portfolio Management 40(5)): the PSR against the Sharpe ratio that the best of N skill-less
 *   trials is expected to reach — the selection-bias correction for a strategy search.
 * - Probability of Backtest Overfitting by combinatorially symmetric cross-validation (Bailey,
 *   Borwein, López de Prado & Zhu 2015, "The Probability of Backtest Overfitting", Journal of
 *   Computational Finance 20(4)).
 *
 * UNITS: every Sharpe ratio here is PER OBSERVATION (daily Sharpe for daily returns), not
 * annualised — the formulas' √(n − 1) already accounts for the sample length. Divide an annualised
 * Sharpe by √periodsPerYear (or use sharpeRatio(returns, 1) from ./metrics.js). Kurtosis is RAW
 * (3 for normal returns), as kurtosis() in ./metrics.js returns.
 */
import { normalCdf, normalQuantile } from './normal.js';
import { ZERO_DISPERSION_TOLERANCE } from './metrics.js';

/** The Euler–Mascheroni constant γ. */
export const EULER_MASCHERONI = 0.5772156649015329;

/**
 * Floor for the PSR variance term 1 − γ3·SR + (γ4 − 1)/4·SR². For any real sample it is ≥ 0
 * (because γ4 ≥ 1 + γ3², it is ≥ (1 − γ3·SR/2)²), so a negative value means the moments are
 * inconsistent — most often EXCESS kurtosis passed where RAW kurtosis is expected. Clipping to
 * this tiny value keeps the result finite; it then saturates at 0 or 1 (or 0.5 when SR equals
 * the benchmark), which is a loud signal when reviewing results.
 */
export const MIN_PSR_VARIANCE_TERM = 1e-12;

function requireFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`);
}

/** Input of {@link probabilisticSharpeRatio}. Sharpe ratios are per observation. */
export interface PsrInput {
  /** Observed Sharpe ratio per observation (NOT annualised). */
  sharpe: number;
  /** Benchmark Sharpe ratio SR* per observation; default 0. */
  benchmarkSharpe?: number;
  /** Number of return observations n behind the observed Sharpe. */
  observations: number;
  /** Skewness γ3 of the returns. */
  skewness: number;
  /** RAW kurtosis γ4 of the returns (3 for normal). */
  kurtosis: number;
}

/**
 * The z-statistic inside the PSR: (SR − SR*)·√(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4·SR²).
 *
 * @returns the z-score (dimensionless); 0 when observations < 2 (no evidence either way).
 * @throws RangeError for a non-finite input.
 */
export function psrZScore(input: PsrInput): number {
  const { sharpe, observations, skewness, kurtosis } = input;
  const benchmark = input.benchmarkSharpe ?? 0;
  requireFinite('sharpe', sharpe);
  requireFinite('benchmarkSharpe', benchmark);
  requireFinite('observations', observations);
  requireFinite('skewness', skewness);
  requireFinite('kurtosis', kurtosis);
  if (observations < 2) return 0;
  const varianceTerm = Math.max(1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe, MIN_PSR_VARIANCE_TERM);
  return ((sharpe - benchmark) * Math.sqrt(observations - 1)) / Math.sqrt(varianceTerm);
}

/**
 * Probabilistic Sharpe Ratio: PSR(SR*) = Φ((SR − SR*)·√(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4·SR²)),
 * the probability that the true Sharpe ratio exceeds the benchmark SR*, given n observations
 * with skewness γ3 and raw kurtosis γ4 (Bailey & López de Prado 2012, eq. for PSR).
 *
 * Edge cases: observations < 2 gives 0.5 (no evidence; the formula's √(n − 1) = 0 at n = 1);
 * an inconsistent (negative) variance term is clipped to MIN_PSR_VARIANCE_TERM.
 *
 * @returns a probability in [0, 1].
 * @throws RangeError for a non-finite input.
 */
export function probabilisticSharpeRatio(input: PsrInput): number {
  return normalCdf(psrZScore(input));
}

/** Input of {@link expectedMaxSharpe}. */
export interface ExpectedMaxSharpeInput {
  /** Number of independent trials N (may be fractional: an effective number of trials). */
  trials: number;
  /** Variance V of the Sharpe ratios across the trials, per-observation units (SR² per observation). */
  sharpeVariance: number;
}

/**
 * Expected maximum Sharpe ratio of N skill-less trials (Bailey & López de Prado 2014, False
 * Strategy theorem): SR0 = √V·((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))), γ = Euler–Mascheroni.
 *
 * Edge cases: trials ≤ 1 gives 0 (a single trial involves no selection); sharpeVariance = 0 gives
 * 0 (identical trials add no selection bias). The asymptotic formula turns negative for
 * 1 < N < ~1.6, where the true expected maximum is ≥ 0, so the result is floored at 0.
 *
 * @returns the benchmark SR0 per observation (same units as √sharpeVariance), ≥ 0.
 * @throws RangeError for non-finite inputs or a negative variance.
 */
export function expectedMaxSharpe(input: ExpectedMaxSharpeInput): number {
  const { trials, sharpeVariance } = input;
  requireFinite('trials', trials);
  requireFinite('sharpeVariance', sharpeVariance);
  if (sharpeVariance < 0) throw new RangeError(`sharpeVariance must be ≥ 0, got ${sharpeVariance}`);
  if (trials <= 1 || sharpeVariance === 0) return 0;
  // Φ⁻¹(1 − q) evaluated as −Φ⁻¹(q): 1 − 1/N rounds to 1 (and Φ⁻¹ to Infinity) once N > ~1e16,
  // while the small tail probability q keeps full precision for any finite N.
  const z = -(1 - EULER_MASCHERONI) * normalQuantile(1 / trials) - EULER_MASCHERONI * normalQuantile(1 / (trials * Math.E));
  return Math.max(0, Math.sqrt(sharpeVariance) * z);
}

/** Input of {@link deflatedSharpeRatio}. Sharpe ratios and their variance are per observation. */
export interface DsrInput {
  /** Observed Sharpe ratio per observation of the selected (best) trial. */
  sharpe: number;
  /** Number of return observations behind it. */
  observations: number;
  /** Number of independent trials tried in the search (N). */
  trials: number;
  /** Variance of the Sharpe ratios across the trials, per-observation units. */
  sharpeVariance: number;
  /** Skewness of the selected trial's returns. */
  skewness: number;
  /** RAW kurtosis of the selected trial's returns (3 for normal). */
  kurtosis: number;
}

/**
 * Deflated Sharpe Ratio: the PSR of the selected trial against SR* = expectedMaxSharpe(trials,
 * sharpeVariance) — the probability that its true Sharpe ratio beats what the best of N
 * skill-less trials would show. With trials ≤ 1 or zero variance it equals PSR(0).
 *
 * @returns a probability in [0, 1].
 * @throws RangeError for non-finite inputs or a negative variance.
 */
export function deflatedSharpeRatio(input: DsrInput): number {
  const benchmarkSharpe = expectedMaxSharpe({ trials: input.trials, sharpeVariance: input.sharpeVariance });
  return probabilisticSharpeRatio({
    sharpe: input.sharpe,
    benchmarkSharpe,
    observations: input.observations,
    skewness: input.skewness,
    kurtosis: input.kurtosis,
  });
}

/** A performance metric of one strategy's returns over a subset of periods; higher is better. */
export type PboMetric = 'sharpe' | ((returns: Float64Array) => number);

/** Options of {@link probabilityOfBacktestOverfitting}. */
export interface PboOptions {
  /**
   * Number S of row blocks, even, 2..24 (default 16, as in the paper). The work grows with
   * C(S, S/2): 12,870 combinations at 16, 184,756 at 20.
   */
  partitions?: number;
  /**
   * Ranking metric, default 'sharpe' (per-observation Sharpe, which ranks like any annualised
   * one). 'sharpe' runs on per-block sufficient statistics — O(S·N) per combination. A function
   * receives each strategy's returns on the rows of one half, in time order, and costs
   * O(T·N) per combination; it must return a finite number.
   */
  metric?: PboMetric;
}

/** Result of {@link probabilityOfBacktestOverfitting}. */
export interface PboResult {
  /** Share of combinations whose in-sample best ranks at or below the out-of-sample median (λ ≤ 0). */
  pbo: number;
  /** Logit λ = ln(ω / (1 − ω)) of the selected strategy's relative out-of-sample rank ω, per combination. */
  logits: number[];
  /** In-sample metric of the selected (in-sample best) strategy, per combination (metric units: per-observation Sharpe by default). */
  inSample: number[];
  /** Out-of-sample metric of the same strategy, per combination (for performance-degradation plots). */
  outOfSample: number[];
  /** Share of combinations whose selected strategy has an out-of-sample metric < 0. */
  probabilityOfLoss: number;
  /** Number of combinations C(S, S/2). */
  combinations: number;
  /** S, the number of row blocks used. */
  partitions: number;
}

/** Binomial coefficient for the small arguments used here (exact below 2^53). */
function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/**
 * Probability of Backtest Overfitting by combinatorially symmetric cross-validation (CSCV).
 *
 * The T rows are split into S contiguous blocks (sizes differ by at most one row when S does not
 * divide T; no row is dropped). For each of the C(S, S/2) ways to pick half the blocks as the
 * in-sample set (the other half is out-of-sample, rows kept in time order), the strategy with the
 * best in-sample metric is selected (the lowest column index wins ties), its out-of-sample rank
 * r ∈ 1..N among all N strategies is taken (ties share the average rank), ω = r / (N + 1) and
 * λ = ln(ω / (1 − ω)). PBO is the share of combinations with λ ≤ 0, i.e. where the in-sample
 * winner does no better than the out-of-sample median. Combinations are enumerated in increasing
 * order of the bitmask of in-sample blocks (bit b = block b).
 *
 * @param matrix T rows of per-period returns; matrix[t][j] is the return of strategy (trial) j
 *   in period t. Every row has the same length N ≥ 2.
 * @returns PBO in [0, 1] and the per-combination details.
 * @throws RangeError for a ragged or too small matrix (T < S, N < 2), non-finite values, a bad S,
 *   or a custom metric returning a non-finite value.
 */
export function probabilityOfBacktestOverfitting(matrix: readonly Float64Array[], options: PboOptions = {}): PboResult {
  const S = options.partitions ?? 16;
  const metric = options.metric ?? 'sharpe';
  const T = matrix.length;
  if (!Number.isInteger(S) || S < 2 || S > 24 || S % 2 !== 0) {
    throw new RangeError(`partitions must be an even integer in [2, 24], got ${S}`);
  }
  if (T < S) throw new RangeError(`need at least ${S} rows (one per block), got ${T}`);
  const N = matrix[0].length;
  if (N < 2) throw new RangeError(`need at least 2 strategies (columns) to rank, got ${N}`);
  for (let t = 0; t < T; t++) {
    const row = matrix[t];
    if (row.length !== N) throw new RangeError(`row ${t} has ${row.length} columns, expected ${N}`);
    for (let j = 0; j < N; j++) {
      if (!Number.isFinite(row[j])) throw new RangeError(`matrix[${t}][${j}] is not a finite number (${row[j]})`);
    }
  }

  // Block b covers rows [blockStart[b], blockStart[b + 1]); the first T mod S blocks get an extra row.
  const blockStart = new Int32Array(S + 1);
  const base = Math.floor(T / S);
  const extra = T % S;
  for (let b = 0; b < S; b++) blockStart[b + 1] = blockStart[b] + base + (b < extra ? 1 : 0);

  const evaluate = metric === 'sharpe' ? sharpeEvaluator(matrix, blockStart, N) : customEvaluator(matrix, blockStart, N, metric);

  const half = S / 2;
  const full = (1 << S) - 1;
  const combinations = binomial(S, half);
  const logits: number[] = new Array(combinations);
  const inSample: number[] = new Array(combinations);
  const outOfSample: number[] = new Array(combinations);
  const isMetric = new Float64Array(N);
  const oosMetric = new Float64Array(N);
  let overfit = 0;
  let losses = 0;
  let c = 0;
  // Gosper's hack: every S-bit mask with exactly S/2 bits set, in increasing order.
  for (let mask = (1 << half) - 1; mask <= full; ) {
    evaluate(mask, isMetric);
    evaluate(full & ~mask, oosMetric);
    let best = 0;
    for (let j = 1; j < N; j++) if (isMetric[j] > isMetric[best]) best = j;
    const target = oosMetric[best];
    let below = 0;
    let tied = 0;
    for (let j = 0; j < N; j++) {
      if (j === best) continue;
      if (oosMetric[j] < target) below++;
      else if (oosMetric[j] === target) tied++;
    }
    const omega = (1 + below + tied / 2) / (N + 1);
    const lambda = Math.log(omega / (1 - omega));
    logits[c] = lambda;
    inSample[c] = isMetric[best];
    outOfSample[c] = target;
    if (lambda <= 0) overfit++;
    if (target < 0) losses++;
    c++;
    const low = mask & -mask;
    const ripple = mask + low;
    mask = (((ripple ^ mask) >>> 2) / low) | ripple;
  }
  return {
    pbo: overfit / combinations,
    logits,
    inSample,
    outOfSample,
    probabilityOfLoss: losses / combinations,
    combinations,
    partitions: S,
  };
}

/** Fills out[j] with the metric of strategy j on the rows of the blocks in a bitmask. */
type Evaluator = (mask: number, out: Float64Array) => void;

/**
 * Per-observation Sharpe on a union of blocks from per-block (count, mean, M2) merged with Chan's
 * parallel-variance formula: exact up to rounding, and O(S) per strategy instead of O(T).
 */
function sharpeEvaluator(matrix: readonly Float64Array[], blockStart: Int32Array, N: number): Evaluator {
  const S = blockStart.length - 1;
  const blockMean = new Float64Array(S * N);
  const blockM2 = new Float64Array(S * N);
  for (let b = 0; b < S; b++) {
    for (let t = blockStart[b]; t < blockStart[b + 1]; t++) {
      const k = t - blockStart[b] + 1;
      const row = matrix[t];
      for (let j = 0; j < N; j++) {
        const at = b * N + j;
        const delta = row[j] - blockMean[at];
        blockMean[at] += delta / k;
        blockM2[at] += delta * (row[j] - blockMean[at]);
      }
    }
  }
  return (mask, out) => {
    for (let j = 0; j < N; j++) {
      let n = 0;
      let mean = 0;
      let m2 = 0;
      for (let b = 0; b < S; b++) {
        if ((mask & (1 << b)) === 0) continue;
        const nb = blockStart[b + 1] - blockStart[b];
        const at = b * N + j;
        const total = n + nb;
        const delta = blockMean[at] - mean;
        mean += (delta * nb) / total;
        m2 += blockM2[at] + (delta * delta * n * nb) / total;
        n = total;
      }
      const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
      // Same zero-variance convention as sharpeRatio(): a flat series has Sharpe 0.
      out[j] = n < 2 || sd <= ZERO_DISPERSION_TOLERANCE * Math.abs(mean) ? 0 : mean / sd;
    }
  };
}

/** Gathers each strategy's rows of the masked blocks (in time order) and applies the metric. */
function customEvaluator(
  matrix: readonly Float64Array[],
  blockStart: Int32Array,
  N: number,
  metric: (returns: Float64Array) => number,
): Evaluator {
  const S = blockStart.length - 1;
  const buffer = new Float64Array(matrix.length);
  return (mask, out) => {
    for (let j = 0; j < N; j++) {
      let n = 0;
      for (let b = 0; b < S; b++) {
        if ((mask & (1 << b)) === 0) continue;
        for (let t = blockStart[b]; t < blockStart[b + 1]; t++) buffer[n++] = matrix[t][j];
      }
      const value = metric(buffer.subarray(0, n));
      if (!Number.isFinite(value)) throw new RangeError(`PBO metric returned a non-finite value (${value}) for strategy ${j}`);
      out[j] = value;
    }
  };
}
