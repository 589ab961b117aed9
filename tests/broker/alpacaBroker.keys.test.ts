import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createAlpacaBroker, endpointKindFromUrl, keyKindFromId } from '../../src/broker/alpacaBroker.js';
import { clientOrderId } from '../../src/broker/clientOrderId.js';
import { OrderRejectedError, type OrderRequest } from '../../src/broker/types.js';
import { InputError } from '../../src/domain/errors.js';
import { createdThenDropped, hang, on, rateLimited, serverError } from '../helpers/fakeAlpaca.js';
import { FAST, failure, useFakeBroker } from './setup.js';

const CANARY_KEY = 'PKCANARYKEYID7719';
const CANARY_SECRET = 'canary-secret-Zq81x-never-shown';

function order(symbol = 'SPY', deploymentId = 1): OrderRequest {
  return { clientOrderId: clientOrderId({ deploymentId, tradingDay: '2026-06-10', symbol, side: 'buy' }), symbol, side: 'buy', notional: 100, type: 'market', timeInForce: 'day' };
}

describe('paper/live key and endpoint sanity', () => {
  it('tells paper keys (PK...) from live keys (AK...), and the paper host from the live host', () => {
    expect(keyKindFromId('PKABCDEF123')).toBe('paper');
    expect(keyKindFromId('AKABCDEF123')).toBe('live');
    expect(keyKindFromId('XYZ')).toBe('unknown');
    expect(endpointKindFromUrl('https://paper-api.alpaca.markets')).toBe('paper');
    expect(endpointKindFromUrl('https://api.alpaca.markets/')).toBe('live');
    expect(endpointKindFromUrl('http://127.0.0.1:1234')).toBe('unknown');
    expect(endpointKindFromUrl('not a url')).toBe('unknown');
  });

  const env = (vars: Record<string, string | undefined>, fn: () => void) => {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    try {
      fn();
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  };
  const make = (mode: 'paper' | 'live', baseUrl: string) => () => createAlpacaBroker({ mode, baseUrl, ...FAST });

  it('refuses a key or an endpoint of the other environment, naming the kind, never the key', () => {
    env({ APCA_API_KEY_ID: 'PKPAPERKEY00042', APCA_API_SECRET_KEY: 'secret-value-0042', APCA_API_BASE_URL: undefined }, () => {
      expect(make('live', 'https://api.alpaca.markets')).toThrow(InputError);
      expect(make('live', 'https://api.alpaca.markets')).toThrow(/mode is live but APCA_API_KEY_ID is a paper key/);
      expect(make('live', 'https://api.alpaca.markets')).not.toThrow(/PKPAPERKEY00042/);
      expect(make('paper', 'https://paper-api.alpaca.markets')().mode).toBe('paper');
    });
    env({ APCA_API_KEY_ID: 'AKLIVEKEY000042', APCA_API_SECRET_KEY: 'secret-value-0042', APCA_API_BASE_URL: undefined }, () => {
      expect(make('paper', 'https://paper-api.alpaca.markets')).toThrow(/mode is paper but APCA_API_KEY_ID is a live key/);
      expect(make('live', 'https://paper-api.alpaca.markets')).toThrow(/mode is live but the trading URL .* is Alpaca's paper endpoint/);
      const live = make('live', 'https://api.alpaca.markets')();
      expect(live.mode).toBe('live');
      expect(live.baseUrl).toBe('https://api.alpaca.markets');
    });
    // The environment's URL overrides the config's, and is checked the same way.
    env({ APCA_API_KEY_ID: 'AKLIVEKEY000042', APCA_API_SECRET_KEY: 'secret-value-0042', APCA_API_BASE_URL: 'https://paper-api.alpaca.markets' }, () => {
      expect(make('live', 'https://api.alpaca.markets')).toThrow(/paper endpoint/);
    });
  });

  it('missing keys are an input error', () => {
    env({ APCA_API_KEY_ID: undefined, APCA_API_SECRET_KEY: undefined }, () => {
      expect(make('paper', 'https://paper-api.alpaca.markets')).toThrow(/set APCA_API_KEY_ID and APCA_API_SECRET_KEY/);
    });
  });
});

describe('live mode against the fake (a live-kind key)', () => {
  const h = useFakeBroker({ keyId: 'AKLIVETESTKEY01', secret: 'live-secret-000000001' });
  it('works the same: no paper/live branch in the adapter', async () => {
    const b = h.broker({ mode: 'live', baseUrl: 'https://api.alpaca.markets' });
    expect(b.mode).toBe('live');
    expect((await b.submitOrder(order())).status).toBe('filled');
  });
});

describe('keys never leak', () => {
  const h = useFakeBroker({ keyId: CANARY_KEY, secret: CANARY_SECRET });

  /** Everything an error could carry to a log, a message or the database: message, stack, causes. */
  const everything = (x: unknown) => `${x instanceof Error ? `${x.message}\n${x.stack}` : ''}\n${inspect(x, { depth: 10, showHidden: true, getters: false })}\n${safeJson(x)}`;

  it('refused keys (401): a clear error without the key, no retries, no lookups', async () => {
    const b = h.broker();
    h.fake.secret = 'the-server-expects-another-secret';
    try {
      const err = await failure(b.account());
      expect(err.message).toMatch(/refused the credentials.*APCA_API_KEY_ID/);
      expect(h.fake.requests).toHaveLength(1);
      const rejected = await failure(b.submitOrder(order()));
      expect(rejected).toBeInstanceOf(OrderRejectedError);
      expect(rejected.message).toMatch(/refused the credentials/);
      expect(h.calls('GET', '/v2/orders:by_client_order_id')).toHaveLength(0);
      for (const e of [err, rejected]) {
        expect(everything(e)).not.toContain(CANARY_KEY);
        expect(everything(e)).not.toContain(CANARY_SECRET);
      }
    } finally {
      h.fake.secret = CANARY_SECRET;
    }
  });

  it('a canary key appears in no error, no result and no log line, through successes and every fault', async () => {
    const b = h.broker({ submitAttempts: 2 });
    const outcomes: unknown[] = [];
    const attempt = async (p: Promise<unknown>) => outcomes.push(await p.catch((e: unknown) => e));
    await attempt(b.account());
    await attempt(b.positions());
    await attempt(b.clock());
    await attempt(b.calendar('2026-06-01', '2026-06-05'));
    await attempt(b.submitOrder(order('SPY', 1)));
    await attempt(b.listOrders({ status: 'all' }));
    h.fake.faults.push(on('POST', '/v2/orders', createdThenDropped()));
    await attempt(b.submitOrder(order('QQQ', 2)));
    h.fake.faults.push(on('POST', '/v2/orders', serverError(500)), on('POST', '/v2/orders', hang()));
    await attempt(b.submitOrder(order('TLT', 3))); // ends unknown: two ambiguous failures
    h.fake.faults.push(rateLimited(0), serverError(502), hang());
    await attempt(b.account()); // ends timed out
    h.fake.account.cash = 1;
    await attempt(b.submitOrder(order('SPY', 4))); // refused: buying power
    await attempt(b.cancelOrder('no-such-order'));
    h.fake.secret = 'another';
    await attempt(b.positions()); // 401
    h.fake.secret = CANARY_SECRET;

    expect(outcomes.filter((x) => x instanceof Error).length).toBeGreaterThanOrEqual(5);
    expect(h.logs.length).toBeGreaterThan(5);
    const text = [...outcomes.map(everything), ...h.logs].join('\n');
    expect(text).not.toContain(CANARY_KEY);
    expect(text).not.toContain(CANARY_SECRET);
    // The fake did receive the keys: they were used, just never shown.
    expect(h.fake.requests[0].headers['apca-api-key-id']).toBe(CANARY_KEY);
  });
});

function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? '';
  } catch {
    return '';
  }
}
