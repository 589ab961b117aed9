/**
 * Performance metrics of a daily return series, built to run inside a fitness function: every
 * function is a plain loop over the input (typed array or number[]), allocates nothing per
 * observation, and takes an optional [start, end) index range so train / validation splits of one
 * series need no copies.
 *
 * Conventions shared by every function here:
 * - Returns are simple (arithmetic) per-period returns: 0.01 = +1 %. Risk-free rate is 0.
 * - "Annualised" means scaled by `periodsPerYear` (default 252 trading days): a mean by ×p, a
 *   standard deviation by ×√p.
 * - Every output is a finite number, so it can go into JSON and into an optimiser. Undefined ratios
 *   (zero denominators, too few observations) are 0 unless documented otherwise; values that would
 *   overflow are clamped to ±{@link METRIC_CAP}.
 * - Inputs must be finite: a NaN or ±Infinity return is an upstream bug, and these functions throw
 *   a RangeError naming its index rather than quietly producing a plausible number.
 */

/** A numeric series: a Float64Array (preferred on hot paths) or a plain number[]. */
export type Series = ArrayLike<number>;

/** Default periods per year: NYSE trading days. */
export const TRADING_DAYS_PER_YEAR = 252;

/**
 * Cap on profit factor (dimensionless). A trade list with profits and no losses has an infinite
 * profit factor; 100 is far beyond any credible strategy (real ones sit between 1 and 3) yet keeps
 * the value finite and orderable. Ratios above the cap are clamped to it as well, so the metric is
 * monotone in the gross profit.
 */
export const PROFIT_FACTOR_CAP = 100;

/**
 * Absolute cap applied to every metric (dimensionless or fraction). Only pathological input reaches
 * it — e.g. the CAGR of one +10 % day extrapolated to a year is 2.6e10 — and clamping there keeps
 * downstream arithmetic (sums, ratios, JSON) finite.
 */
export const METRIC_CAP = 1e9;

/**
 * A standard deviation at or below this fraction of |mean| counts as zero. A constant series whose
 * values went through price arithmetic carries rounding noise of ~1e-16 relative; dividing the mean
 * by that noise would report a Sharpe ratio of ~1e15 for a series that in fact has no variance.
 */
export const ZERO_DISPERSION_TOLERANCE = 1e-9;

/** Clamp to ±METRIC_CAP and map NaN to 0, so no metric can leak a non-finite value. */
function finite(x: number): number {
  if (x !== x) return 0;
  if (x > METRIC_CAP) return METRIC_CAP;
  if (x < -METRIC_CAP) return -METRIC_CAP;
  return x;
}

/** True when a dispersion measure is zero or only rounding noise relative to the mean. */
function negligible(dispersion: number, mean: number): boolean {
  return dispersion <= ZERO_DISPERSION_TOLERANCE * Math.abs(mean);
}

/** Validates and resolves an optional [start, end) range over a series of the given length. */
function resolveRange(length: number, start: number | undefined, end: number | undefined): [number, number] {
  const s = start ?? 0;
  const e = end ?? length;
  if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > length || s > e) {
    throw new RangeError(`invalid range [${s}, ${e}) for a series of length ${length}`);
  }
  return [s, e];
}

function checkPeriods(periodsPerYear: number): void {
  if (!(periodsPerYear > 0 && periodsPerYear < Infinity)) {
    throw new RangeError(`periodsPerYear must be a positive finite number, got ${periodsPerYear}`);
  }
}

function nonFinite(name: string, index: number, value: number): RangeError {
  return new RangeError(`${name}[${index}] is not a finite number (${value})`);
}

/** Count, mean and central-moment sums (Σ(x−x̄)^k, k = 2..4) of a range. */
interface Moments {
  n: number;
  mean: number;
  m2: number;
  m3: number;
  m4: number;
}

/**
 * Central moments in two passes: the mean, then the sums of the 2nd, 3rd and 4th powers of the
 * deviations from it (with the mean corrected for its own rounding). Stable matters: daily
 * returns have |mean| ≪ sd, and the one-pass Σx² − n·x̄² form loses most digits. Plain sums also
 * spare Welford's update its division per value (this runs twice for every candidate evolve
 * scores).
 */
function momentsOf(values: Series, s: number, e: number, name = 'values'): Moments {
  let sum = 0;
  for (let i = s; i < e; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) throw nonFinite(name, i, x);
    sum += x;
  }
  return momentsFromSum(values, s, e, sum);
}

/** momentsOf's second and third passes, given the plain sum of the (finite) values. */
function momentsFromSum(values: Series, s: number, e: number, sum: number): Moments {
  const n = e - s;
  let mean = n > 0 ? sum / n : 0;
  let residual = 0;
  for (let i = s; i < e; i++) residual += values[i] - mean;
  if (n > 0) mean += residual / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = s; i < e; i++) {
    const d = values[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  return { n, mean, m2, m3, m4 };
}

/** True when the moments cannot support a standardised statistic (n < 2 or no real variance). */
function degenerate(m: Moments): boolean {
  return m.n < 2 || m.m2 <= 0 || negligible(Math.sqrt(m.m2 / (m.n - 1)), m.mean);
}

/**
 * Sharpe ratio with risk-free rate 0: mean / sample standard deviation (n − 1 denominator),
 * scaled by √periodsPerYear.
 *
 * @param returns per-period simple returns.
 * @param periodsPerYear annualisation factor (default 252); pass 1 for the per-observation Sharpe
 *   that probabilisticSharpeRatio / deflatedSharpeRatio in ./stats.js expect.
 * @param start first index (inclusive, default 0).
 * @param end last index (exclusive, default returns.length).
 * @returns the Sharpe ratio (dimensionless, annualised unless periodsPerYear = 1); 0 for fewer
 *   than 2 observations or zero variance.
 */
export function sharpeRatio(returns: Series, periodsPerYear = TRADING_DAYS_PER_YEAR, start?: number, end?: number): number {
  checkPeriods(periodsPerYear);
  const [s, e] = resolveRange(returns.length, start, end);
  const m = momentsOf(returns, s, e);
  if (degenerate(m)) return 0;
  return finite((m.mean / Math.sqrt(m.m2 / (m.n - 1))) * Math.sqrt(periodsPerYear));
}

/**
 * Annualised volatility: sample standard deviation (n − 1 denominator) × √periodsPerYear.
 *
 * @param returns per-period simple returns.
 * @param periodsPerYear annualisation factor (default 252).
 * @param start first index (inclusive, default 0).
 * @param end last index (exclusive, default returns.length).
 * @returns volatility as a fraction per year (0.16 = 16 %); 0 for fewer than 2 observations.
 */
export function annualisedVolatility(returns: Series, periodsPerYear = TRADING_DAYS_PER_YEAR, start?: number, end?: number): number {
  checkPeriods(periodsPerYear);
  const [s, e] = resolveRange(returns.length, start, end);
  const m = momentsOf(returns, s, e);
  if (m.n < 2) return 0;
  return finite(Math.sqrt(m.m2 / (m.n - 1)) * Math.sqrt(periodsPerYear));
}

/**
 * Sample skewness, the population moment ratio g1 = m3 / m2^(3/2) with m_k = Σ(x − x̄)^k / n
 * (what scipy.stats.skew and the PSR/DSR papers use; no small-sample adjustment).
 *
 * @param values the sample, e.g. per-period returns (any unit: the ratio is dimensionless).
 * @param start first index (inclusive, default 0).
 * @param end last index (exclusive, default values.length).
 * @returns skewness (dimensionless); 0 for fewer than 2 observations or zero variance.
 */
export function skewness(values: Series, start?: number, end?: number): number {
  const [s, e] = resolveRange(values.length, start, end);
  const m = momentsOf(values, s, e);
  if (degenerate(m)) return 0;
  return finite((Math.sqrt(m.n) * m.m3) / Math.pow(m.m2, 1.5));
}

/**
 * Sample RAW kurtosis b2 = m4 / m2² with m_k = Σ(x − x̄)^k / n: 3 for a normal distribution, NOT
 * excess kurtosis (scipy.stats.kurtosis(fisher=False, bias=True)). This is the γ4 of the PSR/DSR
 * formulas.
 *
 * @param values the sample, e.g. per-period returns (any unit: the ratio is dimensionless).
 * @param start first index (inclusive, default 0).
 * @param end last index (exclusive, default values.length).
 * @returns raw kurtosis (dimensionless, ≥ 1); 3 — the normal value, neutral in PSR — for fewer
 *   than 2 observations or zero variance.
 */
export function kurtosis(values: Series, start?: number, end?: number): number {
  const [s, e] = resolveRange(values.length, start, end);
  const m = momentsOf(values, s, e);
  if (degenerate(m)) return 3;
  return finite((m.n * m.m4) / (m.m2 * m.m2));
}

/**
 * Compound annual growth rate of a return series: (Π(1 + r))^(periodsPerYear / n) − 1.
 *
 * A return ≤ −1 wipes the account out (equity is absorbed at 0; a short or leveraged book cannot
 * be worth less than nothing to its owner here), giving −1. Fewer observations than a year are
 * extrapolated, which can be large; the result is clamped to METRIC_CAP.
 *
 * @param returns per-period simple returns.
 * @param periodsPerYear periods per year (default 252): n periods span n / periodsPerYear years.
 * @param start first index (inclusive, default 0).
 * @param end last index (exclusive, default returns.length).
 * @returns CAGR as a fraction per year (0.07 = 7 %/yr); 0 for an empty range.
 */
export function cagr(returns: Series, periodsPerYear = TRADING_DAYS_PER_YEAR, start?: number, end?: number): number {
  checkPeriods(periodsPerYear);
  const [s, e] = resolveRange(returns.length, start, end);
  let equity = 1;
  for (let i = s; i < e; i++) {
    const r = returns[i];
    if (!Number.isFinite(r)) throw nonFinite('returns', i, r);
    equity = r > -1 ? equity * (1 + r) : 0;
  }
  return cagrOf(equity, e - s, periodsPerYear);
}

/** CAGR from a final equity multiple; via log/expm1 so small growth keeps its precision. */
function cagrOf(equity: number, n: number, periodsPerYear: number): number {
  if (n === 0) return 0;
  if (!(equity > 0)) return -1;
  return finite(Math.expm1((Math.log(equity) * periodsPerYear) / n));
}

/**
 * The equity curve of a return series, starting from 1 before the first return.
 *
 * @param returns per-period simple returns.
 * @param start first index (inclusive, default 0).
 * @param end last index (exclusive, default returns.length).
 * @returns a Float64Array of length (end − start) + 1: out[0] = 1, out[k] = Π_{j<k}(1 + r_j),
 *   absorbed at 0 after a return ≤ −1.
 */
export function equityCurve(returns: Series, start?: number, end?: number): Float64Array {
  const [s, e] = resolveRange(returns.length, start, end);
  const out = new Float64Array(e - s + 1);
  let equity = 1;
  out[0] = 1;
  for (let i = s; i < e; i++) {
    const r = returns[i];
    if (!Number.isFinite(r)) throw nonFinite('returns', i, r);
    equity = r > -1 ? equity * (1 + r) : 0;
    out[i - s + 1] = equity;
  }
  return out;
}

/** Drawdown below a running peak as a positive fraction; a non-positive value is a total loss. */
function drawdownFrom(peak: number, value: number): number {
  if (!(peak > 0)) return 0;
  const dd = 1 - value / peak;
  return dd > 1 ? 1 : dd;
}

/**
 * The drawdown at each point of an equity curve: 1 − equity / running peak (0 at a new high,
 * 0.25 when 25 % below the highest value so far). Equity should be positive; a value ≤ 0 after a
 * positive peak is a 100 % drawdown.
 *
 * @param equity equity values (any currency unit or multiple; only ratios matter).
 * @param start first index (inclusive, default 0).
 * @param end last index (exclusive, default equity.length).
 * @returns a Float64Array of length end − start with drawdowns as positive fractions in [0, 1].
 */
export function drawdownSeries(equity: Series, start?: number, end?: number): Float64Array {
  const [s, e] = resolveRange(equity.length, start, end);
  const out = new Float64Array(e - s);
  let peak = -Infinity;
  for (let i = s; i < e; i++) {
    const v = equity[i];
    if (!Number.isFinite(v)) throw nonFinite('equity', i, v);
    if (v >= peak) peak = v;
    else out[i - s] = drawdownFrom(peak, v);
  }
  return out;
}

/** Maximum drawdown of an equity curve and where it happened. */
export interface DrawdownStats {
  /** Deepest fall from a running peak, as a positive fraction (0.33 for −33 %); 0 if none. */
  depth: number;
  /** Index (into the input) of the peak before the deepest trough; −1 when depth is 0. */
  peakIndex: number;
  /** Index of the deepest trough; −1 when depth is 0. */
  troughIndex: number;
  /** First index after the trough where equity is back at or above that peak; −1 if never. */
  recoveryIndex: number;
  /**
   * Length in periods of the LONGEST drawdown spell (not necessarily the deepest one): from the
   * peak index to the recovery index, or to the last index of the range when not recovered.
   * A dip below the peak for one period followed by recovery lasts 2 periods.
   */
  longestDurationPeriods: number;
}

/**
 * Maximum drawdown and the longest drawdown spell of an equity curve. A value equal to the
 * running peak counts as recovered (a flat day at the high is not a drawdown).
 *
 * @param equity equity values, positive (use {@link equityCurve} to build one from returns).
 * @param start first index (inclusive, default 0).
 * @param end last index (exclusive, default equity.length).
 * @returns the statistics; indices are positions in `equity`, not offsets from `start`.
 */
export function maxDrawdown(equity: Series, start?: number, end?: number): DrawdownStats {
  const [s, e] = resolveRange(equity.length, start, end);
  const stats: DrawdownStats = { depth: 0, peakIndex: -1, troughIndex: -1, recoveryIndex: -1, longestDurationPeriods: 0 };
  if (e === s) return stats;
  let peak = equity[s];
  if (!Number.isFinite(peak)) throw nonFinite('equity', s, peak);
  let peakAt = s;
  let awaitingRecovery = false;
  for (let i = s + 1; i < e; i++) {
    const v = equity[i];
    if (!Number.isFinite(v)) throw nonFinite('equity', i, v);
    if (v >= peak) {
      if (peakAt < i - 1) {
        // A spell under water just ended at i.
        if (i - peakAt > stats.longestDurationPeriods) stats.longestDurationPeriods = i - peakAt;
        if (awaitingRecovery) {
          stats.recoveryIndex = i;
          awaitingRecovery = false;
        }
      }
      peak = v;
      peakAt = i;
    } else {
      const dd = drawdownFrom(peak, v);
      if (dd > stats.depth) {
        stats.depth = dd;
        stats.peakIndex = peakAt;
        stats.troughIndex = i;
        stats.recoveryIndex = -1;
        awaitingRecovery = true;
      }
    }
  }
  const last = e - 1;
  if (peakAt < last && last - peakAt > stats.longestDurationPeriods) stats.longestDurationPeriods = last - peakAt;
  return stats;
}

/** Input of {@link computeMetrics}. */
export interface MetricsInput {
  /** Per-period (daily) simple returns of the portfolio, net of costs. */
  returns: Series;
  /** Gross exposure per period as a fraction of equity (0..1 for an unlevered book); same indexing as returns. */
  exposure?: Series;
  /** Traded notional / equity per period; same indexing as returns. */
  turnover?: Series;
  /**
   * Net return of each closed round-trip trade (0.02 = +2 %). NOT sliced by start/end (trades do
   * not map to single periods): pass the trades closed within the range being measured.
   */
  tradeReturns?: Series;
  /** Annualisation factor, default 252. */
  periodsPerYear?: number;
  /** First period (inclusive) of the range to measure, default 0. Applies to returns, exposure, turnover. */
  start?: number;
  /** Last period (exclusive) of the range, default returns.length. */
  end?: number;
}

/** Performance summary of one return series; every field is a finite number. */
export interface Metrics {
  /** Π(1 + r) − 1 as a fraction (0.5 = +50 %); −1 after a total loss; 0 for no observations. */
  totalReturn: number;
  /** Compound annual growth rate, fraction per year; −1 after a total loss; 0 for no observations. */
  cagr: number;
  /** Annualised sample standard deviation of returns, fraction per year; 0 for < 2 observations. */
  volatility: number;
  /** Annualised Sharpe ratio, risk-free 0, sample std; 0 for < 2 observations or zero variance. */
  sharpe: number;
  /**
   * Annualised Sortino ratio: mean / √(mean(min(r, 0)²)) × √periodsPerYear, the downside
   * deviation taken over ALL observations with target 0. 0 for < 2 observations or when there is
   * no (non-negligible) downside — the ratio is undefined there and no cap would be meaningful.
   */
  sortino: number;
  /** cagr / maxDrawdown; 0 when there is no drawdown (undefined ratio). */
  calmar: number;
  /** Deepest peak-to-trough fall of the equity curve (starting at 1), positive fraction: 0.33 = −33 %. */
  maxDrawdown: number;
  /**
   * Length in periods of the longest drawdown spell: from the peak until recovery to the peak, or
   * until the end if not recovered. The starting capital counts as the first peak.
   */
  maxDrawdownDays: number;
  /**
   * Gross profit / gross loss over tradeReturns, capped at PROFIT_FACTOR_CAP (also when there are
   * profits and no losses); 0 when there is no profit (including no trades).
   */
  profitFactor: number;
  /** Share of trades with a return > 0 (0..1); 0 with no trades. */
  winRate: number;
  /** Mean trade return, fraction; 0 with no trades. */
  avgTrade: number;
  /** Number of closed trades. */
  trades: number;
  /** Annualised turnover: mean per-period turnover × periodsPerYear (times equity traded per year); 0 if not supplied. */
  turnover: number;
  /** Mean gross exposure over the range (0..1); 0 if not supplied. */
  exposure: number;
  /** Skewness of returns (population g1); 0 for < 2 observations or zero variance. */
  skewness: number;
  /** RAW kurtosis of returns (3 for normal); 3 for < 2 observations or zero variance. */
  kurtosis: number;
  /** Number of return observations in the range. */
  observations: number;
}

/**
 * All performance metrics of a return series (or of its [start, end) range) in one pass over the
 * returns — cheap enough to call thousands of times per second on ~6,000 observations; nothing
 * is copied and nothing is allocated per observation.
 *
 * Edge cases (all documented on {@link Metrics}): no observations gives zeros (kurtosis 3);
 * one observation gives its total return and CAGR but 0 for every dispersion-based ratio;
 * zero variance gives sharpe 0, skewness 0, kurtosis 3; no losing periods gives sortino 0;
 * a return ≤ −1 is a total loss (equity absorbed at 0: totalReturn −1, cagr −1, maxDrawdown 1),
 * while moment statistics still use the returns as given.
 *
 * @throws RangeError for a non-finite value in any series, a bad range, series shorter than the
 *   range, or a non-positive periodsPerYear.
 */
export function computeMetrics(input: MetricsInput): Metrics {
  const { returns } = input;
  const ppy = input.periodsPerYear ?? TRADING_DAYS_PER_YEAR;
  checkPeriods(ppy);
  const [s, e] = resolveRange(returns.length, input.start, input.end);
  const n = e - s;

  const turnover = seriesOver(input.turnover, 'turnover', s, e);
  const exposure = seriesOver(input.exposure, 'exposure', s, e);
  // One pass for every running sum that needs no mean: the sums are independent chains of
  // additions, which the processor overlaps in one loop (each is still summed in index order).
  let sum = 0;
  let turnoverSum = 0;
  let exposureSum = 0;
  let downSq = 0;
  // Equity is indexed 0 (starting capital, before the first return) .. n.
  let equity = 1;
  let peak = 1;
  let peakAt = 0;
  let maxDd = 0;
  let longest = 0;
  for (let i = s; i < e; i++) {
    const r = returns[i];
    if (!Number.isFinite(r)) throw nonFinite('returns', i, r);
    sum += r;
    if (turnover !== null) {
      const v = turnover[i];
      if (!Number.isFinite(v)) throw nonFinite('turnover', i, v);
      turnoverSum += v;
    }
    if (exposure !== null) {
      const v = exposure[i];
      if (!Number.isFinite(v)) throw nonFinite('exposure', i, v);
      exposureSum += v;
    }
    const k = i - s + 1;
    if (r < 0) downSq += r * r;

    equity = r > -1 ? equity * (1 + r) : 0;
    if (equity >= peak) {
      if (peakAt < k - 1 && k - peakAt > longest) longest = k - peakAt;
      peak = equity;
      peakAt = k;
    } else {
      const dd = 1 - equity / peak;
      if (dd > maxDd) maxDd = dd;
    }
  }
  if (peakAt < n && n - peakAt > longest) longest = n - peakAt;
  const { mean, m2, m3, m4 } = momentsFromSum(returns, s, e, sum);

  const sqrtP = Math.sqrt(ppy);
  const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
  const flat = n < 2 || m2 <= 0 || negligible(sd, mean);
  const downside = n > 0 ? Math.sqrt(downSq / n) : 0;
  const cagrValue = cagrOf(equity, n, ppy);

  const trades = tradeStats(input.tradeReturns);
  return {
    totalReturn: finite(equity - 1),
    cagr: cagrValue,
    volatility: finite(sd * sqrtP),
    sharpe: flat ? 0 : finite((mean / sd) * sqrtP),
    sortino: n < 2 || negligible(downside, mean) ? 0 : finite((mean / downside) * sqrtP),
    calmar: maxDd > 0 ? finite(cagrValue / maxDd) : 0,
    maxDrawdown: maxDd > 1 ? 1 : maxDd,
    maxDrawdownDays: longest,
    profitFactor: trades.profitFactor,
    winRate: trades.winRate,
    avgTrade: trades.avgTrade,
    trades: trades.count,
    turnover: finite((turnover !== null && n > 0 ? turnoverSum / n : 0) * ppy),
    exposure: finite(exposure !== null && n > 0 ? exposureSum / n : 0),
    skewness: flat ? 0 : finite((Math.sqrt(n) * m3) / Math.pow(m2, 1.5)),
    kurtosis: flat ? 3 : finite((n * m4) / (m2 * m2)),
    observations: n,
  };
}

/** An optional per-period series that must cover the range [s, e); null when absent or the range is empty. */
function seriesOver(series: Series | undefined, name: string, s: number, e: number): Series | null {
  if (series === undefined || e === s) return null;
  if (series.length < e) throw new RangeError(`${name} has ${series.length} values but the range ends at ${e}`);
  return series;
}

/** Profit factor, win rate, mean and count of closed-trade returns. */
function tradeStats(tradeReturns: Series | undefined): { profitFactor: number; winRate: number; avgTrade: number; count: number } {
  const count = tradeReturns?.length ?? 0;
  if (tradeReturns === undefined || count === 0) return { profitFactor: 0, winRate: 0, avgTrade: 0, count: 0 };
  let grossProfit = 0;
  let grossLoss = 0;
  let wins = 0;
  for (let i = 0; i < count; i++) {
    const t = tradeReturns[i];
    if (!Number.isFinite(t)) throw nonFinite('tradeReturns', i, t);
    if (t > 0) {
      grossProfit += t;
      wins++;
    } else grossLoss -= t;
  }
  let profitFactor: number;
  if (grossProfit === 0) profitFactor = 0;
  else if (grossLoss === 0) profitFactor = PROFIT_FACTOR_CAP;
  // Both sums can overflow to Infinity on absurd inputs: Infinity / Infinity is undefined, so 0.
  else profitFactor = finite(Math.min(grossProfit / grossLoss, PROFIT_FACTOR_CAP));
  return { profitFactor, winRate: wins / count, avgTrade: finite((grossProfit - grossLoss) / count), count };
}
