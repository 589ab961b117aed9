import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { YahooSource } from '../../src/data/yahooSource.js';
import type { FetchOutcome, FetchRequest } from '../../src/data/source.js';
import { ingest } from '../../src/data/ingest.js';
import { openDb } from '../../src/store/db.js';
import { MarketStore } from '../../src/store/marketStore.js';
import { InputError, TemporaryError } from '../../src/domain/errors.js';
import { startLoopback, type Loopback } from '../helpers/loopback.js';
import { ROOT } from '../helpers/cli.js';

interface Fixture {
  response: { status: number; statusText: string; headers: Record<string, string>; bodyJson: { chart: { result: Record<string, unknown>[] } } };
}
const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/yahoo', name), 'utf8')) as Fixture;
const SPLIT = 'chart-AAPL-2020-08-31-to-2020-11-07.json';

/** A fetch that replays recorded chart fixtures by symbol, logging every URL it is asked for. */
function replayFetch(files: Record<string, string>, urls: string[]): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0]) => {
    const url = String(input instanceof Request ? input.url : input);
    urls.push(url);
    const symbol = /\/v8\/finance\/chart\/([^?]+)/.exec(url)?.[1];
    const file = symbol ? files[decodeURIComponent(symbol)] : undefined;
    if (!file) return new Response('not found', { status: 404 });
    const fx = fixture(file);
    return new Response(JSON.stringify(fx.response.bodyJson), { status: fx.response.status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

const RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000 };

async function collect(src: YahooSource, reqs: FetchRequest[]): Promise<FetchOutcome[]> {
  const out: FetchOutcome[] = [];
  for await (const o of src.fetchDaily(reqs)) out.push(o);
  return out;
}

describe('yahoo source with recorded responses', () => {
  it('reads daily bars, the 4:1 split and the dividend, with exchange dates, from one chart request', async () => {
    const urls: string[] = [];
    const src = new YahooSource({ retry: RETRY, concurrency: 1, fetch: replayFetch({ AAPL: SPLIT }, urls) });
    const [o] = await collect(src, [{ symbol: 'AAPL', from: '2020-08-31', to: '2020-11-06' }]);
    if (!o.ok) throw o.error;
    const { bars, actions } = o.result;
    expect(bars).toHaveLength(49);
    expect(bars[0]).toMatchObject({ date: '2020-08-31', high: 131, low: 126 });
    expect(bars[0].close).toBeCloseTo(129.04, 2);
    expect(bars[0].adjClose).toBeLessThan(bars[0].close); // dividends adjust adjclose only
    expect(bars.at(-1)!.date).toBe('2020-11-06');
    expect(actions).toEqual([
      { date: '2020-08-31', kind: 'split', value: 4 },
      { date: '2020-11-06', kind: 'dividend', value: 0.205 },
    ]);
    // yahoo-finance2 made exactly one request: the chart call (no cookie, crumb, notice or version check).
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(/^https:\/\/query\d\.finance\.yahoo\.com\/v8\/finance\/chart\/AAPL\?.*interval=1d.*events=div%7Csplit/);
  });

  it('drops the null rows Yahoo pads with', async () => {
    const fx = fixture(SPLIT);
    const res = fx.response.bodyJson.chart.result[0] as { indicators: { quote: Record<string, (number | null)[]>[] } };
    for (const k of ['open', 'high', 'low', 'close', 'volume']) res.indicators.quote[0][k][3] = null;
    const fetchNulls = (async () => new Response(JSON.stringify(fx.response.bodyJson), { status: 200, headers: { 'content-type': 'application/json' } })) as unknown as typeof fetch;
    const src = new YahooSource({ retry: RETRY, concurrency: 1, fetch: fetchNulls });
    const [o] = await collect(src, [{ symbol: 'AAPL', from: '2020-08-31', to: '2020-11-06' }]);
    if (!o.ok) throw o.error;
    expect(o.result.bars).toHaveLength(48);
    expect(o.result.bars.map((b) => b.date)).not.toContain('2020-09-03');
  });

  it('ingests into a real database: bars, actions, no findings; a rerun adds nothing', async () => {
    const db = openDb(':memory:');
    const store = new MarketStore(db);
    const src = new YahooSource({ retry: RETRY, concurrency: 2, fetch: replayFetch({ AAPL: SPLIT, QQQ: 'chart-QQQ-2020-01-01-to-2020-01-03.json' }, []) });
    const opts = { symbols: ['AAPL', 'QQQ'], from: null, to: '2020-11-06', defaultFrom: '2020-01-01', quality: { maxDailyMove: 0.35, priceTolerance: 1e-6 } };
    const r = await ingest(store, src, opts);
    expect(r.symbols.map((s) => [s.symbol, s.added, s.error])).toEqual([['AAPL', 49, null], ['QQQ', 1, null]]);
    expect(store.actions('AAPL')).toEqual([
      { date: '2020-08-31', kind: 'split', value: 4 },
      { date: '2020-11-06', kind: 'dividend', value: 0.205 },
    ]);
    const again = await ingest(store, src, opts);
    expect(again.symbols.map((s) => s.added)).toEqual([0, 0]);
    db.close();
  });
});

describe('yahoo source against a loopback server with faults', () => {
  let server: Loopback;
  let script: ((res: import('node:http').ServerResponse) => void)[] = [];
  let hits = 0;
  beforeAll(async () => {
    server = await startLoopback((_req, res) => {
      hits += 1;
      const next = script.shift();
      if (next) return next(res);
      const fx = fixture(SPLIT);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(fx.response.bodyJson));
    });
  });
  afterAll(() => server.close());

  /** The real client, with its requests sent to the loopback server instead of Yahoo. */
  const loopbackFetch: typeof fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    fetch(String(input).replace(/^https:\/\/query\d\.finance\.yahoo\.com/, server.url), init)) as typeof fetch;
  const run = async (timeoutMs = 2000) => {
    hits = 0;
    const src = new YahooSource({ retry: { ...RETRY, timeoutMs }, concurrency: 1, fetch: loopbackFetch });
    const [o] = await collect(src, [{ symbol: 'AAPL', from: '2020-08-31', to: '2020-11-06' }]);
    return o;
  };
  const tooMany = (res: import('node:http').ServerResponse) => {
    res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '0' });
    res.end('Too Many Requests');
  };

  it('retries a 429 with a text body, then succeeds', async () => {
    script = [tooMany, tooMany];
    const o = await run();
    expect(o.ok).toBe(true);
    expect(hits).toBe(3);
  });

  it('gives up after the configured attempts with a clear temporary error', async () => {
    script = [tooMany, tooMany, tooMany];
    const o = await run();
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.error).toBeInstanceOf(TemporaryError);
    expect(o.error.message).toMatch(/HTTP 429: Too Many Requests.*gave up after 3 attempt/);
    expect(hits).toBe(3);
  });

  it('a 404 "no data" is the user\'s input and is not retried', async () => {
    script = [
      (res) => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } } }));
      },
    ];
    const o = await run();
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.error).toBeInstanceOf(InputError);
    expect(o.error.message).toBe('AAPL: Yahoo has no data for this symbol (delisted or misspelled?)');
    expect(hits).toBe(1);
  });

  it('a body that fails validation fails the symbol without retrying', async () => {
    script = [
      (res) => {
        const body = fixture(SPLIT).response.bodyJson;
        const meta = (body.chart.result[0] as { meta: Record<string, unknown> }).meta;
        delete meta.currency;
        meta.regularMarketPrice = 'not a number';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      },
    ];
    const o = await run();
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.error.message).toMatch(/AAPL: Yahoo's answer failed validation, nothing stored/);
    expect(hits).toBe(1);
  });

  it('a hung request times out and is retried, then reported', async () => {
    script = [() => {}, () => {}, () => {}];
    const started = Date.now();
    const o = await run(200);
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.error).toBeInstanceOf(TemporaryError);
    expect(o.error.message).toMatch(/timed out after 200 ms \(3 attempt\(s\)\)/);
    expect(hits).toBe(3);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
