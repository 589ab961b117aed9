import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tradingDaysBetween } from '../../src/domain/calendar.js';
import { sendJson, startLoopback, type Loopback } from './loopback.js';

/**
 * A fake of the Alpaca endpoints Aegis uses, on a loopback port, following Alpaca's OpenAPI specs
 * (tests/fixtures/alpaca/*.json). The real SDK talks to it. Faults are scripted per request.
 *
 * Market data: GET /v2/stocks/bars. Trading: GET /v2/account, /v2/clock, /v2/calendar,
 * /v2/positions; POST /v2/orders (validated, idempotent on client_order_id); GET /v2/orders,
 * /v2/orders:by_client_order_id, /v2/orders/{id}; DELETE /v2/orders/{id}. Orders fill at once or
 * when the test says (`fillMode`, `fill()`), at `prices`, and fills move cash and positions.
 */
export interface FakeBar {
  date: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

/** What a route answers; faults may compute it (`ctx.process()`) and then not deliver it. */
export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FaultContext {
  /** The request body as received. */
  body: string;
  url: URL;
  /** Run the request through the fake as if no fault applied (auth, state changes) and return the answer, unsent. */
  process(): RouteResult;
}

/**
 * A scripted behaviour for one request. It handles the request itself (answer, hang, destroy the
 * socket) or returns false to pass it on. With `when`, it waits in `faults` for the first request
 * it matches; without, it applies to the next request, whatever it is.
 */
export type Fault = ((req: IncomingMessage, res: ServerResponse, ctx: FaultContext) => boolean | void) & {
  when?: (req: IncomingMessage, url: URL) => boolean;
};

/** An order as Alpaca serialises it (snake_case, numbers as strings), plus the fake's bookkeeping. */
export interface FakeOrder {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  expired_at: string | null;
  canceled_at: string | null;
  failed_at: string | null;
  replaced_at: string | null;
  replaced_by: string | null;
  replaces: string | null;
  asset_id: string;
  symbol: string;
  asset_class: 'us_equity';
  notional: string | null;
  qty: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: '';
  order_type: string;
  type: string;
  side: 'buy' | 'sell';
  time_in_force: string;
  limit_price: null;
  stop_price: null;
  status: string;
  extended_hours: boolean;
  legs: null;
  trail_percent: null;
  trail_price: null;
  hwm: null;
  /** Submission instant in nanoseconds since the epoch (Alpaca stamps with nanoseconds). */
  _submittedNs: bigint;
  /** Currency filled so far (to know what a notional order has left). */
  _filledNotional: number;
}

export interface FakeAccount {
  id: string;
  account_number: string;
  status: string;
  currency: string;
  cash: number;
  trading_blocked: boolean;
  account_blocked: boolean;
}

export interface FakeSession {
  date: string;
  open: string;
  close: string;
}

export interface FakeAlpaca extends Loopback {
  /** Every request: method, path with query, headers, body. */
  requests: { method: string; url: string; headers: IncomingMessage['headers']; at: number; body: string }[];
  /** Faults applied to the next requests, in order (a fault returning false passes the request on). */
  faults: Fault[];
  bars: Map<string, FakeBar[]>;
  /** Bars per page across all symbols (to force pagination). */
  pageSize: number;
  rateLimitRemaining: number;
  keyId: string;
  secret: string;

  account: FakeAccount;
  /** Last price per symbol: what orders fill at and positions are valued at. A symbol without one is unknown. */
  prices: Map<string, number>;
  positions: Map<string, { qty: number; avgEntryPrice: number }>;
  /** Every order the broker holds, in submission order. */
  orders: FakeOrder[];
  /** immediate: a market order fills in full at `prices` when posted; manual: it waits for `fill()`. */
  fillMode: 'immediate' | 'manual';
  clock: { timestamp: string; is_open: boolean; next_open: string; next_close: string };
  /** Sessions served by /v2/calendar; null: NYSE trading days, 09:30-16:00. */
  sessions: FakeSession[] | null;

  /** The orders the broker holds for a client order id: crash tests assert exactly one. */
  ordersByClientId(): Map<string, FakeOrder[]>;
  /** Fill an open order (all that remains by default) at `price` (default the symbol's price). */
  fill(idOrClientId: string, opts?: { qty?: number; price?: number }): FakeOrder;
  /** Move an open order to a final state without a fill (the day ended, the venue refused it). */
  finish(idOrClientId: string, status: 'expired' | 'rejected' | 'canceled'): FakeOrder;
  /** Drop all trading state (orders, positions) and restore the default account, clock and fill mode. */
  resetTrading(opts?: { cash?: number }): void;
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

const OPEN_STATUSES = new Set(['new', 'accepted', 'pending_new', 'partially_filled', 'held', 'accepted_for_bidding', 'pending_cancel', 'pending_replace', 'calculated', 'stopped', 'suspended']);
const ORDER_TYPES = new Set(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']);
const TIME_IN_FORCE = new Set(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']);
const DECIMAL = /^\d+(\.\d{1,9})?$/;

export async function startFakeAlpaca(opts: { keyId?: string; secret?: string } = {}): Promise<FakeAlpaca> {
  // The handler reads the returned object, so tests can change pageSize, faults, bars at any time.
  let fake!: FakeAlpaca;
  const lb = await startLoopback((req, res, body) => {
    fake.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: Date.now(), body });
    const url = new URL(req.url ?? '/', 'http://fake');
    const ctx: FaultContext = { body, url, process: () => handle(req, url, body) };
    const i = fake.faults.findIndex((f) => !f.when || f.when(req, url));
    const fault = i >= 0 ? fake.faults.splice(i, 1)[0] : undefined;
    if (fault && fault(req, res, ctx) !== false) return;
    send(res, ctx.process());
  });

  function handle(req: IncomingMessage, url: URL, body: string): RouteResult {
    if (req.headers['apca-api-key-id'] !== fake.keyId || req.headers['apca-api-secret-key'] !== fake.secret) {
      return { status: 401, body: { code: 40110000, message: 'request is not authorized' } };
    }
    // A spent budget is refilled by the time a well-behaved client (which waited for the reset) comes back.
    if (fake.rateLimitRemaining <= 0) fake.rateLimitRemaining = 200;
    fake.rateLimitRemaining -= 1;
    const rl = {
      'x-ratelimit-limit': '200',
      'x-ratelimit-remaining': String(fake.rateLimitRemaining),
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
    };
    const r = route(req.method ?? '', url, body);
    return { ...r, headers: { ...rl, ...r.headers } };
  }

  function route(method: string, url: URL, body: string): RouteResult {
    const p = url.pathname;
    if (method === 'GET' && p === '/v2/stocks/bars') return serveBars(url);
    if (method === 'GET' && p === '/v2/account') return ok(accountJson());
    if (method === 'GET' && p === '/v2/clock') return ok(fake.clock);
    if (method === 'GET' && p === '/v2/calendar') return serveCalendar(url);
    if (method === 'GET' && p === '/v2/positions') return ok([...fake.positions.entries()].map(([s, pos]) => positionJson(s, pos)));
    if (method === 'POST' && p === '/v2/orders') return postOrder(body);
    if (method === 'GET' && p === '/v2/orders') return listOrders(url);
    if (method === 'GET' && p === '/v2/orders:by_client_order_id') {
      const o = fake.orders.find((x) => x.client_order_id === url.searchParams.get('client_order_id'));
      return o ? ok(orderJson(o)) : notFound();
    }
    const byId = /^\/v2\/orders\/([^/]+)$/.exec(p);
    if (byId) {
      const o = fake.orders.find((x) => x.id === decodeURIComponent(byId[1]));
      if (!o) return notFound();
      if (method === 'GET') return ok(orderJson(o));
      if (method === 'DELETE') {
        if (!OPEN_STATUSES.has(o.status)) return { status: 422, body: { code: 42210000, message: 'order is not cancelable' } };
        o.status = 'canceled';
        o.canceled_at = o.updated_at = new Date().toISOString();
        return { status: 204 };
      }
    }
    return { status: 404, body: { code: 40410000, message: `no route ${method} ${p}` } };
  }

  function serveBars(url: URL): RouteResult {
    const symbols = (url.searchParams.get('symbols') ?? '').split(',').filter(Boolean);
    if (url.searchParams.get('timeframe') !== '1Day') return { status: 422, body: { code: 42210000, message: 'invalid timeframe' } };
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
    return ok({ bars, next_page_token: next, currency: 'USD' });
  }

  function serveCalendar(url: URL): RouteResult {
    // Alpaca's legacy calendar takes dates or RFC 3339 instants; the date part is what counts here.
    const start = (url.searchParams.get('start') ?? '1970-01-01').slice(0, 10);
    const end = (url.searchParams.get('end') ?? '2029-12-31').slice(0, 10);
    const sessions = fake.sessions ?? tradingDaysBetween(start, end).map((date) => ({ date, open: '09:30', close: '16:00' }));
    return ok(
      sessions
        .filter((s) => s.date >= start && s.date <= end)
        .map((s) => ({ ...s, session_open: '0400', session_close: '2000', settlement_date: s.date })),
    );
  }

  function postOrder(body: string): RouteResult {
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { status: 400, body: { code: 40010000, message: 'request body format is invalid' } };
    }
    const invalid = (message: string): RouteResult => ({ status: 422, body: { code: 40010001, message } });
    const symbol = typeof b.symbol === 'string' ? b.symbol : '';
    if (!symbol) return invalid('symbol is required');
    if (b.side !== 'buy' && b.side !== 'sell') return invalid('side must be buy or sell');
    if (typeof b.type !== 'string' || !ORDER_TYPES.has(b.type)) return invalid('invalid order type');
    if (b.type !== 'market') return invalid('the fake supports market orders only');
    if (typeof b.time_in_force !== 'string' || !TIME_IN_FORCE.has(b.time_in_force)) return invalid('invalid time_in_force');
    const cid = b.client_order_id == null ? randomUUID() : String(b.client_order_id);
    if (cid.length > 128) return invalid('client_order_id must be no more than 128 characters');
    const hasQty = b.qty != null;
    const hasNotional = b.notional != null;
    if (hasQty === hasNotional) return invalid(hasQty ? 'qty and notional cannot both be given' : 'qty or notional is required');
    const amount = String(hasQty ? b.qty : b.notional);
    if (!DECIMAL.test(amount) || !(Number(amount) > 0)) return invalid(`${hasQty ? 'qty' : 'notional'} must be a positive decimal with at most 9 decimal places`);
    if (hasNotional && b.time_in_force !== 'day') return invalid('notional orders must be market orders with day time_in_force');
    // Uniqueness is checked against every order ever placed, canceled and rejected ones included.
    if (fake.orders.some((o) => o.client_order_id === cid)) return invalid('client_order_id must be unique');
    const price = fake.prices.get(symbol);
    if (price === undefined) return { status: 422, body: { code: 42210000, message: `asset "${symbol}" not found` } };
    const value = hasQty ? Number(amount) * price : Number(amount);
    if (b.side === 'buy' && value > fake.account.cash + 1e-9) return { status: 403, body: { code: 40310000, message: 'insufficient buying power' } };
    if (b.side === 'sell' && value > (fake.positions.get(symbol)?.qty ?? 0) * price + 1e-9) {
      return { status: 403, body: { code: 40310000, message: 'insufficient qty available for order' } };
    }
    const now = nextStamp();
    const iso = nsToIso(now);
    const o: FakeOrder = {
      id: randomUUID(),
      client_order_id: cid,
      created_at: iso,
      updated_at: iso,
      submitted_at: iso,
      filled_at: null,
      expired_at: null,
      canceled_at: null,
      failed_at: null,
      replaced_at: null,
      replaced_by: null,
      replaces: null,
      asset_id: `asset-${symbol}`,
      symbol,
      asset_class: 'us_equity',
      notional: hasNotional ? amount : null,
      qty: hasQty ? amount : null,
      filled_qty: '0',
      filled_avg_price: null,
      order_class: '',
      order_type: 'market',
      type: 'market',
      side: b.side,
      time_in_force: String(b.time_in_force),
      limit_price: null,
      stop_price: null,
      status: fake.fillMode === 'immediate' ? 'new' : 'accepted',
      extended_hours: false,
      legs: null,
      trail_percent: null,
      trail_price: null,
      hwm: null,
      _submittedNs: now,
      _filledNotional: 0,
    };
    fake.orders.push(o);
    if (fake.fillMode === 'immediate') fillOrder(o, {});
    return ok(orderJson(o));
  }

  function listOrders(url: URL): RouteResult {
    const status = url.searchParams.get('status') ?? 'open';
    if (!['open', 'closed', 'all'].includes(status)) return { status: 422, body: { code: 40010001, message: 'invalid status' } };
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 50), 500);
    const after = url.searchParams.get('after');
    const until = url.searchParams.get('until');
    const symbols = url.searchParams.get('symbols')?.split(',');
    const afterNs = after ? isoToNs(after) : undefined;
    const untilNs = until ? isoToNs(until) : undefined;
    let list = fake.orders.filter(
      (o) =>
        (status === 'all' || (status === 'open') === OPEN_STATUSES.has(o.status)) &&
        (afterNs === undefined || o._submittedNs > afterNs) &&
        (untilNs === undefined || o._submittedNs < untilNs) &&
        (!symbols || symbols.includes(o.symbol)),
    );
    list = [...list].sort((a, b) => (a._submittedNs < b._submittedNs ? -1 : a._submittedNs > b._submittedNs ? 1 : 0));
    if ((url.searchParams.get('direction') ?? 'desc') === 'desc') list.reverse();
    return ok(list.slice(0, limit).map(orderJson));
  }

  function fillOrder(o: FakeOrder, opts: { qty?: number; price?: number }): void {
    if (!OPEN_STATUSES.has(o.status)) throw new Error(`fake: order ${o.client_order_id} is ${o.status}, not fillable`);
    const price = opts.price ?? fake.prices.get(o.symbol);
    if (price === undefined) throw new Error(`fake: no price for ${o.symbol}`);
    const filled = Number(o.filled_qty);
    const remaining = o.qty !== null ? Number(o.qty) - filled : (Number(o.notional) - o._filledNotional) / price;
    const q = Math.min(opts.qty ?? remaining, remaining);
    const newFilled = filled + q;
    o.filled_avg_price = String(round((Number(o.filled_avg_price ?? 0) * filled + price * q) / newFilled, 4));
    o.filled_qty = decimal(newFilled);
    o._filledNotional += q * price;
    o.status = q >= remaining - 1e-12 ? 'filled' : 'partially_filled';
    o.updated_at = new Date().toISOString();
    if (o.status === 'filled') o.filled_at = o.updated_at;
    const pos = fake.positions.get(o.symbol) ?? { qty: 0, avgEntryPrice: 0 };
    if (o.side === 'buy') {
      fake.account.cash -= q * price;
      const qty = pos.qty + q;
      fake.positions.set(o.symbol, { qty, avgEntryPrice: (pos.qty * pos.avgEntryPrice + q * price) / qty });
    } else {
      fake.account.cash += q * price;
      const qty = pos.qty - q;
      if (Math.abs(qty) < 1e-9) fake.positions.delete(o.symbol);
      else fake.positions.set(o.symbol, { qty, avgEntryPrice: pos.avgEntryPrice });
    }
  }

  function find(idOrClientId: string): FakeOrder {
    const o = fake.orders.find((x) => x.id === idOrClientId || x.client_order_id === idOrClientId);
    if (!o) throw new Error(`fake: no order ${idOrClientId}`);
    return o;
  }

  function accountJson() {
    const a = fake.account;
    let long = 0;
    let short = 0;
    for (const [s, p] of fake.positions) {
      const v = p.qty * (fake.prices.get(s) ?? p.avgEntryPrice);
      if (v >= 0) long += v;
      else short += v;
    }
    const equity = a.cash + long + short;
    return {
      id: a.id,
      account_number: a.account_number,
      status: a.status,
      crypto_status: 'ACTIVE',
      currency: a.currency,
      cash: money(a.cash),
      buying_power: money(Math.max(0, a.cash)),
      regt_buying_power: money(Math.max(0, a.cash)),
      daytrading_buying_power: '0',
      non_marginable_buying_power: money(Math.max(0, a.cash)),
      equity: money(equity),
      last_equity: money(equity),
      portfolio_value: money(equity),
      long_market_value: money(long),
      short_market_value: money(short),
      initial_margin: '0',
      maintenance_margin: '0',
      last_maintenance_margin: '0',
      multiplier: '1',
      sma: '0',
      daytrade_count: 0,
      pattern_day_trader: false,
      trading_blocked: a.trading_blocked,
      transfers_blocked: false,
      account_blocked: a.account_blocked,
      trade_suspended_by_user: false,
      shorting_enabled: false,
      created_at: '2024-01-02T14:30:00Z',
      accrued_fees: '0',
      pending_transfer_in: '0',
    };
  }

  function positionJson(symbol: string, p: { qty: number; avgEntryPrice: number }) {
    const price = fake.prices.get(symbol) ?? p.avgEntryPrice;
    const mv = p.qty * price;
    const cost = p.qty * p.avgEntryPrice;
    // Alpaca reports a short with side "short" and negative qty and market value.
    return {
      asset_id: `asset-${symbol}`,
      symbol,
      exchange: 'ARCA',
      asset_class: 'us_equity',
      asset_marginable: true,
      avg_entry_price: String(round(p.avgEntryPrice, 4)),
      qty: decimal(p.qty),
      qty_available: decimal(p.qty),
      side: p.qty >= 0 ? 'long' : 'short',
      market_value: money(mv),
      cost_basis: money(cost),
      unrealized_pl: money(mv - cost),
      unrealized_plpc: String(cost === 0 ? 0 : round((mv - cost) / Math.abs(cost), 6)),
      unrealized_intraday_pl: '0',
      unrealized_intraday_plpc: '0',
      current_price: String(price),
      lastday_price: String(price),
      change_today: '0',
    };
  }

  let lastStamp = 0n;
  /** Strictly increasing submission stamps with microsecond steps: several orders share a millisecond, as at Alpaca. */
  function nextStamp(): bigint {
    const now = BigInt(Date.now()) * 1_000_000n;
    lastStamp = now > lastStamp ? now : lastStamp + 1000n;
    return lastStamp;
  }

  const defaults = (cash = 100_000) => ({
    account: { id: 'acc-fake-0001', account_number: 'PA0000FAKE', status: 'ACTIVE', currency: 'USD', cash, trading_blocked: false, account_blocked: false },
    clock: { timestamp: '2026-06-10T14:15:22-04:00', is_open: true, next_open: '2026-06-11T09:30:00-04:00', next_close: '2026-06-10T16:00:00-04:00' },
  });

  fake = Object.assign(lb, {
    requests: [] as FakeAlpaca['requests'],
    faults: [] as Fault[],
    bars: new Map<string, FakeBar[]>(),
    pageSize: 1000,
    rateLimitRemaining: 200,
    keyId: opts.keyId ?? 'PKTESTKEY0000001',
    secret: opts.secret ?? 'test-secret-0000000000000001',
    ...defaults(),
    prices: new Map<string, number>(),
    positions: new Map<string, { qty: number; avgEntryPrice: number }>(),
    orders: [] as FakeOrder[],
    fillMode: 'immediate' as const,
    sessions: null,
    ordersByClientId() {
      const m = new Map<string, FakeOrder[]>();
      for (const o of fake.orders) m.set(o.client_order_id, [...(m.get(o.client_order_id) ?? []), o]);
      return m;
    },
    fill(idOrClientId: string, o: { qty?: number; price?: number } = {}) {
      const order = find(idOrClientId);
      fillOrder(order, o);
      return order;
    },
    finish(idOrClientId: string, status: 'expired' | 'rejected' | 'canceled') {
      const o = find(idOrClientId);
      if (!OPEN_STATUSES.has(o.status)) throw new Error(`fake: order ${idOrClientId} is already ${o.status}`);
      o.status = status;
      o.updated_at = new Date().toISOString();
      if (status === 'expired') o.expired_at = o.updated_at;
      if (status === 'rejected') o.failed_at = o.updated_at;
      if (status === 'canceled') o.canceled_at = o.updated_at;
      return o;
    },
    resetTrading(o: { cash?: number } = {}) {
      Object.assign(fake, defaults(o.cash), { fillMode: 'immediate', sessions: null });
      fake.orders.length = 0;
      fake.positions.clear();
    },
  }) as FakeAlpaca;
  return fake;
}

function send(res: ServerResponse, r: RouteResult): void {
  if (r.body === undefined) {
    res.writeHead(r.status, r.headers ?? {});
    res.end();
  } else sendJson(res, r.status, r.body, r.headers);
}

function ok(body: unknown): RouteResult {
  return { status: 200, body };
}

function notFound(): RouteResult {
  return { status: 404, body: { code: 40410000, message: 'order not found' } };
}

function orderJson(o: FakeOrder): Record<string, unknown> {
  const { _submittedNs, _filledNotional, ...wire } = o;
  void _submittedNs;
  void _filledNotional;
  return wire;
}

function money(x: number): string {
  return x.toFixed(2);
}

function round(x: number, places: number): number {
  return Number(x.toFixed(places));
}

/** A quantity as Alpaca writes it: up to 9 decimals, no exponent, no trailing zeros. */
function decimal(x: number): string {
  return x.toFixed(9).replace(/\.?0+$/, '');
}

/** RFC 3339 with nanoseconds, as Alpaca stamps orders. */
function nsToIso(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  return `${base}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

/** Parse an RFC 3339 instant with up to nanosecond precision. */
function isoToNs(iso: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (!m) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) throw new Error(`fake: bad instant ${iso}`);
    return BigInt(t) * 1_000_000n;
  }
  const seconds = BigInt(Date.parse(m[1] + m[3])) / 1000n;
  return seconds * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** A scripted answer for the next request. */
export function answer(status: number, body: unknown, headers: Record<string, string> = {}): Fault {
  return (_req, res) => sendJson(res, status, body, headers);
}

/** 429 with the rate-limit headers Alpaca sends: budget spent, reset and Retry-After in `seconds`. */
export function rateLimited(seconds = 1): Fault {
  return (_req, res) =>
    sendJson(res, 429, { code: 42910000, message: 'rate limit exceeded' }, {
      'x-ratelimit-limit': '200',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000 + seconds)),
      'retry-after': String(seconds),
    });
}

/** A 5xx answer (nothing processed). */
export function serverError(status = 500): Fault {
  return answer(status, { code: 50010000, message: 'internal server error' });
}

/** Never answer: the client must time out. The socket is destroyed when the fake closes. */
export function hang(): Fault {
  return () => true;
}

/** Destroy the connection without answering (nothing processed). */
export function dropConnection(): Fault {
  return (req) => {
    req.socket.destroy();
  };
}

/**
 * Process the request for real (an order IS recorded), then let `then` deliver, lose or garble the
 * answer: `processThen(dropConnection())` is "order created, then the connection dropped";
 * `processThen(hang())` a timeout after creation; `processThen(serverError(502))` a gateway error.
 */
export function processThen(then: Fault): Fault {
  return (req, res, ctx) => {
    ctx.process();
    return then(req, res, ctx);
  };
}

/** "Order created, then the connection dropped". */
export function createdThenDropped(): Fault {
  return processThen(dropConnection());
}

/** Aim a fault at the first request with this method and path (query ignored); others pass it by. */
export function on(method: string, pathname: string, fault: Fault): Fault {
  const f: Fault = (req, res, ctx) => fault(req, res, ctx);
  f.when = (req, url) => req.method === method && url.pathname === pathname;
  return f;
}
