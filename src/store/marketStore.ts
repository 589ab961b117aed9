import type { Bar, CorporateAction } from '../domain/types.js';
import type { DataIssue } from '../data/quality.js';
import { inWriteTransaction, nowIso, type Db } from './db.js';

export interface SymbolSummary {
  symbol: string;
  first: string | null;
  last: string | null;
  rows: number;
  issues: number;
}

export interface StoredIssue extends DataIssue {
  source: string;
  foundAt: string;
}

/** Everything one symbol's fetch produced, stored in one transaction or not at all. */
export interface SymbolBatch {
  symbol: string;
  source: string;
  bars: readonly Bar[];
  actions: readonly CorporateAction[];
  issues: readonly DataIssue[];
}

/**
 * Bars, corporate actions, data issues and ingest runs in SQLite. The methods are the store port of
 * the ingest stage; a PostgreSQL implementation would offer the same ones.
 */
export class MarketStore {
  constructor(private readonly db: Db) {}

  lastBar(symbol: string): Bar | null {
    const row = this.db
      .prepare('SELECT date, open, high, low, close, adj_close AS adjClose, volume FROM bars WHERE symbol = ? ORDER BY date DESC LIMIT 1')
      .get(symbol) as Bar | undefined;
    return row ?? null;
  }

  actions(symbol: string): CorporateAction[] {
    return this.db.prepare('SELECT date, kind, value FROM corporate_actions WHERE symbol = ? ORDER BY date').all(symbol) as CorporateAction[];
  }

  /**
   * Store one symbol's batch and add its row count to the ingest run, atomically: a kill at any
   * moment leaves either all of it or none. Re-storing the same rows changes nothing.
   * Returns the number of bars actually added.
   */
  saveSymbolBatch(batch: SymbolBatch, runId: number): number {
    return inWriteTransaction(this.db, () => {
      const now = nowIso();
      this.db
        .prepare(`INSERT INTO symbols (symbol, source, updated_at) VALUES (?, ?, ?)
                  ON CONFLICT(symbol) DO UPDATE SET updated_at = excluded.updated_at`)
        .run(batch.symbol, batch.source, now);
      const insertBar = this.db.prepare(
        `INSERT INTO bars (symbol, date, open, high, low, close, adj_close, volume, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(symbol, date) DO NOTHING`,
      );
      let added = 0;
      for (const b of batch.bars) {
        added += insertBar.run(batch.symbol, b.date, b.open, b.high, b.low, b.close, b.adjClose, b.volume, batch.source).changes;
      }
      const insertAction = this.db.prepare(
        `INSERT INTO corporate_actions (symbol, date, kind, value, source) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(symbol, date, kind) DO NOTHING`,
      );
      for (const a of batch.actions) insertAction.run(batch.symbol, a.date, a.kind, a.value, batch.source);
      const insertIssue = this.db.prepare(
        `INSERT INTO data_issues (symbol, date, kind, severity, detail, source, found_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(symbol, date, kind, detail) DO NOTHING`,
      );
      for (const i of batch.issues) insertIssue.run(batch.symbol, i.date, i.kind, i.severity, i.detail, batch.source, now);
      if (added > 0) {
        this.db
          .prepare(`UPDATE symbols SET
                      first_date = (SELECT MIN(date) FROM bars WHERE symbol = @symbol),
                      last_date  = (SELECT MAX(date) FROM bars WHERE symbol = @symbol),
                      rows       = (SELECT COUNT(*) FROM bars WHERE symbol = @symbol),
                      source     = @source
                    WHERE symbol = @symbol`)
          .run({ symbol: batch.symbol, source: batch.source });
      }
      this.db.prepare('UPDATE ingest_runs SET rows_added = rows_added + ? WHERE id = ?').run(added, runId);
      return added;
    });
  }

  startIngestRun(source: string, symbols: readonly string[]): number {
    return inWriteTransaction(this.db, () =>
      Number(
        this.db
          .prepare(`INSERT INTO ingest_runs (started_at, source, symbols, outcome) VALUES (?, ?, ?, 'running')`)
          .run(nowIso(), source, symbols.join(',')).lastInsertRowid,
      ),
    );
  }

  finishIngestRun(runId: number, outcome: 'ok' | 'partial' | 'failed', detail: string | null): void {
    inWriteTransaction(this.db, () => {
      this.db.prepare('UPDATE ingest_runs SET finished_at = ?, outcome = ?, detail = ? WHERE id = ?').run(nowIso(), outcome, detail, runId);
    });
  }

  listSymbols(): SymbolSummary[] {
    return this.db
      .prepare(
        `SELECT s.symbol, s.first_date AS first, s.last_date AS last, s.rows,
                (SELECT COUNT(*) FROM data_issues i WHERE i.symbol = s.symbol) AS issues
         FROM symbols s ORDER BY s.symbol`,
      )
      .all() as SymbolSummary[];
  }

  summary(symbol: string): SymbolSummary | null {
    return this.listSymbols().find((s) => s.symbol === symbol) ?? null;
  }

  issues(symbols?: readonly string[]): StoredIssue[] {
    const rows = this.db
      .prepare(
        `SELECT symbol, date, kind, severity, detail, source, found_at AS foundAt FROM data_issues ORDER BY symbol, date, kind`,
      )
      .all() as StoredIssue[];
    return symbols && symbols.length ? rows.filter((r) => symbols.includes(r.symbol)) : rows;
  }

  /** Bars of one symbol in [from, to] (inclusive, either may be null), ascending. */
  bars(symbol: string, from: string | null = null, to: string | null = null): Bar[] {
    return this.db
      .prepare(
        `SELECT date, open, high, low, close, adj_close AS adjClose, volume FROM bars
         WHERE symbol = ? AND date >= ? AND date <= ? ORDER BY date`,
      )
      .all(symbol, from ?? '0000-00-00', to ?? '9999-99-99') as Bar[];
  }

  /** The last bar of a symbol on or before a date, or null. */
  barOnOrBefore(symbol: string, date: string): Bar | null {
    const row = this.db
      .prepare('SELECT date, open, high, low, close, adj_close AS adjClose, volume FROM bars WHERE symbol = ? AND date <= ? ORDER BY date DESC LIMIT 1')
      .get(symbol, date) as Bar | undefined;
    return row ?? null;
  }

  latestDate(): string | null {
    const r = this.db.prepare('SELECT MAX(date) AS d FROM bars').get() as { d: string | null };
    return r.d;
  }
}
