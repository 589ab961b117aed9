import { ADX, ATR, BollingerBands, MACD, SD, SMA, Stochastic } from 'technicalindicators';
import type { IndicatorFn } from './functions.js';
import { forEachRun } from './runs.js';

/**
 * Indicator implementations. Most come from `technicalindicators`, called once per asset and
 * NaN-free run (see runs.ts) on a plain array copy of the run (SMA, EMA and RSI are loops that
 * reproduce the library's arithmetic exactly, see below). The library returns arrays shorter
 * than its input (it skips the warm-up), so results are aligned RIGHT: output[j] belongs to bar
 * `end - out.length + j`. That is only right if the library never drops a value in the middle of
 * a run; for SMA, EMA, RSI, SD, MACD, Bollinger, ATR, ADX and Stochastic it only omits values at
 * the start (checked bar by bar in tests/strategy/indicators.test.ts). ROC does drop a value
 * whenever its result is NaN (0/0), which would shift every earlier value one bar back in time,
 * so ROC is a plain loop here, as are highest, lowest and lag.
 *
 * Library behaviours kept and documented in LANGUAGE.md: RSI is rounded to 2 decimals; a
 * stochastic over a window with high == low gives %K = 0; ADX is NaN for a whole run whose first
 * n bars have no directional movement; SD/Bollinger skip or repeat a value where the window mean
 * is exactly 0, and EMA mis-seeds when its seed SMA is exactly 0 (never with prices).
 */

/** Fills `outs` (pre-filled with NaN, one per member of `group`) from the input columns. */
export interface IndicatorImpl {
  /** Functions whose columns one computation produces together (siblings share arguments). */
  readonly group: readonly IndicatorFn[];
  /** Reads the asset's high, low and close instead of a series argument. */
  readonly ohlc: boolean;
  compute(inputs: readonly Float64Array[], params: readonly number[], outs: readonly Float64Array[], N: number, T: number): void;
}

/** Identity formatter: keeps library output at full precision whatever its global config says. */
const raw = (v: number): number => v;

/** Copy of one run of a column as the plain array the library wants. */
const slice = (col: Float64Array, start: number, end: number): number[] => Array.from(col.subarray(start, end));

/** Write a library result right-aligned so its last value lands on bar end-1. */
function placeRight(out: Float64Array, start: number, end: number, res: readonly (number | undefined)[]): void {
  const len = res.length;
  if (len > end - start) throw new Error(`indicator returned ${len} values for ${end - start} bars`);
  const first = end - len;
  for (let j = 0; j < len; j++) {
    const v = res[j];
    out[first + j] = v === undefined ? NaN : v;
  }
}

type RunFn = (inputs: readonly Float64Array[], p: readonly number[], start: number, end: number, outs: readonly Float64Array[]) => void;

/** An implementation computed independently over every NaN-free run of its inputs. */
function perRun(group: readonly IndicatorFn[], ohlc: boolean, run: RunFn): IndicatorImpl {
  return {
    group,
    ohlc,
    compute(inputs, params, outs, N, T) {
      forEachRun(inputs, N, T, (start, end) => run(inputs, params, start, end, outs));
    },
  };
}

// SMA, EMA and RSI, the most used columns, are plain loops that reproduce the library's arithmetic
// operation for operation (tests/strategy/fastIndicators.test.ts checks them bit for bit against
// SMA/EMA/RSI.calculate on real and constructed data): the library's generators cost ~250 ns a
// value, most of a backtest's time (`npm run bench`: backtest_indicators_ms).

const sma = perRun(['sma'], false, ([x], [n], s, e, [out]) => smaRun(x, n, s, e, out));
const ema = perRun(['ema'], false, ([x], [n], s, e, [out]) => emaRun(x, n, s, e, out));
const rsi = perRun(['rsi'], false, ([x], [n], s, e, [out]) => rsiRun(x, n, s, e, out));

/**
 * The library's SMA of x[s..e) into out: a running sum (the first n values added in order, then
 * the oldest subtracted and the newest added) divided by n, from bar s+n-1 on.
 */
export function smaRun(x: Float64Array, n: number, s: number, e: number, out: Float64Array): void {
  if (e - s < n) return;
  let sum = 0;
  for (let i = s; i < s + n; i++) sum = sum + x[i];
  out[s + n - 1] = sum / n;
  for (let i = s + n; i < e; i++) {
    sum = sum - x[i - n] + x[i];
    out[i] = sum / n;
  }
}

/**
 * The library's EMA of x[s..e): seeded with the SMA of the first n values at bar s+n-1, then
 * prev + (x - prev) * 2/(n+1). Like the library, a seed of exactly 0 is taken as "no seed yet" and
 * the first value is then (x - 0) * k + 0 (documented in LANGUAGE.md; never happens with prices).
 */
export function emaRun(x: Float64Array, n: number, s: number, e: number, out: Float64Array): void {
  if (e - s < n) return;
  const k = 2 / (n + 1);
  let sum = 0;
  for (let i = s; i < s + n; i++) sum = sum + x[i];
  const seed = sum / n;
  let prev = seed ? seed : (x[s + n - 1] - seed) * k + seed;
  out[s + n - 1] = prev;
  for (let i = s + n; i < e; i++) {
    prev = (x[i] - prev) * k + prev;
    out[i] = prev;
  }
}

/**
 * The library's RSI of x[s..e): Wilder averages of gains and losses (the first the plain mean of n
 * changes, then (avg * (n-1) + change) / n), 100 when the average loss is 0, 0 when the average
 * gain is 0, else 100 - 100 / (1 + gain / loss) rounded to 2 decimals, from bar s+n on.
 */
export function rsiRun(x: Float64Array, n: number, s: number, e: number, out: Float64Array): void {
  if (e - s <= n) return;
  let gainSum = 0;
  let lossSum = 0;
  for (let i = s + 1; i <= s + n; i++) {
    const up = x[i] - x[i - 1];
    const down = x[i - 1] - x[i];
    if (up > 0) gainSum = gainSum + up;
    if (down > 0) lossSum = lossSum + down;
  }
  let avgGain = gainSum / n;
  let avgLoss = lossSum / n;
  out[s + n] = rsiOf(avgGain, avgLoss);
  for (let i = s + n + 1; i < e; i++) {
    const up = x[i] - x[i - 1];
    const down = x[i - 1] - x[i];
    avgGain = (avgGain * (n - 1) + (up > 0 ? up : 0)) / n;
    avgLoss = (avgLoss * (n - 1) + (down > 0 ? down : 0)) / n;
    out[i] = rsiOf(avgGain, avgLoss);
  }
}

function rsiOf(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return 100;
  if (avgGain === 0) return 0;
  const rs = avgGain / avgLoss;
  return round2(100 - 100 / (1 + (rs !== rs ? 0 : rs)));
}

/**
 * parseFloat(v.toFixed(2)), the library's rounding, without formatting a string: Math.round of
 * v * 100 gives the same integer except within rounding of a tie (.5), where toFixed decides.
 */
export function round2(v: number): number {
  const y = v * 100;
  const frac = y - Math.floor(y);
  if (!(Math.abs(frac - 0.5) > 1e-6) || !(Math.abs(y) < 1e15)) return parseFloat(v.toFixed(2));
  return Math.round(y) / 100;
}

const stdev = perRun(['stdev'], false, ([x], [n], s, e, [out]) => {
  placeRight(out, s, e, SD.calculate({ period: n, values: slice(x, s, e), format: raw }));
});

const macd = perRun(['macd', 'macd_signal', 'macd_hist'], false, ([x], [fast, slow, signal], s, e, [line, sig, hist]) => {
  const res = MACD.calculate({
    values: slice(x, s, e),
    fastPeriod: fast,
    slowPeriod: slow,
    signalPeriod: signal,
    // Classic MACD: exponential averages for both the oscillator and the signal line.
    SimpleMAOscillator: false,
    SimpleMASignal: false,
    format: raw,
  });
  // One object per bar from bar slow-1 on; signal and histogram are undefined during their warm-up.
  placeRight(line, s, e, res.map((r) => r.MACD));
  placeRight(sig, s, e, res.map((r) => r.signal));
  placeRight(hist, s, e, res.map((r) => r.histogram));
});

const bb = perRun(['bb_upper', 'bb_lower'], false, ([x], [n, k], s, e, [upper, lower]) => {
  const res = BollingerBands.calculate({ period: n, stdDev: k, values: slice(x, s, e), format: raw });
  placeRight(upper, s, e, res.map((r) => r.upper));
  placeRight(lower, s, e, res.map((r) => r.lower));
});

const atr = perRun(['atr'], true, ([high, low, close], [n], s, e, [out]) => {
  const res = ATR.calculate({ period: n, high: slice(high, s, e), low: slice(low, s, e), close: slice(close, s, e), format: raw });
  placeRight(out, s, e, res);
});

const adx = perRun(['adx'], true, ([high, low, close], [n], s, e, [out]) => {
  const res = ADX.calculate({ period: n, high: slice(high, s, e), low: slice(low, s, e), close: slice(close, s, e), format: raw });
  placeRight(out, s, e, res.map((r) => r.adx));
});

const stoch = perRun(['stoch_k', 'stoch_d'], true, ([high, low, close], [n, smooth], s, e, [kOut, dOut]) => {
  // The library's `d` is the SMA(signalPeriod) of the raw %K: with signalPeriod = smooth that is
  // the slow %K. Our %D smooths it once more with the same period.
  const res = Stochastic.calculate({
    period: n,
    signalPeriod: smooth,
    high: slice(high, s, e),
    low: slice(low, s, e),
    close: slice(close, s, e),
    format: raw,
  });
  const slowK: number[] = [];
  for (const r of res) if (r.d !== undefined) slowK.push(r.d);
  placeRight(kOut, s, e, slowK);
  placeRight(dOut, s, e, SMA.calculate({ period: smooth, values: slowK, format: raw }));
});

const roc = perRun(['roc'], false, ([x], [n], s, e, [out]) => {
  for (let i = s + n; i < e; i++) {
    const prev = x[i - n];
    // Same formula as the library's ROC, but 0 as the base gives NaN (like div) instead of a
    // dropped or infinite value.
    out[i] = prev === 0 ? NaN : ((x[i] - prev) / prev) * 100;
  }
});

/** Rolling max (sign 1) or min (sign -1) over n bars, today included: monotonic deque, O(len). */
function rollingExtreme(fn: 'highest' | 'lowest'): IndicatorImpl {
  const isMax = fn === 'highest';
  return perRun([fn], false, ([x], [n], s, e, [out]) => {
    const q = new Int32Array(e - s); // indices of candidates, values monotone from head to tail
    let head = 0;
    let tail = 0;
    for (let i = s; i < e; i++) {
      const v = x[i];
      while (tail > head && (isMax ? x[q[tail - 1]] <= v : x[q[tail - 1]] >= v)) tail--;
      q[tail++] = i;
      if (q[head] <= i - n) head++;
      if (i - s >= n - 1) out[i] = x[q[head]];
    }
  });
}

/** lag is a plain shift within the asset: a hole n bars ago gives NaN, no warm-up restart. */
const lag: IndicatorImpl = {
  group: ['lag'],
  ohlc: false,
  compute([x], [n], [out], N, T) {
    for (let a = 0; a < N; a++) {
      const base = a * T;
      for (let t = n; t < T; t++) out[base + t] = x[base + t - n];
    }
  },
};

const IMPLS: Record<IndicatorFn, IndicatorImpl> = {
  sma,
  ema,
  rsi,
  roc,
  stdev,
  highest: rollingExtreme('highest'),
  lowest: rollingExtreme('lowest'),
  lag,
  macd,
  macd_signal: macd,
  macd_hist: macd,
  bb_upper: bb,
  bb_lower: bb,
  atr,
  adx,
  stoch_k: stoch,
  stoch_d: stoch,
};

/** The implementation that computes `fn` (shared by the members of a group). */
export function indicatorImpl(fn: IndicatorFn): IndicatorImpl {
  return IMPLS[fn];
}
