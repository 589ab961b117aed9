/**
 * Aegis as a library: the statistics, the simulator and the stages as plain functions. The CLI
 * (bin/aegis.js) is a thin layer over these.
 *
 * Units: Sharpe ratios passed to the PSR/DSR functions are per observation (daily returns give a
 * daily Sharpe ratio; multiply by sqrt(252) to annualise), kurtosis is raw (3 for a normal
 * distribution), returns are simple fractional returns (0.01 = +1 %).
 */
export {
  sharpeRatio,
  maxDrawdown,
  drawdownSeries,
  equityCurve,
  cagr,
  annualisedVolatility,
  skewness,
  kurtosis,
  computeMetrics,
  TRADING_DAYS_PER_YEAR,
  type Metrics,
  type MetricsInput,
  type DrawdownStats,
} from './backtest/metrics.js';
export {
  probabilisticSharpeRatio,
  deflatedSharpeRatio,
  expectedMaxSharpe,
  probabilityOfBacktestOverfitting,
} from './backtest/stats.js';
export { normalCdf, normalQuantile } from './backtest/normal.js';
export { packPositions, simulate, type Execution, type PositionPlanes, type SimulationInput, type SimulationResult, type Trade } from './backtest/simulator.js';
export { checkLookahead, truncatePanel } from './backtest/lookahead.js';
export { compileRule, parseRuleOrThrow, formatRule, prettyRule, evaluatePositions, evaluatePositionPlanes, IndicatorCache } from './strategy/index.js';
export { parseGrammar, checkGrammar, loadGrammar, mapGenome } from './ge/index.js';
export { allocate } from './allocate/index.js';
export { loadConfig } from './config/load.js';
export { openDb } from './store/db.js';
export type { Panel, Bar } from './domain/types.js';
