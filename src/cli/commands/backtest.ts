import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { parseTickerList } from '../../domain/tickers.js';
import { parseRuleOrThrow } from '../../strategy/index.js';
import { evolveFoldSearch } from '../../backtest/foldSearch.js';
import { runSingleBacktest, runWalkForward, type BacktestReport, type BacktestSource } from '../../backtest/runBacktest.js';
import type { Metrics } from '../../backtest/metrics.js';
import { BacktestStore } from '../../store/backtestStore.js';
import { MarketStore } from '../../store/marketStore.js';
import { RunStore } from '../../store/runStore.js';
import { dateFlag, intFlag, override } from '../flags.js';
import { progressBar } from '../progress.js';
import { renderTable } from '../table.js';
import { runCommand } from '../run.js';
import { interruptible, pct, resolveSearch, searchConfig, withSearchFlags, type SearchFlags } from './evolve.js';

interface BacktestFlags extends SearchFlags {
  run?: string;
  strategy?: string;
  expr?: string;
  walkForward?: boolean;
  train?: string;
  test?: string;
  anchored?: boolean;
  checkLookahead?: boolean;
}

const SPAN = /^[1-9]\d*[ymd]$/;

export function registerBacktest(program: Command): void {
  const cmd = program
    .command('backtest')
    .description('trade a strategy through the simulator with costs; walk-forward out-of-sample validation; PSR/DSR; gate G0')
    .option('--run <id>', "the run's selected portfolio")
    .option('--strategy <id>', 'one strategy of a run')
    .option('--expr <rule>', 'a rule written by hand, e.g. "gt(close,sma(close,200))"')
    .option('--walk-forward', 'search on each training window, trade the next test window, stitch the test windows')
    .option('--train <span>', 'walk-forward training window, e.g. 5y, 30m (default backtest.walkForward.train)')
    .option('--test <span>', 'walk-forward test window, e.g. 1y (default backtest.walkForward.test)')
    .option('--anchored', 'walk-forward training windows all start at --from (default: rolling)')
    .option('--check-lookahead', 'recompute positions on data cut off at many dates; any difference fails');
  withSearchFlags(cmd)
    .addHelpText(
      'after',
      '\nExamples:\n  aegis backtest --expr "and(gt(close,sma(close,200)),lt(rsi(close,2),10))" --symbols SPY,QQQ --check-lookahead\n  aegis backtest --run 3\n  aegis backtest --walk-forward --train 5y --test 1y --symbols SPY,QQQ,TLT,GLD --population 200 --generations 20 --json',
    )
    .action((flags: BacktestFlags, command: Command) =>
      runCommand(command, async (ctx) => {
        const chosen = [flags.run && '--run', flags.strategy && '--strategy', flags.expr && '--expr', flags.walkForward && '--walk-forward'].filter(Boolean);
        if (chosen.length !== 1) throw new InputError(`give exactly one of --run ID, --strategy ID, --expr RULE, --walk-forward${chosen.length ? ` (got ${chosen.join(', ')})` : ''}`);
        const db = ctx.db();
        const market = new MarketStore(db);
        const runs = new RunStore(db);
        const store = new BacktestStore(db);
        runs.markStaleRuns();
        let report: BacktestReport;
        if (flags.walkForward) {
          const { config, symbols, from, to, workers } = resolveSearch(ctx, flags);
          const wf = config.backtest.walkForward;
          const train = flags.train ?? wf.train;
          const test = flags.test ?? wf.test;
          for (const [name, v] of [['--train', train], ['--test', test]] as const) if (!SPAN.test(v)) throw new InputError(`${name}: expected a span such as 5y, 18m or 90d, got "${v}"`);
          const finalConfig = override(config, { backtest: { walkForward: { train, test, anchored: Boolean(flags.anchored) || wf.anchored } } });
          const stop = interruptible(ctx);
          const bar = progressBar(ctx.interactive, 'walk-forward', 1);
          let barTotal = 0;
          try {
            report = await runWalkForward(
              market,
              store,
              evolveFoldSearch(market, runs, {
                config: finalConfig,
                grammar: finalConfig.evolve.grammar,
                seed: finalConfig.evolve.seed,
                workers,
                metric: finalConfig.evolve.metric,
                label: 'walk-forward',
                hooks: { shouldStop: stop.shouldStop },
              }),
              { config: finalConfig, symbols, from, to, checkLookahead: true, train, test, anchored: finalConfig.backtest.walkForward.anchored },
              {
                shouldStop: stop.shouldStop,
                onFold: (done, total, fold) => {
                  if (barTotal === 0) barTotal = total;
                  bar.tick(`fold ${done}/${total}: ${fold.test.from}..${fold.test.to} OOS Sharpe ${fold.oos.sharpe.toFixed(2)}`);
                },
              },
            );
          } finally {
            bar.stop();
            stop.dispose();
          }
        } else {
          const config = searchConfig(ctx, flags);
          const source: BacktestSource = flags.run
            ? { kind: 'run', runId: intFlag(flags.run, '--run')! }
            : flags.strategy
              ? { kind: 'strategy', strategyId: intFlag(flags.strategy, '--strategy')! }
              : { kind: 'expr', expr: parseRuleOrThrow(flags.expr!, '--expr').text };
          report = await runSingleBacktest(market, runs, store, source, {
            config,
            symbols: flags.symbols ? parseTickerList(flags.symbols, '--symbols') : null,
            from: dateFlag(flags.from, '--from') ?? null,
            to: dateFlag(flags.to, '--to') ?? null,
            checkLookahead: Boolean(flags.checkLookahead),
          });
        }
        ctx.output(backtestJson(report), () => renderBacktest(report));
      }),
    );
}

const pick = (m: Metrics | null) =>
  m && {
    sharpe: m.sharpe,
    sortino: m.sortino,
    calmar: m.calmar,
    cagr: m.cagr,
    totalReturn: m.totalReturn,
    volatility: m.volatility,
    maxDrawdown: m.maxDrawdown,
    maxDrawdownDays: m.maxDrawdownDays,
    trades: m.trades,
    winRate: m.winRate,
    profitFactor: m.profitFactor,
    avgTrade: m.avgTrade,
    turnover: m.turnover,
    exposure: m.exposure,
    skewness: m.skewness,
    kurtosis: m.kurtosis,
    observations: m.observations,
  };

export function backtestJson(r: BacktestReport) {
  return {
    backtestId: r.backtestId,
    kind: r.kind,
    source: r.source,
    symbols: r.symbols,
    from: r.from,
    to: r.to,
    trials: r.trials,
    oos: pick(r.oos),
    is: pick(r.is),
    whole: pick(r.whole),
    benchmark: pick(r.benchmark),
    benchmarkName: r.benchmarkName,
    psr: r.psr,
    dsr: r.dsr,
    deflation: r.deflation,
    pbo: r.pbo,
    walkForwardEfficiency: r.walkForwardEfficiency,
    folds: r.folds?.map((f) => ({ fold: f.fold, runIds: f.runIds, train: f.train, test: f.test, expr: f.expr, trials: f.trials, is: pick(f.is), oos: pick(f.oos) })) ?? null,
    lookahead: r.lookahead,
    gate: r.gate,
    stress: r.stress,
    portfolio: r.portfolio,
    notes: r.notes,
  };
}

export function renderBacktest(r: BacktestReport): string {
  const rows: { name: string; m: Metrics }[] = [];
  if (r.oos) rows.push({ name: r.kind === 'walk-forward' ? 'out-of-sample (stitched)' : 'out-of-sample', m: r.oos });
  if (r.is) rows.push({ name: 'in-sample', m: r.is });
  if (r.kind === 'single' && r.whole && (!r.oos || r.is)) rows.push({ name: 'whole window', m: r.whole });
  if (r.benchmark) rows.push({ name: `benchmark: ${r.benchmarkName}`, m: r.benchmark });
  const metrics = renderTable(rows, [
    { header: '', value: (x) => x.name },
    { header: 'sharpe', value: (x) => x.m.sharpe.toFixed(2), align: 'right' },
    { header: 'sortino', value: (x) => x.m.sortino.toFixed(2), align: 'right' },
    { header: 'cagr', value: (x) => pct(x.m.cagr), align: 'right' },
    { header: 'vol', value: (x) => pct(x.m.volatility), align: 'right' },
    { header: 'maxDD', value: (x) => pct(x.m.maxDrawdown), align: 'right' },
    { header: 'trades', value: (x) => x.m.trades, align: 'right' },
    { header: 'win', value: (x) => pct(x.m.winRate), align: 'right' },
    { header: 'exposure', value: (x) => pct(x.m.exposure), align: 'right' },
  ]);
  const parts = [
    `backtest ${r.backtestId} (${r.kind}) of ${r.source}: ${r.symbols.length > 6 ? `${r.symbols.length} symbols` : r.symbols.join(',')}, ${r.from}..${r.to}`,
    '',
    metrics,
    '',
    `PSR ${fmt(r.psr, 3)}  DSR ${fmt(r.dsr, 3)} (trials counted: ${r.trials}${r.deflation ? `; their best would reach an annual Sharpe of ${r.deflation.expectedMaxSharpe.toFixed(2)} by luck` : ''})${r.pbo !== null ? `  PBO ${fmt(r.pbo, 2)}` : ''}${r.walkForwardEfficiency !== null ? `  walk-forward efficiency ${fmt(r.walkForwardEfficiency, 2)}` : ''}`,
  ];
  if (r.folds?.length) {
    parts.push(
      '',
      renderTable(r.folds, [
        { header: 'fold', value: (f) => f.fold, align: 'right' },
        { header: 'train', value: (f) => `${f.train.from}..${f.train.to}` },
        { header: 'test', value: (f) => `${f.test.from}..${f.test.to}` },
        { header: 'IS sharpe', value: (f) => f.is.sharpe.toFixed(2), align: 'right' },
        { header: 'OOS sharpe', value: (f) => f.oos.sharpe.toFixed(2), align: 'right', colour: (f) => (f.oos.sharpe > 0 ? 'green' : 'red') },
        { header: 'OOS cagr', value: (f) => pct(f.oos.cagr), align: 'right' },
        { header: 'trials', value: (f) => f.trials, align: 'right' },
        { header: 'rule', value: (f) => f.expr || '(cash)' },
      ]),
    );
  }
  if (r.stress.length) {
    parts.push('', renderTable(r.stress, [
      { header: 'stress window', value: (s) => `${s.name} ${s.from}..${s.to}` },
      { header: 'strategy', value: (s) => pct(s.strategyReturn), align: 'right' },
      { header: 'benchmark', value: (s) => (s.benchmarkReturn === null ? '-' : pct(s.benchmarkReturn)), align: 'right' },
      { header: 'maxDD', value: (s) => pct(s.maxDrawdown), align: 'right' },
    ]));
  }
  if (r.lookahead) parts.push('', `lookahead check: ${r.lookahead.passed ? 'passed' : 'FAILED'}: ${r.lookahead.detail}`);
  for (const n of r.notes) parts.push(`note: ${n}`);
  parts.push('', `gate G0: ${r.gate.passed ? 'PASSED' : 'FAILED'}`, ...r.gate.reasons.map((x) => `  - ${x}`));
  return parts.join('\n');
}

function fmt(x: number | null, digits: number): string {
  return x === null ? '-' : x.toFixed(digits);
}
