import type { CorporateAction } from '../domain/types.js';

/**
 * A bar as a provider gave it, before the quality checks: numbers may be NaN or nonsense, dates may
 * repeat or go backwards. `where` locates it for error messages (a file and line for CSV).
 */
export interface RawBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  adjClose: number;
  volume: number;
  where?: string;
}

/** One symbol's fetch window; dates inclusive, YYYY-MM-DD. `from` null means "all history". */
export interface FetchRequest {
  symbol: string;
  from: string | null;
  to: string | null;
}

export interface FetchResult {
  bars: RawBar[];
  actions: CorporateAction[];
}

export type FetchOutcome =
  | { symbol: string; ok: true; result: FetchResult }
  | { symbol: string; ok: false; error: Error };

/**
 * The port every price source implements. A source may batch requests (Alpaca fetches many
 * symbols per call) and yields one outcome per requested symbol, in any order; a failure of one
 * symbol is an outcome, not an exception, so the others go on.
 */
export interface DataSource {
  readonly name: 'yahoo' | 'alpaca' | 'csv';
  fetchDaily(requests: readonly FetchRequest[]): AsyncIterable<FetchOutcome>;
}

/** Keep only bars inside the request window (providers sometimes return a day either side). */
export function withinWindow(bar: { date: string }, req: FetchRequest): boolean {
  return (req.from === null || bar.date >= req.from) && (req.to === null || bar.date <= req.to);
}
