/**
 * The report loaders: read one database into the {@link ReportData} the renderer draws.
 *
 * What goes into one report is chosen around a focus, so that the page tells one story:
 * - `--backtest ID`: that backtest; the runs behind it (a walk-forward's fold runs, or the run a
 *   single backtest traded) as Evolution; the EM loop and strategies of the run whose portfolio it
 *   ends with (the last fold's run).
 * - `--run ID`: that run (Evolution, EM loop, strategies) and the latest finished backtest of it.
 * - `--deployment ID`: the deployment and the backtest it trades (see {@link selectDeployment}).
 * - nothing: the latest finished backtest, as with `--backtest`; unless a run (not a walk-forward
 *   fold) finished after that backtest started, which is then the focus, as with `--run`. When the
 *   backtest traded no run (a hand-written rule), Evolution shows the latest finished run.
 * The Data section is always the whole database.
 */
import { readFileSync } from 'node:fs';
import { computeMetrics } from '../backtest/metrics.js';
import type { BacktestReport as StoredBacktestResult } from '../backtest/runBacktest.js';
import { InputError } from '../domain/errors.js';
import { bundled } from '../domain/paths.js';
import { BacktestStore, type BacktestRow, type FoldRecord } from '../store/backtestStore.js';
import type { Db } from '../store/db.js';
import { MarketStore } from '../store/marketStore.js';
import { AllocationStore, RunStore, type RunRow, type StoredAllocation } from '../store/runStore.js';
import { compileRule, prettyRule } from '../strategy/index.js';
import type { Config } from '../config/schema.js';
import { loadConfig } from '../config/load.js';
import { loadDeployment } from './deployment.js';
import type {
  BacktestFold,
  BacktestReport,
  DataSection,
  DeploymentReport,
  DroppedSleeve,
  EmIteration,
  EmSection,
  EvolutionRun,
  EvolutionSection,
  Metrics,
  ReportData,
  StrategyReport,
  Trade,
} from './model.js';

/** Which run, backtest or deployment the report is about; at most one; none = the latest. */
export interface ReportSelection {
  runId?: number;
  backtestId?: number;
  deploymentId?: number;
}

/** Where the report comes from; title and time default to "Aegis research report" and now. */
export interface ReportMetaInput {
  databasePath: string;
  /** The config the deployment's expectation is computed with (execution costs); default configs/default.json. */
  config?: Readonly<Config>;
  title?: string;
  /** ISO 8601 timestamp; default now, to the second. */
  generatedAt?: string;
}

/** The sections of {@link ReportData} besides `meta`, in page order of the data they carry. */
export const SECTION_NAMES = ['evolution', 'em', 'strategies', 'backtest', 'deployment', 'data'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** Trading days per year: a per-observation Sharpe ratio times √252 is annualised. */
const ANNUALISE = Math.sqrt(252);

/**
 * Reads everything the report shows from the database. Sections without data are null; a database
 * with only ingested data gives only `data` (and `meta`).
 *
 * @throws InputError for an unknown or unfinished run / backtest / deployment, or more than one
 *   of them selected.
 */
export function loadReportData(db: Db, select: ReportSelection, meta: ReportMetaInput): ReportData {
  const focus = resolveFocus(db, select, meta.config ?? loadConfig());
  const runs = new RunStore(db);
  const evolution: EvolutionSection | null = focus.runIds.length ? { runs: focus.runIds.map((id) => loadEvolutionRun(runs, id)) } : null;
  return {
    meta: {
      title: meta.title ?? 'Aegis research report',
      generatedAt: meta.generatedAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      databasePath: meta.databasePath,
      aegisVersion: aegisVersion(),
    },
    data: loadData(db),
    evolution,
    em: focus.primaryRunId === null ? null : loadEm(db, focus.primaryRunId),
    strategies: focus.primaryRunId === null ? null : loadStrategies(runs, focus.primaryRunId),
    backtest: focus.backtestId === null ? null : loadBacktest(db, focus.backtestId),
    deployment: focus.deployment,
  };
}

/** Names of the sections that have data (not counting `meta`). */
export function presentSections(data: ReportData): SectionName[] {
  return SECTION_NAMES.filter((name) => data[name] !== null && !(Array.isArray(data[name]) && (data[name] as unknown[]).length === 0));
}

// ---------------------------------------------------------------------------------------------
// What to report

interface Focus {
  /** Runs shown under Evolution, in order. */
  runIds: number[];
  /** The run whose EM loop and strategies are shown. */
  primaryRunId: number | null;
  backtestId: number | null;
  deployment: DeploymentReport | null;
}

function resolveFocus(db: Db, select: ReportSelection, config: Readonly<Config>): Focus {
  const given = (['runId', 'backtestId', 'deploymentId'] as const).filter((k) => select[k] !== undefined);
  if (given.length > 1) throw new InputError('give at most one of --run, --backtest, --deployment');
  const runs = new RunStore(db);
  const backtests = new BacktestStore(db);
  // A run left 'running' by a killed process shows as interrupted (as in aegis runs).
  if (!db.readonly) runs.markStaleRuns();

  if (select.deploymentId !== undefined) {
    const d = selectDeployment(db, select.deploymentId, config);
    return { ...backtestFocus(db, d.backtestId), deployment: d.deployment };
  }
  if (select.backtestId !== undefined) {
    const row = backtests.get(select.backtestId);
    if (!row) throw new InputError(`no backtest ${select.backtestId}${known(backtests.list().map((b) => b.id), 'backtests')}`);
    if (row.status !== 'finished') {
      throw new InputError(`backtest ${row.id} is ${row.status}${row.detail ? ` (${row.detail})` : ''}: nothing to report; see: aegis show backtest ${row.id}`);
    }
    return { ...backtestFocus(db, row.id), deployment: null };
  }
  if (select.runId !== undefined) {
    const run = runs.run(select.runId);
    if (!run) throw new InputError(`no run ${select.runId}; see: aegis runs`);
    const bt = finishedBacktests(backtests).find((b) => linkedRuns(db, b).includes(run.id));
    return { runIds: [run.id], primaryRunId: run.id, backtestId: bt?.id ?? null, deployment: null };
  }

  // The latest of everything.
  const deployed = selectDeployment(db, undefined, config);
  if (deployed.deployment) return { ...backtestFocus(db, deployed.backtestId), deployment: deployed.deployment };
  const bt = finishedBacktests(backtests)[0] ?? null;
  const run = latestStandaloneRun(db, runs);
  if (bt && (!run || bt.createdAt >= (run.finishedAt ?? run.createdAt))) {
    const focus = backtestFocus(db, bt.id);
    if (focus.runIds.length === 0 && run) return { runIds: [run.id], primaryRunId: run.id, backtestId: bt.id, deployment: null };
    return { ...focus, deployment: null };
  }
  if (run) {
    const own = finishedBacktests(backtests).find((b) => linkedRuns(db, b).includes(run.id));
    return { runIds: [run.id], primaryRunId: run.id, backtestId: own?.id ?? null, deployment: null };
  }
  return { runIds: [], primaryRunId: null, backtestId: null, deployment: null };
}

/**
 * The deployment to report and the backtest it trades: the one given, or by default the latest.
 * The only place that knows about deployments.
 */
function selectDeployment(db: Db, id: number | undefined, config: Readonly<Config>): { deployment: DeploymentReport | null; backtestId: number | null } {
  return loadDeployment(db, id, config);
}

function backtestFocus(db: Db, backtestId: number | null): Omit<Focus, 'deployment'> {
  if (backtestId === null) return { runIds: [], primaryRunId: null, backtestId: null };
  const row = new BacktestStore(db).get(backtestId);
  if (!row) return { runIds: [], primaryRunId: null, backtestId: null };
  const runIds = linkedRuns(db, row);
  return { runIds, primaryRunId: runIds.length ? runIds[runIds.length - 1] : null, backtestId: row.status === 'finished' ? row.id : null };
}

/** Finished backtests, newest first. */
function finishedBacktests(store: BacktestStore): BacktestRow[] {
  return store
    .list()
    .filter((b) => b.status === 'finished')
    .reverse();
}

/**
 * The runs behind a backtest, in fold order: a walk-forward's fold runs (the folds table and the
 * stored result), and the runs owning the strategies its portfolios trade (a single backtest of a
 * run or a strategy). Only runs that exist.
 */
function linkedRuns(db: Db, bt: BacktestRow): number[] {
  const ids: number[] = [];
  const add = (id: unknown) => {
    if (typeof id === 'number' && Number.isInteger(id) && !ids.includes(id)) ids.push(id);
  };
  const folds = new BacktestStore(db).folds(bt.id);
  for (const f of folds) add(f.runId);
  const result = bt.result as Partial<StoredBacktestResult> | null;
  for (const f of result?.folds ?? []) for (const id of f.runIds ?? []) add(id);
  const strategyRun = db.prepare('SELECT run_id AS r FROM strategies WHERE id = ?');
  for (const p of [bt.portfolio, ...folds.map((f) => f.portfolio)]) {
    for (const s of sleevesOf(p)) {
      if (typeof s.strategyId === 'number') add((strategyRun.get(s.strategyId) as { r: number } | undefined)?.r);
    }
  }
  const exists = db.prepare('SELECT 1 FROM runs WHERE id = ?');
  return ids.filter((id) => exists.get(id) !== undefined);
}

/** The latest finished run that is not a walk-forward fold's. */
function latestStandaloneRun(db: Db, runs: RunStore): RunRow | null {
  const row = db
    .prepare(
      `SELECT id FROM runs WHERE status = 'finished' AND purpose NOT LIKE 'walk-forward fold %'
         AND id NOT IN (SELECT run_id FROM folds WHERE run_id IS NOT NULL)
       ORDER BY COALESCE(finished_at, created_at) DESC, id DESC LIMIT 1`,
    )
    .get() as { id: number } | undefined;
  return row ? runs.run(row.id) : null;
}

function known(ids: number[], what: string): string {
  if (ids.length === 0) return `: this database has no ${what}`;
  return `; this database has ${what} ${ids.length > 8 ? `${ids.slice(0, 4).join(', ')}, ..., ${ids.slice(-2).join(', ')}` : ids.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------
// Sections

/** Stored symbols and quality findings; null when nothing was ingested. */
export function loadData(db: Db): DataSection | null {
  const market = new MarketStore(db);
  const symbols = market.listSymbols();
  const findings = market.issues();
  if (symbols.length === 0 && findings.length === 0) return null;
  return {
    symbols: symbols.map((s) => ({ symbol: s.symbol, first: s.first, last: s.last, rows: s.rows, issues: s.issues })),
    findings: findings.map((f) => ({ symbol: f.symbol, date: f.date, kind: f.kind, severity: f.severity, detail: f.detail })),
  };
}

/** One run of the search: its counters, its generations, and the annualised Sharpe of each trial. */
export function loadEvolutionRun(runs: RunStore, runId: number): EvolutionRun {
  const run = runs.run(runId);
  if (!run) throw new InputError(`no run ${runId}; see: aegis runs`);
  return {
    runId: run.id,
    grammar: run.grammar,
    metric: run.metric,
    trials: run.trials,
    evaluations: run.evaluations,
    invalid: run.invalid,
    stoppedEarly: run.stoppedEarly,
    generations: runs.generations(run.id).map((g) => ({
      emIteration: g.emIteration,
      generation: g.generation,
      species: String(g.species),
      bestTrain: g.bestTrain,
      medianTrain: g.medianTrain,
      bestValidation: g.bestValidation,
      invalidShare: g.invalidShare,
      diversity: g.diversity,
    })),
    // Stored per observation (daily); the report shows annualised ratios. Four decimals are far
    // finer than any histogram bin and halve the size of the page for long runs.
    trialSharpes: runs.trialSharpes(run.id).map((s) => Math.round(s * ANNUALISE * 1e4) / 1e4),
  };
}

/** The EM loop of a run: objective and weights per iteration, the final allocation, dropped sleeves; null without EM iterations. */
export function loadEm(db: Db, runId: number): EmSection | null {
  const store = new AllocationStore(db);
  const records = store.emIterations(runId);
  if (records.length === 0) return null;
  const run = new RunStore(db).run(runId);
  const allocations = new Map<number, StoredAllocation | null>();
  const allocation = (id: number | null): StoredAllocation | null => {
    if (id === null) return null;
    if (!allocations.has(id)) allocations.set(id, store.get(id));
    return allocations.get(id)!;
  };
  const iterations: EmIteration[] = records.map((r) => ({
    iteration: r.iteration,
    trainObjective: r.trainObjective,
    validationObjective: r.validationObjective,
    weights: weightsOf(allocation(r.allocationId)),
    strategies: r.strategies.map((s) => String(s.id)),
  }));
  const finalId = (db.prepare('SELECT final_allocation_id AS f FROM runs WHERE id = ?').get(runId) as { f: number | null } | undefined)?.f ?? null;
  // The run's final allocation; without one, the last iteration's.
  const final = allocation(finalId) ?? allocation(records[records.length - 1].allocationId);
  return {
    objective: run ? objectiveName(run.metric) : null,
    iterations,
    finalWeights: weightsOf(final),
    dropped: (final?.dropped ?? []).map(
      (d): DroppedSleeve => ({
        id: String(d.id),
        because: d.because ? `correlated with ${d.because}` : 'dropped',
        correlation: typeof d.correlation === 'number' && Number.isFinite(d.correlation) ? d.correlation : null,
      }),
    ),
  };
}

/** Weight per sleeve id; a sleeve listed twice adds up. */
function weightsOf(a: StoredAllocation | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of a?.sleeves ?? []) out[s.sleeve] = (out[s.sleeve] ?? 0) + s.weight;
  return out;
}

const OBJECTIVES: Record<string, string> = { sharpe: 'Sharpe', sortino: 'Sortino', calmar: 'Calmar', cagr: 'CAGR', 'profit-factor': 'profit factor' };

function objectiveName(metric: string): string {
  return OBJECTIVES[metric] ?? metric;
}

/** The run's strategies (of the EM iteration it selected), best first, pretty-printed; null when it has none. */
export function loadStrategies(runs: RunStore, runId: number): StrategyReport[] | null {
  const stored = runs.strategies(runId);
  if (stored.length === 0) return null;
  return stored.map((s) => {
    const compiled = compileRule(s.expr);
    return {
      id: s.id,
      rank: s.rank,
      expr: s.expr,
      pretty: compiled.ok ? prettyRule(compiled.rule.ast) : s.expr,
      species: String(s.species),
      fitness: s.fitness,
      train: toMetrics(s.train, STRATEGY_METRICS),
      validation: toMetrics(s.validation, STRATEGY_METRICS),
    };
  });
}

/** A finished backtest: curve, benchmark, folds, statistics, gate, trades. */
export function loadBacktest(db: Db, backtestId: number): BacktestReport {
  const store = new BacktestStore(db);
  const row = store.get(backtestId);
  if (!row) throw new InputError(`no backtest ${backtestId}`);
  const result = row.result as StoredBacktestResult | null;
  if (row.status !== 'finished' || !result) throw new InputError(`backtest ${row.id} is ${row.status}: nothing to report`);
  const equity = store.equity(row.id);
  const folds = store.folds(row.id);
  const headline = result.oos ?? result.whole ?? result.is;
  if (!headline) throw new Error(`backtest ${row.id}: the stored result has no metrics`);
  return {
    backtestId: row.id,
    kind: row.kind,
    dates: equity.map((e) => e.date),
    equity: equity.map((e) => e.equity),
    benchmark:
      result.benchmarkName && equity.length > 0 && equity.every((e) => e.benchmark !== null)
        ? { name: result.benchmarkName, equity: equity.map((e) => e.benchmark!) }
        : null,
    folds: folds.map((f, i) => foldOf(f, result.folds?.find((r) => r.fold === f.fold)?.expr ?? result.folds?.[i]?.expr)),
    oos: toMetrics(headline),
    benchmarkMetrics: benchmarkMetrics(result, equity),
    psr: result.psr ?? Number.NaN,
    dsr: result.dsr ?? Number.NaN,
    pbo: result.pbo ?? null,
    trials: row.trials,
    walkForwardEfficiency: result.walkForwardEfficiency ?? null,
    gate: result.gate ?? { passed: Boolean(row.gatePassed), reasons: [] },
    lookahead: result.lookahead ?? null,
    stress: (result.stress ?? []).map((s) => ({ ...s })),
    trades: tradesOf(store, row.id, folds),
  };
}

/**
 * The benchmark over the days the headline metrics measure. A single backtest of a run stores
 * out-of-sample metrics of the days after the search's window, but its benchmark metrics over the
 * whole curve: the benchmark is measured again here over those last days, from its stored curve,
 * so that the two columns compare the same days.
 */
function benchmarkMetrics(result: StoredBacktestResult, equity: { benchmark: number | null }[]): Metrics | null {
  if (!result.benchmark) return null;
  const n = result.oos?.observations ?? 0;
  const start = equity.length - n;
  if (result.kind !== 'single' || !result.oos || n < 2 || start < 1 || equity.some((e) => e.benchmark === null)) return toMetrics(result.benchmark);
  const returns = new Float64Array(n);
  for (let i = 0; i < n; i++) returns[i] = equity[start + i].benchmark! / equity[start + i - 1].benchmark! - 1;
  return toMetrics(computeMetrics({ returns, exposure: new Float64Array(n).fill(result.benchmark.exposure) }));
}

function foldOf(f: FoldRecord, storedExpr: string | undefined): BacktestFold {
  const expr = storedExpr ?? sleevesOf(f.portfolio).map((s) => s.expr).join(' ; ');
  return {
    train: { from: f.trainFrom, to: f.trainTo },
    test: { from: f.testFrom, to: f.testTo },
    expr: expr || '(cash)',
    is: toMetrics(f.isMetrics),
    oos: toMetrics(f.oosMetrics),
  };
}

/**
 * The trades, oldest first. A position still held when a walk-forward fold's test window ended
 * did end there (the next fold starts flat, with its own rule): it gets that day as its exit, at
 * the mark the simulator recorded. Only a position held at the very end is open.
 */
function tradesOf(store: BacktestStore, backtestId: number, folds: FoldRecord[]): Trade[] {
  const lastFold = folds.length ? folds[folds.length - 1].fold : null;
  const foldEnd = new Map(folds.map((f) => [f.fold, f.testTo]));
  return store.trades(backtestId).map((t) => {
    const exitDate = t.exitDate ?? (t.fold !== null && t.fold !== lastFold ? foldEnd.get(t.fold) ?? null : null);
    return {
      symbol: t.symbol,
      side: t.side,
      entryDate: t.entryDate,
      exitDate,
      entryPrice: t.entryPrice,
      exitPrice: exitDate === null ? null : t.exitPrice,
      return: exitDate === null ? null : t.return,
    };
  });
}

/**
 * The metrics of a strategy card: one line per window, so only those that fit beside each other
 * (the backtest's tables list every stored metric).
 */
const STRATEGY_METRICS = ['sharpe', 'sortino', 'cagr', 'maxDrawdown', 'trades', 'exposure', 'totalReturn', 'volatility', 'calmar', 'winRate', 'profitFactor'];

/**
 * The report's Metrics from a stored metrics object: every finite numeric field, or only `keys`
 * when given. A core field that is missing is NaN (shown as a dash), never a made-up 0.
 */
function toMetrics(m: unknown, keys?: readonly string[]): Metrics {
  const src = (m && typeof m === 'object' ? m : {}) as Record<string, unknown>;
  const out: Metrics = { sharpe: Number.NaN, sortino: Number.NaN, cagr: Number.NaN, maxDrawdown: Number.NaN, trades: Number.NaN, exposure: Number.NaN };
  for (const k of keys ?? Object.keys(src)) {
    const v = src[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return out;
}

function sleevesOf(portfolio: unknown): { expr: string; strategyId: number | null }[] {
  const sleeves = (portfolio as { sleeves?: unknown } | null)?.sleeves;
  return Array.isArray(sleeves) ? (sleeves as { expr: string; strategyId: number | null }[]) : [];
}

let version: string | undefined;

function aegisVersion(): string {
  return (version ??= (JSON.parse(readFileSync(bundled('package.json'), 'utf8')) as { version: string }).version);
}
