import { marketData, withResponse } from '@alpacahq/alpaca-trade-api';
import { addDays } from '../domain/dates.js';
import { exchangeDate } from '../domain/calendar.js';
import { registerSecret, log } from '../log/logger.js';
import { withRetry, type RetryOptions } from '../net/retry.js';
import { alpacaKeysFromEnv, classifyAlpacaError } from './alpacaErrors.js';
import type { DataSource, FetchOutcome, FetchRequest, RawBar } from './source.js';
import { withinWindow } from './source.js';

export interface AlpacaDataOptions {
  baseUrl: string;
  feed: 'iex' | 'sip';
  symbolsPerRequest: number;
  requestsPerMinute: number;
  pageLimit: number;
  retry: Omit<RetryOptions, 'label'>;
}

/**
 * Alpaca market-data v2 daily bars, many symbols per request, following next_page_token to the
 * end, split- and dividend-adjusted (adjustment=all). Requests are paced to the plan's rate limit
 * and pause when X-RateLimit-Remaining reaches 0 until X-RateLimit-Reset.
 */
export class AlpacaSource implements DataSource {
  readonly name = 'alpaca' as const;
  private readonly api: InstanceType<typeof marketData.StockApi>;
  private readonly pacer: Pacer;

  constructor(private readonly opts: AlpacaDataOptions) {
    const { keyId, secret } = alpacaKeysFromEnv();
    registerSecret(keyId);
    registerSecret(secret);
    this.api = new marketData.StockApi(
      new marketData.Configuration({ basePath: opts.baseUrl.replace(/\/+$/, ''), keyId, secret, timeoutMs: 0 }),
    );
    this.pacer = new Pacer(opts.requestsPerMinute);
  }

  async *fetchDaily(requests: readonly FetchRequest[]): AsyncIterable<FetchOutcome> {
    // One request carries one window for all its symbols: group symbols that share a window.
    const groups = new Map<string, FetchRequest[]>();
    for (const r of requests) {
      const key = `${r.from}|${r.to}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += this.opts.symbolsPerRequest) {
        const chunk = group.slice(i, i + this.opts.symbolsPerRequest);
        try {
          const bars = await this.fetchChunk(chunk);
          for (const r of chunk) {
            yield { symbol: r.symbol, ok: true, result: { bars: (bars.get(r.symbol) ?? []).filter((b) => withinWindow(b, r)), actions: [] } };
          }
        } catch (error) {
          for (const r of chunk) yield { symbol: r.symbol, ok: false, error: error as Error };
        }
      }
    }
  }

  private async fetchChunk(chunk: readonly FetchRequest[]): Promise<Map<string, RawBar[]>> {
    const { from, to } = chunk[0];
    const out = new Map<string, RawBar[]>();
    const label = `alpaca bars ${chunk.length === 1 ? chunk[0].symbol : `${chunk[0].symbol}..(${chunk.length})`}`;
    let pageToken: string | undefined;
    let pages = 0;
    do {
      await this.pacer.wait();
      const res = await withRetry({ ...this.opts.retry, label }, async (signal) => {
        try {
          return await withResponse(
            this.api.stockBarsRaw(
              {
                symbols: chunk.map((r) => r.symbol).join(','),
                timeframe: '1Day',
                start: new Date(`${from ?? '1970-01-02'}T00:00:00Z`),
                // end is inclusive at the instant given: the end of the `to` day in New York is before this.
                ...(to ? { end: new Date(`${addDays(to, 1)}T00:00:00Z`) } : {}),
                adjustment: 'all',
                feed: this.opts.feed,
                limit: this.opts.pageLimit,
                sort: 'asc',
                ...(pageToken ? { pageToken } : {}),
              },
              { signal },
            ),
          );
        } catch (err) {
          throw classifyAlpacaError(err, label);
        }
      });
      pages += 1;
      for (const [symbol, bars] of Object.entries(res.data.bars ?? {})) {
        const list = out.get(symbol) ?? [];
        for (const b of bars) {
          const t = b.t instanceof Date ? b.t : new Date(String(b.t));
          list.push({ date: exchangeDate(t, 'America/New_York'), open: b.o, high: b.h, low: b.l, close: b.c, adjClose: b.c, volume: b.v, where: `${label} page ${pages}` });
        }
        out.set(symbol, list);
      }
      pageToken = res.data.nextPageToken ?? undefined;
      const rl = res.rateLimit;
      if (rl && rl.remaining !== undefined && rl.remaining <= 0 && rl.reset) {
        const waitMs = Math.min(Math.max(0, rl.reset.getTime() - Date.now()), 60_000);
        log().info({ waitMs }, 'alpaca rate limit reached; waiting for the reset');
        await sleep(waitMs);
      }
    } while (pageToken);
    return out;
  }
}

/** Spaces requests evenly so that no more than `perMinute` start in any minute. */
class Pacer {
  private nextAt = 0;
  constructor(private readonly perMinute: number) {}
  async wait(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + 60_000 / this.perMinute;
    if (at > now) await sleep(at - now);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
