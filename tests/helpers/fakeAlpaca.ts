import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, startLoopback, type Loopback } from './loopback.js';

/**
 * A fake of the Alpaca endpoints Aegis uses, on a loopback port, following Alpaca's OpenAPI specs
 * (tests/fixtures/alpaca/*.json). The real SDK talks to it. Faults are scripted per request.
 */
export interface FakeBar {
  date: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

export type Fault = (req: IncomingMessage, res: ServerResponse) => boolean | void;

export interface FakeAlpaca extends Loopback {
  /** Every request: method, path with query, headers. */
  requests: { method: string; url: string; headers: IncomingMessage['headers']; at: number }[];
  /** Faults applied to the next requests, in order (a fault returning false passes the request on). */
  faults: Fault[];
  bars: Map<string, FakeBar[]>;
  /** Bars per page across all symbols (to force pagination). */
  pageSize: number;
  rateLimitRemaining: number;
  keyId: string;
  secret: string;
}

/** The UTC instant of midnight in New York on a date: how Alpaca stamps daily bars. */
export function nyMidnight(date: string): string {
  for (const h of [4, 5]) {
    const t = new Date(`${date}T0${h}:00:00Z`);
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', hourCycle: 'h23' }).format(t);
    if (local === '00') return t.toISOString().replace('.000Z', 'Z');
  }
  throw new Error('no New York midnight for ' + date);
}

export async function startFakeAlpaca(opts: { keyId?: string; secret?: string } = {}): Promise<FakeAlpaca> {
  // The handler reads the returned object, so tests can change pageSize, faults, bars at any time.
  let fake!: FakeAlpaca;
  const lb = await startLoopback((req, res) => {
    fake.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: Date.now() });
    const fault = fake.faults.shift();
    if (fault && fault(req, res) !== false) return;
    if (req.headers['apca-api-key-id'] !== fake.keyId || req.headers['apca-api-secret-key'] !== fake.secret) {
      return sendJson(res, 401, { code: 40110000, message: 'request is not authorized' });
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    // A spent budget is refilled by the time a well-behaved client (which waited for the reset) comes back.
    if (fake.rateLimitRemaining <= 0) fake.rateLimitRemaining = 200;
    fake.rateLimitRemaining -= 1;
    const rl = {
      'x-ratelimit-limit': '200',
      'x-ratelimit-remaining': String(fake.rateLimitRemaining),
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
    };
    if (req.method === 'GET' && url.pathname === '/v2/stocks/bars') return serveBars(url, res, rl);
    sendJson(res, 404, { code: 40410000, message: `no route ${req.method} ${url.pathname}` });
  });

  function serveBars(url: URL, res: ServerResponse, rl: Record<string, string>): void {
    const symbols = (url.searchParams.get('symbols') ?? '').split(',').filter(Boolean);
    if (url.searchParams.get('timeframe') !== '1Day') return sendJson(res, 422, { code: 42210000, message: 'invalid timeframe' });
    const start = url.searchParams.get('start') ?? '1970-01-01T00:00:00Z';
    const end = url.searchParams.get('end') ?? '9999-01-01T00:00:00Z';
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 1000), 10000, fake.pageSize);
    const offset = Number(url.searchParams.get('page_token') ?? 0);
    // All symbols' bars in one sequence, symbol-major (as Alpaca pages them), then one page of it.
    const all: { symbol: string; t: string; b: FakeBar }[] = [];
    for (const s of [...symbols].sort()) {
      for (const b of fake.bars.get(s) ?? []) {
        const t = nyMidnight(b.date);
        if (t >= start && t <= end) all.push({ symbol: s, t, b });
      }
    }
    const page = all.slice(offset, offset + limit);
    const bars: Record<string, unknown[]> = {};
    for (const { symbol, t, b } of page) (bars[symbol] ??= []).push({ t, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v, n: 100, vw: b.c });
    const next = offset + limit < all.length ? String(offset + limit) : null;
    sendJson(res, 200, { bars, next_page_token: next, currency: 'USD' }, rl);
  }

  fake = Object.assign(lb, {
    requests: [] as FakeAlpaca['requests'],
    faults: [] as Fault[],
    bars: new Map<string, FakeBar[]>(),
    pageSize: 1000,
    rateLimitRemaining: 200,
    keyId: opts.keyId ?? 'PKTESTKEY0000001',
    secret: opts.secret ?? 'test-secret-0000000000000001',
  });
  return fake;
}

/** A scripted answer for the next request. */
export function answer(status: number, body: unknown, headers: Record<string, string> = {}): Fault {
  return (_req, res) => sendJson(res, status, body, headers);
}
