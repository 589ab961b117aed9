import type { Command } from 'commander';
import type { BacktestReport } from '../../backtest/runBacktest.js';
import type { Metrics } from '../../backtest/metrics.js';
import { InputError } from '../../domain/errors.js';
import { BacktestStore, type BacktestRow, type FoldRecord } from '../../store/backtestStore.js';
import { RunStore } from '../../store/runStore.js';
import { intFlag } from '../flags.js';
import { renderTable } from '../table.js';
import { runCommand } from '../run.js';
import { backtestJson, renderBacktest } from './backtest.js';
import { pct } from './evolve.js';
import { renderRun, runSummary, showRun } from './runs.js';
import { renderStatus } from './status.js';
import { DeployStore } from '../../deploy/store.js';
import { deploymentStatus } from '../../deploy/status.js';
import { MarketStore } from '../../store/marketStore.js';

export function registerShow(program: Command): void {
  const show = program.command('show').description('show one run, backtest or deployment in detail');
  show
    .command('run')
    .description('a run: settings, generations, strategies')
    .argument('<id>', 'run id (see aegis runs)')
    .addHelpText('after', '\nExample:\n  aegis show run 1 --json')
    .action((id: string, _flags: unknown, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const r = showRun(new RunStore(ctx.db()), id);
        ctx.output({ run: runSummary(r.run), generations: r.generations, strategies: r.strategies }, () => renderRun(r));
      }),
    );
  show
    .command('backtest')
    .description('a backtest: metrics out of sample, in sample and of the benchmark, folds, gate, lookahead check, stress windows')
    .argument('<id>', 'backtest id (printed by aegis backtest)')
    .addHelpText('after', '\nExample:\n  aegis show backtest 2 --json')
    .action((id: string, _flags: unknown, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const b = showBacktest(new BacktestStore(ctx.db()), id);
        ctx.output(backtestShowJson(b), () => renderShownBacktest(b));
      }),
    );
  show
    .command('deployment')
    .description('a deployment: positions against targets, the last orders, P&L against the backtest, safety switches')
    .argument('<id>', 'deployment id (see aegis status)')
    .addHelpText('after', '\nExample:\n  aegis show deployment 1')
    .action((id: string, _flags: unknown, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const db = ctx.db();
        const store = new DeployStore(db);
        const d = store.deployment(intFlag(id, 'deployment id')!);
        if (!d) throw new InputError(`no deployment ${id}; see: aegis status`);
        const s = deploymentStatus(store, new MarketStore(db), ctx.config, d);
        ctx.output(s, () => renderStatus(s));
      }),
    );
}

/** What `aegis show backtest ID` shows: the stored row, its result (null until it finished) and its stored folds. */
export interface ShownBacktest {
  row: BacktestRow;
  result: BacktestReport | null;
  folds: FoldRecord[];
}

/** `aegis show backtest ID`: the backtest as stored. */
export function showBacktest(store: BacktestStore, idText: string): ShownBacktest {
  const id = intFlag(idText, 'backtest id')!;
  const row = store.get(id);
  if (!row) {
    const ids = store.list().map((b) => b.id);
    throw new InputError(`no backtest ${id}${ids.length ? ` (this database has backtests ${ids.length > 8 ? `${ids[0]}..${ids[ids.length - 1]}` : ids.join(', ')})` : ': this database has no backtests'}`);
  }
  return { row, result: row.status === 'finished' ? (row.result as BacktestReport | null) : null, folds: store.folds(id) };
}

/**
 * The JSON of `show backtest`: a finished backtest in the contract of `aegis backtest --json` with
 * its status and provenance; an unfinished one (failed, interrupted, running) with the folds it
 * stored before it stopped.
 */
export function backtestShowJson({ row, result, folds }: ShownBacktest) {
  const stored = { status: row.status, createdAt: row.createdAt, finishedAt: row.finishedAt, configHash: row.configHash, detail: row.detail };
  if (result) return { ...backtestJson(result), ...stored };
  return {
    backtestId: row.id,
    kind: row.kind,
    source: row.source,
    symbols: row.symbols,
    from: row.from,
    to: row.to,
    trials: row.trials,
    ...stored,
    folds: folds.map((f) => ({
      fold: f.fold,
      runIds: f.runId === null ? [] : [f.runId],
      train: { from: f.trainFrom, to: f.trainTo },
      test: { from: f.testFrom, to: f.testTo },
      expr: exprOf(f.portfolio),
      trials: f.trials,
      is: f.isMetrics,
      oos: f.oosMetrics,
    })),
  };
}

export function renderShownBacktest({ row, result, folds }: ShownBacktest): string {
  const stored = `created ${row.createdAt}${row.finishedAt ? `, finished ${row.finishedAt}` : ''}, config ${row.configHash}`;
  if (result) return `${renderBacktest(result)}\n\n${stored}`;
  const parts = [
    `backtest ${row.id} (${row.kind}) of ${row.source}: ${row.symbols.length > 6 ? `${row.symbols.length} symbols` : row.symbols.join(',')}, ${row.from}..${row.to}`,
    `status ${row.status}${row.detail ? `: ${row.detail}` : ''}; ${stored}`,
    '',
  ];
  if (folds.length === 0) parts.push('no fold finished');
  else {
    const metrics = (m: unknown) => m as Partial<Metrics>;
    parts.push(
      `${folds.length} fold(s) finished before it stopped:`,
      renderTable(folds, [
        { header: 'fold', value: (f) => f.fold, align: 'right' },
        { header: 'train', value: (f) => `${f.trainFrom}..${f.trainTo}` },
        { header: 'test', value: (f) => `${f.testFrom}..${f.testTo}` },
        { header: 'IS sharpe', value: (f) => metrics(f.isMetrics).sharpe?.toFixed(2), align: 'right' },
        { header: 'OOS sharpe', value: (f) => metrics(f.oosMetrics).sharpe?.toFixed(2), align: 'right' },
        { header: 'OOS cagr', value: (f) => { const c = metrics(f.oosMetrics).cagr; return c === undefined ? null : pct(c); }, align: 'right' },
        { header: 'trials', value: (f) => f.trials, align: 'right' },
        { header: 'run', value: (f) => f.runId },
        { header: 'rule', value: (f) => exprOf(f.portfolio) || '(cash)' },
      ]),
    );
  }
  return parts.join('\n');
}

function exprOf(portfolio: unknown): string {
  const sleeves = (portfolio as { sleeves?: { expr: string }[] } | null)?.sleeves ?? [];
  return sleeves.map((s) => s.expr).join(' ; ');
}
