import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { copyBundled, runAegis, spawnAegis, tempDir } from '../helpers/cli.js';

const SYMBOLS = ['SPY', 'QQQ', 'DIA', 'IWM', 'GLD', 'TLT', 'XLE', 'XLF', 'XLK', 'XLV', 'AAPL', 'MSFT', 'JPM', 'KO', 'PG', 'XOM'];

type Snapshot = Record<string, { n: number; first: string; last: string; sum: number }>;

function snapshot(db: string): Snapshot {
  const conn = new Database(db, { readonly: true });
  const rows = conn.prepare('SELECT symbol, COUNT(*) n, MIN(date) first, MAX(date) last, SUM(close) sum FROM bars GROUP BY symbol').all() as ({ symbol: string } & Snapshot[string])[];
  conn.close();
  return Object.fromEntries(rows.map(({ symbol, ...rest }) => [symbol, rest]));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SIGKILL during ingest', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());
  const csv = copyBundled(SYMBOLS, join(t.dir, 'csv'));
  const args = (db: string) => ['ingest', SYMBOLS.join(','), '--source', 'csv', '--csv-dir', csv, '--db', db, '--quiet'];

  it('leaves a sound database with whole symbols only, and a rerun ends equal to an uninterrupted run', async () => {
    const ref = join(t.dir, 'ref.sqlite');
    expect(runAegis(args(ref)).code).toBe(0);
    const expected = snapshot(ref);
    expect(Object.keys(expected)).toHaveLength(SYMBOLS.length);

    let killedMidRun = 0;
    // Kill once some symbols are committed: after 1, 4, 8 and 12 of them.
    for (const after of [1, 4, 8, 12]) {
      const db = join(t.dir, `kill-${after}.sqlite`);
      const child = spawnAegis(args(db));
      const exited = new Promise((r) => child.on('exit', r));
      let stored = 0;
      for (let i = 0; i < 2000 && stored < after; i++) {
        await sleep(5);
        if (!existsSync(db)) continue;
        try {
          const conn = new Database(db, { readonly: true, fileMustExist: true });
          stored = (conn.prepare("SELECT COUNT(*) n FROM sqlite_master WHERE name='symbols'").get() as { n: number }).n
            ? (conn.prepare('SELECT COUNT(*) n FROM symbols').get() as { n: number }).n
            : 0;
          conn.close();
        } catch {
          // The file is being created; try again.
        }
      }
      child.kill('SIGKILL');
      await exited;

      const conn = new Database(db);
      expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
      // No partial symbol batch: each stored symbol has all its rows, its summary agrees with its bars.
      const partial = snapshot(db);
      for (const [symbol, s] of Object.entries(partial)) expect(s, symbol).toEqual(expected[symbol]);
      const summaries = conn.prepare('SELECT symbol, rows FROM symbols').all() as { symbol: string; rows: number }[];
      for (const s of summaries) expect(s.rows).toBe(partial[s.symbol]?.n ?? 0);
      const run = conn.prepare('SELECT rows_added, outcome FROM ingest_runs').get() as { rows_added: number; outcome: string };
      expect(run.rows_added).toBe(Object.values(partial).reduce((a, s) => a + s.n, 0));
      conn.close();
      if (Object.keys(partial).length > 0 && Object.keys(partial).length < SYMBOLS.length) killedMidRun += 1;

      const rerun = runAegis(args(db));
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(snapshot(db)).toEqual(expected);
    }
    // The test means something only if kills landed in the middle of runs.
    expect(killedMidRun).toBeGreaterThanOrEqual(3);
  });
});
