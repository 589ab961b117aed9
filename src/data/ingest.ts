import { addDays } from '../domain/dates.js';
import type { MarketStore } from '../store/marketStore.js';
import { log } from '../log/logger.js';
import { checkBars, isRejection, type QualityOptions } from './quality.js';
import type { DataSource, FetchRequest } from './source.js';

export interface IngestOptions {
  symbols: readonly string[];
  /** User window (inclusive); null = from `defaultFrom` on a first ingest, to the latest available. */
  from: string | null;
  to: string | null;
  defaultFrom: string;
  quality: QualityOptions;
  onSymbolDone?: (report: SymbolReport) => void;
}

export interface SymbolReport {
  symbol: string;
  added: number;
  first: string | null;
  last: string | null;
  issues: number;
  rejected: number;
  error: string | null;
  /** The error was the user's input (a malformed file, an unknown symbol), not an outage. */
  inputError: boolean;
}

export interface IngestResult {
  runId: number;
  symbols: SymbolReport[];
}

/**
 * Fetch, check and store each symbol. Incremental: a symbol already stored is fetched only after
 * its last stored date. Each symbol is committed in its own transaction, so a failure (or a kill)
 * loses at most the symbol in flight and the others go on.
 */
export async function ingest(store: MarketStore, source: DataSource, opts: IngestOptions): Promise<IngestResult> {
  const runId = store.startIngestRun(source.name, opts.symbols);
  const reports = new Map<string, SymbolReport>();
  const requests: FetchRequest[] = [];
  const lastStored = new Map(opts.symbols.map((s) => [s, store.lastBar(s)]));

  for (const symbol of opts.symbols) {
    const last = lastStored.get(symbol) ?? null;
    const after = last ? addDays(last.date, 1) : null;
    const from = after ? (opts.from && opts.from > after ? opts.from : after) : (opts.from ?? opts.defaultFrom);
    if (opts.to !== null && from > opts.to) {
      finish(symbol, { added: 0, issues: 0, rejected: 0, error: null, inputError: false });
      log().debug({ symbol, last: last?.date }, 'up to date, nothing to fetch');
      continue;
    }
    requests.push({ symbol, from, to: opts.to });
  }

  function finish(symbol: string, r: Omit<SymbolReport, 'symbol' | 'first' | 'last'>): void {
    const summary = store.summary(symbol);
    const report: SymbolReport = { symbol, first: summary?.first ?? null, last: summary?.last ?? null, ...r };
    reports.set(symbol, report);
    opts.onSymbolDone?.(report);
  }

  if (requests.length > 0) {
    for await (const outcome of source.fetchDaily(requests)) {
      const { symbol } = outcome;
      if (!outcome.ok) {
        const inputError = (outcome.error as { exitCode?: number }).exitCode === 2;
        log().debug({ symbol, err: outcome.error }, 'fetch failed');
        finish(symbol, { added: 0, issues: 0, rejected: 0, error: oneLine(outcome.error.message), inputError });
        continue;
      }
      if (outcome.result.bars.length === 0 && !lastStored.get(symbol)) {
        const req = requests.find((r) => r.symbol === symbol)!;
        finish(symbol, { added: 0, issues: 0, rejected: 0, error: `no bars from ${source.name} for ${req.from ?? 'the start'}..${req.to ?? 'now'} (unknown symbol?)`, inputError: true });
        continue;
      }
      try {
        const known = [...store.actions(symbol), ...outcome.result.actions];
        const checked = checkBars(symbol, outcome.result.bars, lastStored.get(symbol) ?? null, known, opts.quality);
        const added = store.saveSymbolBatch(
          { symbol, source: source.name, bars: checked.accepted, actions: outcome.result.actions, issues: checked.issues },
          runId,
        );
        const rejected = checked.issues.filter(isRejection).length;
        finish(symbol, { added, issues: checked.issues.length, rejected, error: null, inputError: false });
      } catch (err) {
        log().debug({ symbol, err }, 'store failed');
        finish(symbol, { added: 0, issues: 0, rejected: 0, error: oneLine((err as Error).message), inputError: false });
      }
    }
  }

  const symbols = opts.symbols.map(
    (s) => reports.get(s) ?? { symbol: s, added: 0, first: null, last: null, issues: 0, rejected: 0, error: 'the source returned nothing for this symbol', inputError: false },
  );
  const failed = symbols.filter((s) => s.error !== null);
  store.finishIngestRun(
    runId,
    failed.length === 0 ? 'ok' : failed.length === symbols.length ? 'failed' : 'partial',
    failed.length ? failed.map((f) => `${f.symbol}: ${f.error}`).join('; ') : null,
  );
  return { runId, symbols };
}

function oneLine(s: string): string {
  return s.split('\n')[0].trim();
}
