import YahooFinance from 'yahoo-finance2';
import { AegisError, InputError, TemporaryError } from '../domain/errors.js';
import { addDays, todayUtc } from '../domain/dates.js';
import type { CorporateAction } from '../domain/types.js';
import { exchangeDate } from '../domain/calendar.js';
import { retryAfterMs, withRetry, type RetryOptions } from '../net/retry.js';
import type { DataSource, FetchOutcome, FetchRequest, FetchResult, RawBar } from './source.js';
import { withinWindow } from './source.js';
import { mapConcurrent } from './concurrency.js';

export interface YahooOptions {
  retry: Omit<RetryOptions, 'label'>;
  concurrency: number;
  /** The fetch used for every request (tests inject a replaying or loopback one). */
  fetch?: typeof fetch;
}

/** A non-2xx answer from Yahoo, with its status and the delay it asked for. */
export class YahooHttpError extends Error {
  override name = 'YahooHttpError';
  constructor(
    readonly status: number,
    readonly body: string,
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP ${status}: ${body.trim().slice(0, 200) || '(empty body)'}`);
  }
}

/**
 * Daily bars, splits and dividends from Yahoo through yahoo-finance2's chart() (the supported
 * endpoint; historical() is deprecated). The client is set up to make no request of its own
 * beyond the chart call: no version check (it would call the npm registry after a validation
 * failure), no notices, no logging to the console.
 */
export class YahooSource implements DataSource {
  readonly name = 'yahoo' as const;
  private readonly yf: InstanceType<typeof YahooFinance>;

  constructor(private readonly opts: YahooOptions) {
    const inner = opts.fetch ?? globalThis.fetch;
    this.yf = new YahooFinance({
      // Every non-2xx answer becomes an error that keeps its status and Retry-After (the library
      // would otherwise print the URL to the console and drop both).
      fetch: (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
        const res = await inner(input, init);
        if (!res.ok) throw new YahooHttpError(res.status, await res.text(), retryAfterMs(res.headers.get('retry-after')));
        return res;
      }) as typeof fetch,
      suppressNotices: ['yahooSurvey', 'ripHistorical'],
      versionCheck: false,
      validation: { logErrors: false, logOptionsErrors: false },
      logger: { info() {}, warn() {}, error() {}, debug() {}, dir() {} },
    });
  }

  fetchDaily(requests: readonly FetchRequest[]): AsyncIterable<FetchOutcome> {
    return mapConcurrent(requests, this.opts.concurrency, async (req) => {
      try {
        const result = await withRetry({ ...this.opts.retry, label: `yahoo ${req.symbol}` }, (signal) => this.fetchOne(req, signal));
        return { symbol: req.symbol, ok: true, result } as const;
      } catch (error) {
        return { symbol: req.symbol, ok: false, error: error as Error } as const;
      }
    });
  }

  private async fetchOne(req: FetchRequest, signal: AbortSignal): Promise<FetchResult> {
    // period2 is exclusive: the day after `to`, or tomorrow for "up to the latest".
    const period1 = req.from ?? '1970-01-02';
    const period2 = addDays(req.to ?? todayUtc(), 1);
    let chart;
    try {
      chart = await this.yf.chart(
        req.symbol,
        { period1, period2, interval: '1d', events: 'div|split', includePrePost: false },
        { fetchOptions: { signal } },
      );
    } catch (err) {
      throw classify(err, req.symbol);
    }
    const tz = chart.meta.exchangeTimezoneName || 'America/New_York';
    const bars: RawBar[] = [];
    for (const q of chart.quotes) {
      // Yahoo pads holidays and halted days with rows of nulls: not bars.
      if (q.open === null || q.high === null || q.low === null || q.close === null) continue;
      const bar: RawBar = {
        date: exchangeDate(q.date, tz),
        open: q.open,
        high: q.high,
        low: q.low,
        close: q.close,
        adjClose: q.adjclose ?? q.close,
        volume: q.volume ?? 0,
        where: `yahoo ${req.symbol} ${q.date.toISOString()}`,
      };
      if (withinWindow(bar, req)) bars.push(bar);
    }
    const actions: CorporateAction[] = [
      ...(chart.events?.splits ?? []).map((s) => ({ date: exchangeDate(s.date, tz), kind: 'split' as const, value: s.numerator / s.denominator })),
      ...(chart.events?.dividends ?? []).map((d) => ({ date: exchangeDate(d.date, tz), kind: 'dividend' as const, value: d.amount })),
    ].filter((a) => withinWindow(a, req) && Number.isFinite(a.value) && a.value > 0);
    return { bars, actions };
  }
}

/** Sort Yahoo's failures into temporary (retried), the user's input, and the rest. */
function classify(err: unknown, symbol: string): Error {
  if (err instanceof YahooHttpError) {
    if (err.status === 429 || err.status === 408 || err.status >= 500) {
      return new TemporaryError(`Yahoo ${err.message}`, { cause: err, retryAfterMs: err.retryAfterMs });
    }
    if (err.status === 404) return new InputError(`${symbol}: Yahoo has no data for this symbol (delisted or misspelled?)`, { cause: err });
    return new AegisError(`${symbol}: Yahoo answered ${err.message}`, { cause: err });
  }
  const e = err as { name?: string; message?: string; errors?: unknown[] };
  if (e?.name === 'FailedYahooValidationError') {
    const first = Array.isArray(e.errors) && e.errors.length ? JSON.stringify(e.errors[0]).slice(0, 160) : '';
    return new AegisError(`${symbol}: Yahoo's answer failed validation, nothing stored ${first}`, { cause: err });
  }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return new TemporaryError(`request aborted (${e.name})`, { cause: err });
  if (err instanceof TypeError && err.message === 'fetch failed') return new TemporaryError(`network error: ${String((err.cause as Error)?.message ?? err.message)}`, { cause: err });
  if (e?.name === 'BadRequestError') return new InputError(`${symbol}: Yahoo rejected the request: ${e.message}`, { cause: err });
  if (typeof e?.message === 'string' && /no data found|delisted/i.test(e.message)) {
    return new InputError(`${symbol}: Yahoo has no data for this symbol (delisted or misspelled?)`, { cause: err });
  }
  return err instanceof Error ? new AegisError(`${symbol}: ${err.message.split('\n')[0]}`, { cause: err }) : new AegisError(String(err));
}
