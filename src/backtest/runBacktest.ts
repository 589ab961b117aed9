import type { Config, Metric } from '../config/schema.js';
import { configHash } from '../config/load.js';
import { InputError } from '../domain/errors.js';
import type { Panel } from '../domain/types.js';
import { loadPanel, WARMUP_DAYS } from '../data/panel.js';
import type { MarketStore } from '../store/marketStore.js';
import { AllocationStore, type RunStore } from '../store/runStore.js';
import { portfolioOf } from '../evolve/allocation.js';
import type { BacktestStore } from '../store/backtestStore.js';
import { log } from '../log/logger.js';
import { benchmarkReturns, closesOn, lookaheadOf, metricsOf, significance, tradePortfolio, variance, type Significance } from './engine.js';
import { planFolds, type FoldPlan } from './folds.js';
import { gateG0, type GateVerdict } from './gate.js';
import { computeMetrics, TRADING_DAYS_PER_YEAR, type Metrics } from './metrics.js';
import { portfolioSymbols, uniformPortfolio, type Portfolio } from './portfolio.js';
import { simulate, type Trade } from './simulator.js';
import { probabilityOfBacktestOverfitting } from './stats.js';
import { stressWindows, type StressResult } from './stress.js';
import type { LookaheadResult } from './lookahead.js';
import { portfolioTargets } from './portfolio.js';

/** What a walk-forward fold's search produced: the frozen portfolio and the trials it cost. */
export interface FoldSearchResult {
  portfolio: Portfolio;
  runIds: number[];
  trials: number;
  /** Per-observation Sharpe ratios of every trial (for the DSR's variance). */
  trialSharpes: number[];
  /** Further candidates (e.g. the run's other top rules), for the PBO. */
  candidates: string[];
  /** Observations each trial's Sharpe ratio was measured on (the train window's length). */
  trialObservations: number;
}

/** Runs the whole search on a training window: evolve, and the EM allocation loop when enabled. */
export type FoldSearch = (fold: FoldPlan, symbols: readonly string[]) => Promise<FoldSearchResult>;

export type BacktestSource =
  | { kind: 'run'; runId: number }
  | { kind: 'strategy'; strategyId: number }
  | { kind: 'expr'; expr: string }
  | { kind: 'portfolio'; portfolio: Portfolio; label: string; trials: number; sharpeVariance: number; trialObservations: number; inSampleTo: string | null };

export interface BacktestRequest {
  config: Readonly<Config>;
  symbols: readonly string[] | null;
  from: string | null;
  to: string | null;
  checkLookahead: boolean;
}

export interface FoldReport {
  fold: number;
  runIds: number[];
  train: { from: string; to: string };
  test: { from: string; to: string };
  expr: string;
  portfolio: Portfolio;
  trials: number;
  is: Metrics;
  oos: Metrics;
}

export interface BacktestReport {
  backtestId: number;
  kind: 'single' | 'walk-forward';
  source: string;
  symbols: string[];
  from: string;
  to: string;
  trials: number;
  /** Out-of-sample metrics: stitched test windows (walk-forward), or the days after the search's window. */
  oos: Metrics | null;
  /** In-sample metrics: the search's own window (single backtests of a run), or mean of folds' IS. */
  is: Metrics | null;
  /** The whole traded window (single backtests). */
  whole: Metrics | null;
  benchmark: Metrics | null;
  benchmarkName: string | null;
  psr: number | null;
  dsr: number | null;
  /** How the DSR was computed: trial Sharpe variance recorded and used, the expected best Sharpe (annualised). */
  deflation: { trialSharpeVariance: number; sharpeVarianceUsed: number; expectedMaxSharpe: number } | null;
  pbo: number | null;
  walkForwardEfficiency: number | null;
  folds: FoldReport[] | null;
  lookahead: { passed: boolean; detail: string } | null;
  gate: GateVerdict;
  stress: StressResult[];
  portfolio: Portfolio | null;
  notes: string[];
}

export interface BacktestHooks {
  onFold?: (done: number, total: number, fold: FoldReport) => void;
  shouldStop?: () => boolean;
}

/** A single backtest of a run's portfolio, a strategy, or a hand-written rule. */
export async function runSingleBacktest(market: MarketStore, runs: RunStore, store: BacktestStore, source: BacktestSource, req: BacktestRequest): Promise<BacktestReport> {
  const resolved = resolveSource(market, runs, source, req);
  const symbols = portfolioSymbols(resolved.portfolio);
  const { panel, startIndex } = loadPanel(market, symbols, { from: resolved.from, to: req.to, warmup: WARMUP_DAYS });
  if (panel.T - startIndex < 20) throw new InputError(`backtest: only ${panel.T - startIndex} trading days in the window; widen --from/--to`);
  const from = panel.dates[startIndex];
  const to = panel.dates[panel.T - 1];
  const id = store.create({ kind: 'single', source: resolved.label, config: req.config, configHash: configHash(req.config), symbols, from, to });
  try {
    const traded = tradePortfolio(panel, resolved.portfolio, startIndex, panel.T, req.config, closesOn(market, req.config.backtest.regimeFilter.symbol, panel.dates));
    const dates = traded.sim.dates;
    const bench = benchmarkReturns(market, req.config, dates, panel, startIndex, panel.T);
    const notes: string[] = [];
    // Out of sample = the days after the window the search saw (nothing, for a hand-written rule).
    const split = resolved.inSampleTo ? dates.findIndex((d) => d > resolved.inSampleTo!) : 0;
    let oos: Metrics | null = null;
    let is: Metrics | null = null;
    let testReturns: Float64Array;
    if (!resolved.inSampleTo) {
      testReturns = traded.sim.returns;
      notes.push('a hand-written rule: aegis did not search for it, so it counts as one trial; any search you did by hand is not counted');
    } else if (split < 0 || dates.length - split < 60) {
      is = traded.metrics;
      testReturns = traded.sim.returns;
      notes.push(`no out-of-sample days after the search window (ends ${resolved.inSampleTo}): every figure here is in-sample`);
    } else {
      if (split > 0) is = metricsOf(traded.sim, { start: 0, end: split });
      oos = metricsOf(traded.sim, { start: split, end: dates.length });
      testReturns = traded.sim.returns.subarray(split);
    }
    const sig = significance(testReturns, resolved.trials, resolved.sharpeVariance, resolved.trialObservations);
    const lookahead = req.checkLookahead ? lookaheadOf(resolved.portfolio.sleeves.map((s) => s.expr), panel, startIndex, req.config.backtest.lookahead.cutoffs) : null;
    const benchmark = computeMetrics({ returns: bench.returns, exposure: bench.exposure });
    const report: BacktestReport = {
      backtestId: id,
      kind: 'single',
      source: resolved.label,
      symbols,
      from,
      to,
      trials: resolved.trials,
      oos,
      is,
      whole: traded.metrics,
      benchmark,
      benchmarkName: bench.name,
      psr: sig.psr,
      dsr: sig.dsr,
      deflation: deflationOf(sig),
      pbo: null,
      walkForwardEfficiency: null,
      folds: null,
      lookahead: lookahead ? { passed: lookahead.passed, detail: lookahead.detail } : null,
      gate: gateG0({ kind: 'single', oosSharpe: oos?.sharpe ?? null, dsr: sig.dsr, maxDrawdown: (oos ?? traded.metrics).maxDrawdown, lookahead }, req.config.backtest.gate),
      stress: stressWindows(dates, traded.sim.returns, bench.returns),
      portfolio: resolved.portfolio,
      notes,
    };
    store.finish(id, { dates, equity: traded.sim.equity.map((e) => e / req.config.backtest.initialCapital), benchmark: equityOf(bench.returns), trades: traded.sim.trades, portfolio: resolved.portfolio, trials: resolved.trials, result: report, gatePassed: report.gate.passed });
    return report;
  } catch (err) {
    store.fail(id, 'failed', (err as Error).message.split('\n')[0]);
    throw err;
  }
}

/** Walk-forward: search on each training window, freeze, trade the next test window, stitch. */
export async function runWalkForward(
  market: MarketStore,
  store: BacktestStore,
  search: FoldSearch,
  req: BacktestRequest & { symbols: readonly string[]; train: string; test: string; anchored: boolean },
  hooks: BacktestHooks = {},
): Promise<BacktestReport> {
  const first = market.listSymbols().filter((s) => req.symbols.includes(s.symbol));
  if (first.length !== req.symbols.length) {
    const missing = req.symbols.filter((s) => !first.some((f) => f.symbol === s));
    throw new InputError(`no bars stored for ${missing.join(', ')}; run: aegis ingest ${missing.join(',')}`);
  }
  const dataFrom = first.map((s) => s.first!).sort()[0];
  const dataTo = first.map((s) => s.last!).sort().at(-1)!;
  const from = req.from && req.from > dataFrom ? req.from : dataFrom;
  const to = req.to && req.to < dataTo ? req.to : dataTo;
  const plans = planFolds(from, to, req.train, req.test, req.anchored);
  const id = store.create({ kind: 'walk-forward', source: `walk-forward ${req.train}/${req.test}${req.anchored ? ' anchored' : ''}`, config: req.config, configHash: configHash(req.config), symbols: req.symbols, from, to });
  const folds: FoldReport[] = [];
  const oosDates: string[] = [];
  const oosReturns: number[] = [];
  const oosExposure: number[] = [];
  const oosTurnover: number[] = [];
  const oosTrades: number[] = [];
  const allTrades: Trade[] = [];
  const trialSharpes: number[] = [];
  const candidates: string[][] = []; // per fold, best first
  const selected: string[] = [];
  let trials = 0;
  let trialObservations = 0; // sum over trials of the observations their Sharpe ratio was measured on
  try {
    for (const plan of plans) {
      if (hooks.shouldStop?.()) throw new InterruptedError();
      const found = await search(plan, req.symbols);
      trials += found.trials;
      trialObservations += found.trials * found.trialObservations;
      trialSharpes.push(...found.trialSharpes);
      candidates.push(found.candidates);
      found.portfolio.sleeves.forEach((s) => selected.push(s.expr));

      const test = loadPanel(market, req.symbols, { from: plan.testFrom, to: plan.testTo, warmup: WARMUP_DAYS });
      if (test.startIndex >= test.panel.T) continue;
      const regime = closesOn(market, req.config.backtest.regimeFilter.symbol, test.panel.dates);
      const oos = tradePortfolio(test.panel, found.portfolio, test.startIndex, test.panel.T, req.config, regime);
      const train = loadPanel(market, req.symbols, { from: plan.trainFrom, to: plan.trainTo, warmup: WARMUP_DAYS });
      const is = tradePortfolio(train.panel, found.portfolio, train.startIndex, train.panel.T, req.config, closesOn(market, req.config.backtest.regimeFilter.symbol, train.panel.dates));

      const report: FoldReport = {
        fold: plan.fold,
        runIds: found.runIds,
        train: { from: train.panel.dates[train.startIndex], to: train.panel.dates[train.panel.T - 1] },
        test: { from: test.panel.dates[test.startIndex], to: test.panel.dates[test.panel.T - 1] },
        expr: found.portfolio.sleeves.map((s) => s.expr).join(' ; '),
        portfolio: found.portfolio,
        trials: found.trials,
        is: is.metrics,
        oos: oos.metrics,
      };
      folds.push(report);
      const dates = oos.sim.dates;
      for (let i = 0; i < dates.length; i++) {
        oosDates.push(dates[i]);
        oosReturns.push(oos.sim.returns[i]);
        oosExposure.push(oos.sim.exposure[i]);
        oosTurnover.push(oos.sim.turnover[i]);
      }
      oosTrades.push(...oos.sim.tradeReturns);
      allTrades.push(...(oos.sim.trades ?? []));
      store.saveFold(id, { fold: plan.fold, runId: found.runIds[0] ?? null, trainFrom: report.train.from, trainTo: report.train.to, testFrom: report.test.from, testTo: report.test.to, portfolio: found.portfolio, isMetrics: is.metrics, oosMetrics: oos.metrics, trials: found.trials }, oos.sim.trades ?? []);
      hooks.onFold?.(folds.length, plans.length, report);
      log().info({ fold: plan.fold, test: `${report.test.from}..${report.test.to}`, oosSharpe: +oos.metrics.sharpe.toFixed(3), expr: report.expr }, 'walk-forward fold done');
    }
    if (oosReturns.length === 0) throw new InputError('walk-forward: no test window has trading days; widen --to');

    const oos = computeMetrics({ returns: oosReturns, exposure: oosExposure, turnover: oosTurnover, tradeReturns: oosTrades });
    const whole = loadPanel(market, req.symbols, { from: oosDates[0], to: oosDates[oosDates.length - 1], warmup: WARMUP_DAYS });
    const bench = benchmarkReturns(market, req.config, oosDates, whole.panel, whole.startIndex, whole.panel.T);
    const sig = significance(oosReturns, trials, variance(trialSharpes), trialObservations / Math.max(1, trials));
    log().info({ rules: new Set(selected).size, cutoffs: req.config.backtest.lookahead.cutoffs }, 'walk-forward: lookahead check of the selected rules');
    const lookahead = lookaheadOf(selected, whole.panel, whole.startIndex, req.config.backtest.lookahead.cutoffs);
    const meanIsSharpe = folds.reduce((a, f) => a + f.is.sharpe, 0) / folds.length;
    const pboSet = interleave(candidates, PBO_CANDIDATES);
    if (req.config.backtest.pbo.enabled) log().info({ candidates: pboSet.length, partitions: req.config.backtest.pbo.partitions }, 'walk-forward: probability of backtest overfitting');
    const pbo = req.config.backtest.pbo.enabled ? pboOf(pboSet, whole.panel, whole.startIndex, req.config) : null;
    const report: BacktestReport = {
      backtestId: id,
      kind: 'walk-forward',
      source: `walk-forward ${req.train}/${req.test}${req.anchored ? ' anchored' : ''}`,
      symbols: [...req.symbols],
      from: oosDates[0],
      to: oosDates[oosDates.length - 1],
      trials,
      oos,
      is: null,
      whole: null,
      benchmark: computeMetrics({ returns: bench.returns, exposure: bench.exposure }),
      benchmarkName: bench.name,
      psr: sig.psr,
      dsr: sig.dsr,
      deflation: deflationOf(sig),
      pbo,
      walkForwardEfficiency: meanIsSharpe > 0 ? oos.sharpe / meanIsSharpe : null,
      folds,
      lookahead: { passed: lookahead.passed, detail: lookahead.detail },
      gate: gateG0({ kind: 'walk-forward', oosSharpe: oos.sharpe, dsr: sig.dsr, maxDrawdown: oos.maxDrawdown, lookahead }, req.config.backtest.gate),
      stress: stressWindows(oosDates, oosReturns, bench.returns),
      portfolio: folds[folds.length - 1].portfolio,
      notes: [],
    };
    store.finish(id, { dates: oosDates, equity: equityOf(oosReturns), benchmark: equityOf(bench.returns), portfolio: report.portfolio, trials, result: report, gatePassed: report.gate.passed });
    return report;
  } catch (err) {
    store.fail(id, err instanceof InterruptedError ? 'interrupted' : 'failed', (err as Error).message.split('\n')[0]);
    throw err;
  }
}

function deflationOf(sig: Significance): BacktestReport['deflation'] {
  return { trialSharpeVariance: sig.trialSharpeVariance, sharpeVarianceUsed: sig.sharpeVariance, expectedMaxSharpe: sig.expectedMaxSharpe * Math.sqrt(TRADING_DAYS_PER_YEAR) };
}

export class InterruptedError extends Error {
  constructor() {
    super('interrupted by the user');
  }
}

/** Equity curve starting at 1 after the first day's return. */
function equityOf(returns: ArrayLike<number>): Float64Array {
  const out = new Float64Array(returns.length);
  let e = 1;
  for (let i = 0; i < returns.length; i++) out[i] = e *= 1 + returns[i];
  return out;
}

/**
 * Probability of Backtest Overfitting (CSCV) over the candidate rules, each traded alone (equal
 * weights) over the whole out-of-sample span: how often the in-sample best of them ranks below
 * the median out of sample.
 */
/** Candidate rules the PBO weighs (each one a full simulation over the out-of-sample span). */
const PBO_CANDIDATES = 32;

/**
 * Up to `max` distinct rules taken round-robin over the folds' candidate lists (each fold's best
 * first): every fold is represented, not only the first folds' lists.
 */
export function interleave(lists: readonly string[][], max: number): string[] {
  const out = new Set<string>();
  for (let rank = 0; out.size < max && lists.some((l) => rank < l.length); rank++) {
    for (const l of lists) if (rank < l.length && out.size < max) out.add(l[rank]);
  }
  return [...out];
}

function pboOf(list: string[], panel: Panel, start: number, config: Readonly<Config>): number | null {
  const T = panel.T - start;
  const S = config.backtest.pbo.partitions;
  if (list.length < 2 || T < S * 5) return null;
  const columns = list.map((expr) => {
    const { targets } = portfolioTargets(uniformPortfolio(expr, panel.symbols), panel);
    return simulate({ panel, targets, start, end: panel.T, execution: config.execution, initialCapital: config.backtest.initialCapital }).returns;
  });
  const matrix = Array.from({ length: T }, (_, t) => Float64Array.from(columns, (c) => c[t]));
  return probabilityOfBacktestOverfitting(matrix, { partitions: S % 2 ? S + 1 : S }).pbo;
}

interface ResolvedSource {
  portfolio: Portfolio;
  label: string;
  from: string | null;
  inSampleTo: string | null;
  trials: number;
  sharpeVariance: number;
  trialObservations: number;
}

function resolveSource(market: MarketStore, runs: RunStore, source: BacktestSource, req: BacktestRequest): ResolvedSource {
  const universe = (fallback: readonly string[]) => (req.symbols && req.symbols.length ? req.symbols : fallback);
  switch (source.kind) {
    case 'run': {
      const run = runs.run(source.runId);
      if (!run) throw new InputError(`no run ${source.runId}; see: aegis runs`);
      const best = runs.strategies(run.id)[0];
      if (!best) throw new InputError(`run ${run.id} has no strategies (status ${run.status})`);
      const sharpes = runs.trialSharpes(run.id);
      // The run's selected portfolio: its allocation when it has one, else its best rule on equal weights.
      const allocation = new AllocationStore(runs.database).selected(run.id);
      const portfolio = allocation && allocation.sleeves.length && !req.symbols ? portfolioOf(allocation.sleeves) : uniformPortfolio(best.expr, universe(run.symbols), best.id);
      return {
        portfolio,
        label: allocation && portfolio.sleeves.length > 0 && !req.symbols ? `run ${run.id} (allocation ${allocation.id}, ${allocation.method})` : `run ${run.id}`,
        from: req.from ?? run.trainFrom,
        inSampleTo: run.validTo,
        trials: run.trials,
        sharpeVariance: variance(sharpes),
        trialObservations: run.observations ?? 0,
      };
    }
    case 'strategy': {
      const s = runs.strategy(source.strategyId);
      if (!s) throw new InputError(`no strategy ${source.strategyId}; see: aegis show run ID`);
      const run = runs.run(s.runId)!;
      return {
        portfolio: uniformPortfolio(s.expr, universe(run.symbols), s.id),
        label: `strategy ${s.id} of run ${run.id}`,
        from: req.from ?? run.trainFrom,
        inSampleTo: run.validTo,
        trials: run.trials,
        sharpeVariance: variance(runs.trialSharpes(run.id)),
        trialObservations: run.observations ?? 0,
      };
    }
    case 'expr': {
      const symbols = universe(market.listSymbols().map((s) => s.symbol));
      if (symbols.length === 0) throw new InputError('no symbols stored; run aegis ingest first');
      return { portfolio: uniformPortfolio(source.expr, symbols), label: `rule ${source.expr}`, from: req.from, inSampleTo: null, trials: 1, sharpeVariance: 0, trialObservations: 0 };
    }
    case 'portfolio':
      return { portfolio: source.portfolio, label: source.label, from: req.from, inSampleTo: source.inSampleTo, trials: source.trials, sharpeVariance: source.sharpeVariance, trialObservations: source.trialObservations };
  }
}

export type { LookaheadResult, Metric };
