import type { Config } from '../config/schema.js';
import type { Panel } from '../domain/types.js';
import { loadPanel } from '../data/panel.js';
import type { MarketStore } from '../store/marketStore.js';
import { BoolMemo, compileRule, evaluatePositions, IndicatorCache } from '../strategy/index.js';
import { computeMetrics, kurtosis, sharpeRatio, skewness, type Metrics } from './metrics.js';
import { portfolioTargets, type Portfolio } from './portfolio.js';
import { applyRegimeFilter } from './regime.js';
import { simulate, type SimulationResult } from './simulator.js';
import { deflatedSharpeRatio, expectedMaxSharpe, probabilisticSharpeRatio } from './stats.js';
import { checkLookahead, type LookaheadResult } from './lookahead.js';

export interface TradedWindow {
  sim: SimulationResult;
  metrics: Metrics;
}

/**
 * Trade a frozen portfolio over days [start, end) of a panel through the one simulator, with the
 * config's costs and optional regime filter, and measure it.
 */
export function tradePortfolio(panel: Panel, portfolio: Portfolio, start: number, end: number, config: Readonly<Config>, benchmarkClose: Float64Array | null): TradedWindow {
  const targets = filteredTargets(panel, portfolio, config, benchmarkClose);
  const sim = simulate({ panel, targets, start, end, execution: config.execution, initialCapital: config.backtest.initialCapital, detailed: true });
  return { sim, metrics: metricsOf(sim) };
}

/**
 * The portfolio's target weights on every day of the panel, after the config's regime filter:
 * what the backtest trades, and what deploy and its track record trade too.
 */
export function filteredTargets(panel: Panel, portfolio: Portfolio, config: Readonly<Config>, benchmarkClose: Float64Array | null): Float64Array {
  const { targets } = portfolioTargets(portfolio, panel);
  const rf = config.backtest.regimeFilter;
  if (rf.enabled && benchmarkClose) {
    applyRegimeFilter(targets, panel, { benchmarkClose, period: rf.period, defensive: rf.defensive ? panel.symbols.indexOf(rf.defensive) : -1 });
  }
  return targets;
}

export function metricsOf(sim: SimulationResult, range?: { start: number; end: number }): Metrics {
  const start = range?.start ?? 0;
  const end = range?.end ?? sim.returns.length;
  const trades: number[] = [];
  for (let i = 0; i < sim.tradeReturns.length; i++) if (sim.tradeEntries[i] >= start && sim.tradeEntries[i] < end) trades.push(sim.tradeReturns[i]);
  return computeMetrics({ returns: sim.returns, exposure: sim.exposure, turnover: sim.turnover, tradeReturns: trades, start, end });
}

/** Closes of `symbol` on a panel's calendar (NaN where it has none), or null when it is not stored. */
export function closesOn(market: MarketStore, symbol: string, dates: readonly string[]): Float64Array | null {
  const bars = market.bars(symbol, dates[0] ?? null, dates[dates.length - 1] ?? null);
  if (bars.length === 0) return null;
  const byDate = new Map(bars.map((b) => [b.date, b.adjClose]));
  return Float64Array.from(dates, (d) => byDate.get(d) ?? Number.NaN);
}

export interface BenchmarkSeries {
  name: string;
  /** Daily returns and gross exposure aligned to the requested dates. */
  returns: Float64Array;
  exposure: Float64Array;
}

/**
 * Buy and hold of the benchmark symbol (SPY by default) through the same simulator and costs,
 * aligned to `dates`; the equal-weight universe when the benchmark is not stored.
 */
export function benchmarkReturns(market: MarketStore, config: Readonly<Config>, dates: readonly string[], universe: Panel, uStart: number, uEnd: number): BenchmarkSeries {
  const symbol = config.backtest.benchmark;
  const stored = market.summary(symbol);
  if (stored && stored.first && stored.first <= dates[dates.length - 1]) {
    const { panel, startIndex } = loadPanel(market, [symbol], { from: dates[0], to: dates[dates.length - 1], warmup: 1 });
    const sim = simulate({ panel, targets: new Float64Array(panel.T).fill(1), start: startIndex, end: panel.T, execution: config.execution, initialCapital: config.backtest.initialCapital });
    return { name: `${symbol} buy and hold`, ...alignTo(dates, sim) };
  }
  const { N, T } = universe;
  const targets = new Float64Array(N * T);
  for (let a = 0; a < N; a++) for (let t = 0; t < T; t++) targets[a * T + t] = universe.close[a * T + t] === universe.close[a * T + t] ? 1 / N : 0;
  const sim = simulate({ panel: universe, targets, start: uStart, end: uEnd, execution: config.execution, initialCapital: config.backtest.initialCapital });
  return { name: 'equal weight of the universe', ...alignTo(dates, sim) };
}

function alignTo(dates: readonly string[], sim: SimulationResult): { returns: Float64Array; exposure: Float64Array } {
  const index = new Map(sim.dates.map((d, i) => [d, i]));
  const at = (x: Float64Array) => Float64Array.from(dates, (d) => (index.has(d) ? x[index.get(d)!] : 0));
  return { returns: at(sim.returns), exposure: at(sim.exposure) };
}

export interface Significance {
  psr: number;
  dsr: number;
  /** Per-observation Sharpe ratio of the returns tested. */
  sharpePerObservation: number;
  observations: number;
  trials: number;
  /** Cross-sectional variance of the trials' per-observation Sharpe ratios, as recorded. */
  trialSharpeVariance: number;
  /** The variance used for the DSR: the recorded one, bounded by what noise alone produces. */
  sharpeVariance: number;
  /** The DSR's benchmark: the expected best per-observation Sharpe of that many trials without skill. */
  expectedMaxSharpe: number;
}

/**
 * PSR against 0 and the Deflated Sharpe Ratio of a return series, given how many trials the search
 * ran and the variance of their per-observation Sharpe ratios.
 *
 * The DSR asks whether the result beats the best of N trials that have no skill. Without skill a
 * trial's Sharpe estimate over T observations varies by about 1/T, so the variance used is the
 * recorded cross-sectional one capped at 1/T (T = the trials' observations): dispersion beyond
 * that comes from real differences between rules (a strong signal and its mirror image), not from
 * luck, and would otherwise deflate any real discovery to nothing.
 */
export function significance(returns: ArrayLike<number>, trials: number, trialSharpeVariance: number, trialObservations = 0): Significance {
  const sr = sharpeRatio(returns, 1);
  const observations = returns.length;
  const skew = skewness(returns);
  const kurt = kurtosis(returns);
  const nullVariance = trialObservations > 1 ? 1 / trialObservations : Number.POSITIVE_INFINITY;
  const sharpeVariance = Number.isFinite(trialSharpeVariance) && trialSharpeVariance > 0 ? Math.min(trialSharpeVariance, nullVariance) : Number.isFinite(nullVariance) ? nullVariance : 0;
  const n = Math.max(1, trials);
  return {
    psr: probabilisticSharpeRatio({ sharpe: sr, observations, skewness: skew, kurtosis: kurt }),
    dsr: deflatedSharpeRatio({ sharpe: sr, observations, trials: n, sharpeVariance, skewness: skew, kurtosis: kurt }),
    sharpePerObservation: sr,
    observations,
    trials,
    trialSharpeVariance,
    sharpeVariance,
    expectedMaxSharpe: expectedMaxSharpe({ trials: n, sharpeVariance }),
  };
}

/** Sample variance (0 for fewer than two values). */
export function variance(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - m) * (b - m), 0) / (xs.length - 1);
}

/**
 * The lookahead check of every rule of a portfolio: positions recomputed from scratch on data cut
 * off at many dates must equal those computed on the full data.
 */
export function lookaheadOf(exprs: readonly string[], panel: Panel, start: number, cutoffs: number): LookaheadResult {
  let total = 0;
  for (const expr of [...new Set(exprs)]) {
    const c = compileRule(expr);
    if (!c.ok) return { passed: false, detail: `${expr}: ${c.error}`, cutoffs: 0 };
    const r = checkLookahead(expr, (p) => evaluatePositions(c.rule, p, new IndicatorCache(p), new BoolMemo()).slice(), panel, { start, cutoffs });
    if (!r.passed) return r;
    total = r.cutoffs;
  }
  return { passed: true, detail: `${new Set(exprs).size} rule(s): positions identical with data cut off at ${total} dates`, cutoffs: total };
}
