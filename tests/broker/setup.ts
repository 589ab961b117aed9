import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createAlpacaBroker, type AlpacaBroker, type AlpacaBrokerOptions } from '../../src/broker/alpacaBroker.js';
import { createLogger, setLogger } from '../../src/log/logger.js';
import { startFakeAlpaca, type FakeAlpaca } from '../helpers/fakeAlpaca.js';

/** Fast settings: a hung request fails in 400 ms, retries wait 10-50 ms. */
export const FAST = { timeoutMs: 400, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 } } as const;

export interface BrokerHarness {
  fake: FakeAlpaca;
  /** Every log line written since the test began (JSON lines, debug level). */
  logs: string[];
  broker(opts?: Partial<AlpacaBrokerOptions>): AlpacaBroker;
  /** Requests of a method to a path (query ignored). */
  calls(method: string, pathname: string): FakeAlpaca['requests'];
}

/**
 * A fake Alpaca on loopback, the keys in the environment (as in production: only there), the
 * trading URL overridden by APCA_API_BASE_URL, and the process logger captured.
 */
export function useFakeBroker(keys: { keyId?: string; secret?: string } = {}): BrokerHarness {
  const saved = { id: process.env.APCA_API_KEY_ID, secret: process.env.APCA_API_SECRET_KEY, url: process.env.APCA_API_BASE_URL };
  const h = { logs: [] as string[] } as BrokerHarness;
  beforeAll(async () => {
    h.fake = await startFakeAlpaca(keys);
  });
  beforeEach(() => {
    process.env.APCA_API_KEY_ID = h.fake.keyId;
    process.env.APCA_API_SECRET_KEY = h.fake.secret;
    process.env.APCA_API_BASE_URL = h.fake.url;
    h.fake.requests.length = 0;
    h.fake.faults.length = 0;
    h.fake.rateLimitRemaining = 200;
    h.fake.resetTrading();
    h.fake.prices.set('SPY', 500);
    h.fake.prices.set('QQQ', 400);
    h.fake.prices.set('TLT', 90);
    h.logs.length = 0;
    setLogger(createLogger({ stream: { write: (s: string) => h.logs.push(s) }, verbose: true }));
  });
  afterEach(() => {
    // A fault a test scripted but never reached would leak into the next test.
    h.fake.faults.length = 0;
  });
  afterAll(async () => {
    await h.fake.close();
    for (const [k, v] of [['APCA_API_KEY_ID', saved.id], ['APCA_API_SECRET_KEY', saved.secret], ['APCA_API_BASE_URL', saved.url]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  h.broker = (opts = {}) => createAlpacaBroker({ mode: 'paper', baseUrl: 'https://paper-api.alpaca.markets', ...FAST, ...opts });
  h.calls = (method, pathname) => h.fake.requests.filter((r) => r.method === method && new URL(r.url, 'http://x').pathname === pathname);
  return h;
}

/** The rejection of a promise (fails the test if it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure, got a result');
}
