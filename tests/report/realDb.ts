/**
 * A real database for the report tests, built through the real CLI on bundled data: ingest, a tiny
 * evolution with two species and two EM iterations, a backtest of its run and (optionally) a tiny
 * walk-forward. Small budgets: the point is the plumbing, not the strategies.
 */
import { join } from 'node:path';
import { copyBundled, runAegis, ROOT, type CliResult } from '../helpers/cli.js';

/** The symbols evolved and traded. */
export const TRADED = 'SPY,QQQ,TLT,GLD';
/** Ingested: the traded ones, and two with data-quality findings (UUP has 3, AMD 2). */
export const INGESTED = `${TRADED},UUP,AMD`;

/** The ids a fresh database gets from {@link buildRealDb}. */
export const IDS = { run: 1, single: 1, walkForward: 2, foldRuns: [2, 3, 4, 5, 6] } as const;

/** The CLI, as a user runs it. */
export const REPORT_CLI = join(ROOT, 'bin', 'aegis.js');

export function must(r: CliResult, what: string): CliResult {
  if (r.code !== 0) throw new Error(`${what} failed with exit code ${r.code}: ${r.stderr}`);
  return r;
}

/** Ingests the bundled CSVs of `symbols` into `db`. */
export function ingest(dir: string, db: string, symbols = INGESTED): void {
  const csv = copyBundled(symbols.split(','), join(dir, 'csv'));
  must(runAegis(['ingest', symbols, '--source', 'csv', '--csv-dir', csv, '--db', db, '--quiet']), 'ingest');
}

/**
 * Builds the database in `dir` and returns its path and the JSON printed by the backtests.
 * Run 1 (evolve), backtest 1 (single, of run 1); with walkForward, backtest 2 over runs 2..6.
 */
export function buildRealDb(dir: string, opts: { walkForward: boolean }): { db: string; single: Record<string, unknown>; walkForward: Record<string, unknown> | null } {
  const db = join(dir, 'real.sqlite');
  ingest(dir, db);
  const common = ['--grammar', 'default', '--symbols', TRADED, '--db', db, '--quiet'];
  must(
    runAegis(['evolve', ...common, '--from', '2005-01-01', '--to', '2018-12-31', '--population', '40', '--generations', '3', '--species', '2', '--em-iterations', '2', '--seed', '5']),
    'evolve',
  );
  const single = JSON.parse(must(runAegis(['backtest', '--run', '1', '--check-lookahead', '--db', db, '--quiet', '--json']), 'backtest --run 1').stdout);
  const walkForward = opts.walkForward
    ? JSON.parse(
        must(
          runAegis(['backtest', '--walk-forward', ...common, '--train', '5y', '--test', '2y', '--from', '2006-01-01', '--to', '2020-12-31', '--population', '30', '--generations', '2', '--seed', '1', '--json']),
          'backtest --walk-forward',
        ).stdout,
      )
    : null;
  return { db, single, walkForward };
}
