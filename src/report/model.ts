/**
 * The plain-data input of the HTML report.
 *
 * Everything here is JSON-shaped on purpose (objects, arrays of numbers and strings, no Date, no
 * Map, no typed arrays): the loaders read it straight out of SQLite rows, the renderer embeds it
 * verbatim in the page, and tests build it by hand. Every section except `meta` is `null` when the
 * stage that produces it has not run yet, and the renderer then leaves the section out.
 *
 * Units, fixed once for every section so nobody has to guess:
 * - dates are exchange dates `'YYYY-MM-DD'`; timestamps are ISO 8601 (`2026-06-10T21:05:00Z`);
 * - returns, CAGR, weights, shares and probabilities are fractions (0.05 = 5 %);
 * - drawdowns are POSITIVE fractions of the peak (0.33 = a fall of 33 %), as in src/backtest/metrics.ts;
 * - Sharpe and Sortino ratios are ANNUALISED (a per-observation Sharpe times √252);
 * - equity curves may start at any positive level; the renderer rebases where it compares curves.
 */

/** A calendar (exchange) date, `'YYYY-MM-DD'`. */
export type IsoDate = string;

/** A database id: integer primary keys or text ids, shown as they are. */
export type RecordId = number | string;

/**
 * Performance summary of one return series. The named fields are the ones every table shows;
 * any further numeric field (volatility, calmar, winRate, profitFactor, ...) is shown too, after
 * them, in the order of the object's keys.
 */
export interface Metrics {
  /** Annualised Sharpe ratio. */
  sharpe: number;
  /** Annualised Sortino ratio. */
  sortino: number;
  /** Compound annual growth rate, fraction per year. */
  cagr: number;
  /** Deepest peak-to-trough fall, positive fraction (0.2 = −20 %). */
  maxDrawdown: number;
  /** Number of closed round-trip trades. */
  trades: number;
  /** Mean gross exposure, fraction of equity (0..1 for an unlevered book). */
  exposure: number;
  /** Any other metric, by name. */
  [extra: string]: number;
}

/** Where the report came from. Always present. */
export interface ReportMeta {
  /** Page title, e.g. "Aegis research report". */
  title: string;
  /** When the report was generated, ISO 8601 timestamp. */
  generatedAt: string;
  /** Path of the SQLite database the report was read from. */
  databasePath: string;
  /** Version of aegis that generated the report. */
  aegisVersion: string;
}

/** One stored symbol, as `aegis data list` shows it. */
export interface SymbolSummary {
  symbol: string;
  /** First stored bar; null when nothing is stored. */
  first: IsoDate | null;
  /** Last stored bar; null when nothing is stored. */
  last: IsoDate | null;
  /** Number of stored bars. */
  rows: number;
  /** Number of data-quality findings recorded for the symbol. */
  issues: number;
}

/** Severity of a data-quality finding (the `data_issues.severity` column). */
export type FindingSeverity = 'rejected' | 'flagged';

/** One data-quality finding (a `data_issues` row). */
export interface DataFinding {
  symbol: string;
  date: IsoDate;
  /** Check that fired, e.g. `gap`, `zero_volume`, `unexplained_move`. */
  kind: string;
  severity: FindingSeverity;
  detail: string;
}

/** The ingested data: what is stored and what the quality checks found. */
export interface DataSection {
  symbols: SymbolSummary[];
  findings: DataFinding[];
}

/** Statistics of one species' population in one generation (a `generations` row). */
export interface GenerationStats {
  /** EM iteration the generation belongs to; 0 when evolution ran without the EM loop. */
  emIteration: number;
  generation: number;
  /** Species label, e.g. "0" or "trend". */
  species: string;
  /** Best train fitness of the species' population. */
  bestTrain: number;
  /** Median train fitness of the valid individuals. */
  medianTrain: number;
  /** Validation fitness of the best individuals (the overfitting check). */
  bestValidation: number;
  /** Share of individuals that did not map to a valid rule, 0..1. */
  invalidShare: number;
  /** Population diversity, 0..1 (e.g. share of distinct rules). */
  diversity: number;
}

/** One `aegis evolve` run. */
export interface EvolutionRun {
  runId: RecordId;
  /** Grammar name or path. */
  grammar: string;
  /** Fitness metric, e.g. "sharpe". */
  metric: string;
  /** Distinct rules evaluated: the N of the deflated Sharpe ratio. */
  trials: number;
  /** Fitness evaluations, including repeats served from the cache. */
  evaluations: number;
  /** Individuals that did not map to a valid rule. */
  invalid: number;
  /** True when the run stopped before its generation budget (stagnation, deadline, interrupt). */
  stoppedEarly: boolean;
  /** One row per (EM iteration, generation, species), in any order. */
  generations: GenerationStats[];
  /** Annualised train Sharpe ratio of every trial, for the histogram (may be empty). */
  trialSharpes: number[];
}

/** The evolution stage. */
export interface EvolutionSection {
  runs: EvolutionRun[];
}

/** One iteration of the EM loop (evolve sleeves, then allocate between them). */
export interface EmIteration {
  iteration: number;
  /** Portfolio objective on the train window. */
  trainObjective: number;
  /** Portfolio objective on the validation window. */
  validationObjective: number;
  /** Allocation weight per sleeve id (fractions; may not sum to 1 when cash is held). */
  weights: Record<string, number>;
  /** Ids of the strategies (sleeves) in the portfolio at this iteration. */
  strategies: string[];
}

/** A sleeve removed by correlation governance. */
export interface DroppedSleeve {
  id: string;
  /** Why, in words, e.g. "correlated with 12". */
  because: string;
  /** The correlation that triggered the drop; null when the reason was not a correlation. */
  correlation: number | null;
}

/** The EM loop between evolution and allocation. */
export interface EmSection {
  /** Name of the portfolio objective, e.g. "Sharpe"; null when unknown. */
  objective: string | null;
  iterations: EmIteration[];
  /** Final allocation weight per sleeve id. */
  finalWeights: Record<string, number>;
  dropped: DroppedSleeve[];
}

/** One evolved strategy (a `strategies` row). */
export interface StrategyReport {
  id: RecordId;
  /** 1 = best. */
  rank: number;
  /** The rule on one line. */
  expr: string;
  /** The rule pretty-printed over several indented lines (src/strategy/pretty.ts). */
  pretty: string;
  species: string;
  /** Train fitness (the evolution metric). */
  fitness: number;
  train: Metrics;
  validation: Metrics;
}

/** An inclusive date range. */
export interface DateRange {
  from: IsoDate;
  to: IsoDate;
}

/** One walk-forward fold. */
export interface BacktestFold {
  train: DateRange;
  test: DateRange;
  /** Rule (or portfolio) selected on the train window. */
  expr: string;
  /** In-sample (train window) metrics. */
  is: Metrics;
  /** Out-of-sample (test window) metrics. */
  oos: Metrics;
}

/** Verdict of the promotion gate. */
export interface GateVerdict {
  passed: boolean;
  /** Why it passed or failed, one line each. */
  reasons: string[];
}

/** Result of the look-ahead check (rerun with future data perturbed). */
export interface LookaheadCheck {
  passed: boolean;
  detail: string;
}

/** A historical stress window (e.g. 2008, the 2020 crash). */
export interface StressWindow {
  name: string;
  from: IsoDate;
  to: IsoDate;
  /** Total strategy return over the window, fraction. */
  strategyReturn: number;
  /** Total benchmark return over the window, fraction; null without a benchmark. */
  benchmarkReturn: number | null;
  /** Deepest strategy drawdown within the window, positive fraction. */
  maxDrawdown: number;
}

/** One round-trip trade. */
export interface Trade {
  symbol: string;
  side: 'long' | 'short';
  entryDate: IsoDate;
  /** Null while the position is still open. */
  exitDate: IsoDate | null;
  entryPrice: number;
  exitPrice: number | null;
  /** Net return of the trade, fraction; null while open. */
  return: number | null;
}

/** A backtest (`aegis backtest`). */
export interface BacktestReport {
  backtestId: RecordId;
  kind: 'walk-forward' | 'single';
  /** Trading dates of the equity curve, ascending. */
  dates: IsoDate[];
  /** Strategy equity per date (out-of-sample stitched for walk-forward), starting at 1. */
  equity: number[];
  /** Benchmark equity on the same dates; null when there is no benchmark. */
  benchmark: { name: string; equity: number[] } | null;
  /** Walk-forward folds, oldest first; empty for a single backtest. */
  folds: BacktestFold[];
  /** Out-of-sample metrics of the whole curve. */
  oos: Metrics;
  /** Benchmark metrics over the same dates; null without a benchmark. */
  benchmarkMetrics: Metrics | null;
  /** Probabilistic Sharpe ratio (P(true Sharpe > 0)), 0..1. */
  psr: number;
  /** Deflated Sharpe ratio (the PSR corrected for `trials`), 0..1. */
  dsr: number;
  /** Probability of backtest overfitting (CSCV), 0..1; null when not computed. */
  pbo: number | null;
  /** Number of trials the DSR deflates for. */
  trials: number;
  /** Annualised OOS return / annualised IS return; null for a single backtest. */
  walkForwardEfficiency: number | null;
  gate: GateVerdict;
  /** Null when the check was not run. */
  lookahead: LookaheadCheck | null;
  stress: StressWindow[];
  /** All trades, oldest first (the report shows the most recent 500). */
  trades: Trade[];
}

/** A held position against its target. */
export interface DeploymentPosition {
  symbol: string;
  /** Current weight, fraction of equity (negative = short). */
  weight: number;
  /** Target weight, fraction of equity. */
  target: number;
}

/** One order sent to the broker. */
export interface DeploymentOrder {
  date: IsoDate;
  symbol: string;
  side: 'buy' | 'sell';
  /** Order size in account currency. */
  notional: number;
  /** Broker status, e.g. "filled", "partially_filled", "canceled", "rejected". */
  status: string;
  clientOrderId: string;
  /** Null before any fill. */
  filledQty: number | null;
  filledAvgPrice: number | null;
}

/** An equity curve: dates and values of any positive scale. */
export interface EquitySeries {
  dates: IsoDate[];
  equity: number[];
}

/** Safety switches of a deployment. */
export interface DeploymentSafety {
  /** The drawdown / loss circuit breaker has tripped and trading is paused. */
  breakerTripped: boolean;
  /** The kill switch is engaged: no orders at all. */
  killSwitchEngaged: boolean;
  /** Why, when either is set. */
  detail: string | null;
}

/** A paper or live deployment (`aegis deploy`). */
export interface DeploymentReport {
  deploymentId: RecordId;
  mode: 'paper' | 'live';
  /** Broker name, e.g. "simulator" or "alpaca". */
  broker: string;
  /** Deployed although the promotion gate failed. */
  forced: boolean;
  /** Reason given for forcing; null when not forced. */
  forcedReason: string | null;
  /** Deployment status, e.g. "running", "paused", "stopped". */
  status: string;
  positions: DeploymentPosition[];
  /** Orders, oldest first. */
  orders: DeploymentOrder[];
  /** Realised account equity. */
  realised: EquitySeries;
  /** What the backtest expected over the same days; null when unknown. */
  expected: EquitySeries | null;
  safety: DeploymentSafety;
}

/** Everything the report shows. Only `meta` is always present. */
export interface ReportData {
  meta: ReportMeta;
  data: DataSection | null;
  evolution: EvolutionSection | null;
  em: EmSection | null;
  /** Strategies in rank order; null before evolution. */
  strategies: StrategyReport[] | null;
  backtest: BacktestReport | null;
  deployment: DeploymentReport | null;
}
