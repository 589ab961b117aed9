import type { Trade } from '../backtest/simulator.js';
import { inWriteTransaction, nowIso, type Db } from './db.js';

export interface NewBacktest {
  kind: 'single' | 'walk-forward';
  source: string;
  config: unknown;
  configHash: string;
  symbols: readonly string[];
  from: string;
  to: string;
}

export interface FoldRecord {
  fold: number;
  runId: number | null;
  trainFrom: string;
  trainTo: string;
  testFrom: string;
  testTo: string;
  portfolio: unknown;
  isMetrics: unknown;
  oosMetrics: unknown;
  trials: number;
}

export interface BacktestRow {
  id: number;
  createdAt: string;
  finishedAt: string | null;
  status: string;
  kind: 'single' | 'walk-forward';
  source: string;
  configHash: string;
  config: string;
  symbols: string[];
  from: string;
  to: string;
  portfolio: unknown;
  trials: number;
  result: unknown;
  gatePassed: boolean | null;
  detail: string | null;
}

/** Backtests, their folds, equity curves and trades. */
export class BacktestStore {
  constructor(private readonly db: Db) {}

  create(b: NewBacktest): number {
    return inWriteTransaction(this.db, () =>
      Number(
        this.db
          .prepare(
            `INSERT INTO backtests (created_at, status, kind, source, config, config_hash, symbols, date_from, date_to, pid)
             VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(nowIso(), b.kind, b.source, JSON.stringify(b.config), b.configHash, b.symbols.join(','), b.from, b.to, process.pid).lastInsertRowid,
      ),
    );
  }

  /** One fold, its trades, in one transaction (a killed walk-forward keeps its finished folds). */
  saveFold(backtestId: number, f: FoldRecord, trades: readonly Trade[]): void {
    inWriteTransaction(this.db, () => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO folds (backtest_id, fold, run_id, train_from, train_to, test_from, test_to, portfolio, is_metrics, oos_metrics, trials)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(backtestId, f.fold, f.runId, f.trainFrom, f.trainTo, f.testFrom, f.testTo, JSON.stringify(f.portfolio), JSON.stringify(f.isMetrics), JSON.stringify(f.oosMetrics), f.trials);
      this.insertTrades(backtestId, f.fold, trades);
    });
  }

  /** The final result: equity curve, trades (single backtests), summary; marks the backtest finished. */
  finish(
    backtestId: number,
    r: { dates: readonly string[]; equity: ArrayLike<number>; benchmark: ArrayLike<number> | null; trades?: readonly Trade[]; portfolio: unknown; trials: number; result: unknown; gatePassed: boolean },
  ): void {
    inWriteTransaction(this.db, () => {
      const ins = this.db.prepare('INSERT OR REPLACE INTO equity (backtest_id, date, equity, benchmark) VALUES (?, ?, ?, ?)');
      r.dates.forEach((d, i) => ins.run(backtestId, d, r.equity[i], r.benchmark ? r.benchmark[i] : null));
      if (r.trades) this.insertTrades(backtestId, null, r.trades);
      this.db
        .prepare(`UPDATE backtests SET status = 'finished', finished_at = ?, portfolio = ?, trials = ?, result = ?, gate_passed = ?, pid = NULL WHERE id = ?`)
        .run(nowIso(), JSON.stringify(r.portfolio), r.trials, JSON.stringify(r.result), r.gatePassed ? 1 : 0, backtestId);
    });
  }

  fail(backtestId: number, status: 'failed' | 'interrupted', detail: string): void {
    inWriteTransaction(this.db, () => {
      this.db.prepare('UPDATE backtests SET status = ?, finished_at = ?, detail = ?, pid = NULL WHERE id = ?').run(status, nowIso(), detail, backtestId);
    });
  }

  get(id: number): BacktestRow | null {
    const r = this.db.prepare('SELECT * FROM backtests WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return r ? toRow(r) : null;
  }

  list(): BacktestRow[] {
    return (this.db.prepare('SELECT * FROM backtests ORDER BY id').all() as Record<string, unknown>[]).map(toRow);
  }

  equity(id: number): { date: string; equity: number; benchmark: number | null }[] {
    return this.db.prepare('SELECT date, equity, benchmark FROM equity WHERE backtest_id = ? ORDER BY date').all(id) as { date: string; equity: number; benchmark: number | null }[];
  }

  trades(id: number): (Trade & { fold: number | null })[] {
    return (
      this.db
        .prepare('SELECT fold, symbol, side, entry_date, exit_date, entry_price, exit_price, return, bars FROM trades WHERE backtest_id = ? ORDER BY entry_date, symbol')
        .all(id) as Record<string, unknown>[]
    ).map((t) => ({
      fold: (t.fold as number | null) ?? null,
      symbol: t.symbol as string,
      side: t.side as 'long' | 'short',
      entryDate: t.entry_date as string,
      exitDate: (t.exit_date as string | null) ?? null,
      entryPrice: t.entry_price as number,
      exitPrice: t.exit_price as number,
      return: t.return as number,
      bars: t.bars as number,
    }));
  }

  folds(id: number): FoldRecord[] {
    return (this.db.prepare('SELECT * FROM folds WHERE backtest_id = ? ORDER BY fold').all(id) as Record<string, unknown>[]).map((f) => ({
      fold: f.fold as number,
      runId: (f.run_id as number | null) ?? null,
      trainFrom: f.train_from as string,
      trainTo: f.train_to as string,
      testFrom: f.test_from as string,
      testTo: f.test_to as string,
      portfolio: JSON.parse(f.portfolio as string),
      isMetrics: JSON.parse(f.is_metrics as string),
      oosMetrics: JSON.parse(f.oos_metrics as string),
      trials: f.trials as number,
    }));
  }

  private insertTrades(backtestId: number, fold: number | null, trades: readonly Trade[]): void {
    const ins = this.db.prepare(
      'INSERT INTO trades (backtest_id, fold, symbol, side, entry_date, exit_date, entry_price, exit_price, return, bars) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const t of trades) ins.run(backtestId, fold, t.symbol, t.side, t.entryDate, t.exitDate, t.entryPrice, t.exitPrice, t.return, t.bars);
  }
}

function toRow(r: Record<string, unknown>): BacktestRow {
  return {
    id: r.id as number,
    createdAt: r.created_at as string,
    finishedAt: (r.finished_at as string | null) ?? null,
    status: r.status as string,
    kind: r.kind as 'single' | 'walk-forward',
    source: r.source as string,
    configHash: r.config_hash as string,
    config: r.config as string,
    symbols: (r.symbols as string).split(',').filter(Boolean),
    from: r.date_from as string,
    to: r.date_to as string,
    portfolio: r.portfolio ? JSON.parse(r.portfolio as string) : null,
    trials: r.trials as number,
    result: r.result ? JSON.parse(r.result as string) : null,
    gatePassed: r.gate_passed === null || r.gate_passed === undefined ? null : Boolean(r.gate_passed),
    detail: (r.detail as string | null) ?? null,
  };
}
