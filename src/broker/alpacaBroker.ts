import { ApiError, trading, withResponse, type RateLimitInfo } from '@alpacahq/alpaca-trade-api';
import { alpacaKeysFromEnv, classifyAlpacaError } from '../data/alpacaErrors.js';
import { AegisError, InputError } from '../domain/errors.js';
import { log, registerSecret } from '../log/logger.js';
import { withRetry, type RetryOptions } from '../net/retry.js';
import {
  OrderRejectedError,
  OrderStateUnknownError,
  type Broker,
  type BrokerAccount,
  type BrokerClock,
  type BrokerMode,
  type BrokerOrder,
  type BrokerOrderStatus,
  type BrokerPosition,
  type BrokerSession,
  type OrderRequest,
} from './types.js';

export interface AlpacaBrokerOptions {
  mode: BrokerMode;
  /** Trading API base URL: deploy.alpaca.paperUrl or liveUrl. Env APCA_API_BASE_URL overrides it. */
  baseUrl: string;
  /** Deadline of one HTTP request (deploy.alpaca.timeoutMs). */
  timeoutMs: number;
  /** Retries of reads, lookups and cancels (deploy.retry). */
  retry: Omit<RetryOptions, 'label' | 'timeoutMs'>;
  /** Most POSTs of one order, the first included, when submissions fail ambiguously. Default 3. */
  submitAttempts?: number;
  /** Orders per page when listing (Alpaca's maximum, 500, unless a test wants small pages). */
  listPageSize?: number;
}

/** The kind of key or endpoint: what Alpaca environment it belongs to, when that can be told. */
export type AlpacaEnvironment = 'paper' | 'live' | 'unknown';

/**
 * Which environment an Alpaca key id belongs to. Alpaca issues paper-trading key ids starting
 * with "PK" and live key ids starting with "AK"; anything else is unknown (the caller decides).
 */
export function keyKindFromId(keyId: string): AlpacaEnvironment {
  if (keyId.startsWith('PK')) return 'paper';
  if (keyId.startsWith('AK')) return 'live';
  return 'unknown';
}

/** Which environment a trading URL points at: Alpaca's paper or live host, or something else (a proxy, a fake). */
export function endpointKindFromUrl(url: string): AlpacaEnvironment {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return 'unknown';
  }
  if (host === 'paper-api.alpaca.markets') return 'paper';
  if (host === 'api.alpaca.markets') return 'live';
  return 'unknown';
}

/**
 * The Alpaca broker on the real SDK. Keys come only from APCA_API_KEY_ID / APCA_API_SECRET_KEY
 * and are registered as secrets at once, so no log line shows them.
 *
 * Refuses (InputError, nothing sent) a key or an endpoint that belongs to the other environment
 * than `mode`: a paper key (PK...) or the paper host in live mode, a live key (AK...) or the live
 * host in paper mode. Keys and URLs of unknown kind pass; call `account()` and show its id and
 * status so the operator can confirm which account trades.
 */
export function createAlpacaBroker(opts: AlpacaBrokerOptions): AlpacaBroker {
  const { keyId, secret } = alpacaKeysFromEnv();
  registerSecret(keyId);
  registerSecret(secret);
  const baseUrl = (process.env.APCA_API_BASE_URL || opts.baseUrl).replace(/\/+$/, '');
  const endpoint = endpointKindFromUrl(baseUrl);
  if (endpoint !== 'unknown' && endpoint !== opts.mode) {
    throw new InputError(`alpaca: deploy mode is ${opts.mode} but the trading URL ${baseUrl} is Alpaca's ${endpoint} endpoint`);
  }
  const key = keyKindFromId(keyId);
  if (key !== 'unknown' && key !== opts.mode) {
    // Name the kind, never the key: paper keys start with PK, live keys with AK.
    throw new InputError(`alpaca: deploy mode is ${opts.mode} but APCA_API_KEY_ID is a ${key} key (Alpaca paper key ids start with PK, live ones with AK)`);
  }
  if (key === 'unknown') log().warn({ mode: opts.mode }, 'alpaca: cannot tell from APCA_API_KEY_ID whether it is a paper or a live key; confirm the account id');
  // The SDK's own retries and client-side rate limiter stay off: our policy decides what is
  // repeated, and a POST must never be repeated by a layer that cannot look the order up first.
  const config = new trading.Configuration({ basePath: baseUrl, keyId, secret, timeoutMs: opts.timeoutMs, retry: { maxRetries: 0 } });
  log().info({ mode: opts.mode, baseUrl, keyKind: key }, 'alpaca broker: orders go to this endpoint');
  return new AlpacaBroker(opts.mode, baseUrl, config, opts);
}

/** Longest server-requested wait we sit out (a cron run must end); matches withRetry's cap. */
const MAX_SERVER_WAIT_MS = 120_000;
const ALPACA_MAX_PAGE = 500;

/** See {@link createAlpacaBroker}. */
export class AlpacaBroker implements Broker {
  readonly name = 'alpaca';
  private readonly accounts: trading.AccountsApi;
  private readonly clockApi: trading.ClockApi;
  private readonly calendarApi: trading.CalendarApi;
  private readonly positionsApi: trading.PositionsApi;
  private readonly orders: trading.OrdersApi;
  private readonly gate = new RateGate();

  constructor(
    readonly mode: BrokerMode,
    /** The trading URL in use (not secret; log it so the operator sees where orders go). */
    readonly baseUrl: string,
    config: trading.Configuration,
    private readonly opts: AlpacaBrokerOptions,
  ) {
    this.accounts = new trading.AccountsApi(config);
    this.clockApi = new trading.ClockApi(config);
    this.calendarApi = new trading.CalendarApi(config);
    this.positionsApi = new trading.PositionsApi(config);
    this.orders = new trading.OrdersApi(config);
  }

  async account(): Promise<BrokerAccount> {
    const a = await this.read('account', 'GET /v2/account', (init) => this.accounts.getAccountRaw(init));
    return {
      id: a.id,
      status: String(a.status),
      tradingBlocked: Boolean(a.tradingBlocked || a.accountBlocked || a.tradeSuspendedByUser),
      cash: num(a.cash, 'account cash'),
      equity: num(a.equity, 'account equity'),
      buyingPower: num(a.buyingPower, 'account buying_power'),
      currency: a.currency ?? 'USD',
    };
  }

  async clock(): Promise<BrokerClock> {
    const c = await this.read('clock', 'GET /v2/clock', (init) => this.clockApi.legacyClockRaw(init));
    return { timestamp: iso(c.timestamp), isOpen: Boolean(c.isOpen), nextOpen: iso(c.nextOpen), nextClose: iso(c.nextClose) };
  }

  async calendar(from: string, to: string): Promise<BrokerSession[]> {
    for (const d of [from, to]) if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new InputError(`alpaca calendar: expected YYYY-MM-DD, got ${JSON.stringify(d)}`);
    // The SDK sends instants; noon UTC is the same date in New York and in UTC, so neither end
    // slips a day, and the filter below holds whatever the server makes of them.
    const days = await this.read('calendar', 'GET /v2/calendar', (init) =>
      this.calendarApi.legacyCalendarRaw({ start: new Date(`${from}T12:00:00Z`), end: new Date(`${to}T12:00:00Z`) }, init),
    );
    return days
      .map((d) => ({ date: d.date.toISOString().slice(0, 10), open: d.open, close: d.close }))
      .filter((d) => d.date >= from && d.date <= to);
  }

  async positions(): Promise<BrokerPosition[]> {
    const list = await this.read('positions', 'GET /v2/positions', (init) => this.positionsApi.getAllOpenPositionsRaw(init));
    return list.map((p) => {
      // Alpaca marks shorts with side "short"; make the sign explicit whatever it does with qty.
      const sign = p.side === 'short' ? -1 : 1;
      return {
        symbol: p.symbol,
        qty: sign * Math.abs(num(p.qty, `position ${p.symbol} qty`)),
        marketValue: sign * Math.abs(num(p.marketValue, `position ${p.symbol} market_value`)),
        avgEntryPrice: num(p.avgEntryPrice, `position ${p.symbol} avg_entry_price`),
      };
    });
  }

  async getOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    const label = `alpaca order lookup ${clientOrderId}`;
    await this.gate.wait();
    const res = await withRetry(this.retryOptions(label), async (signal) => {
      try {
        return await withResponse(this.orders.getOrderByClientOrderIdRaw({ clientOrderId }, { signal }));
      } catch (err) {
        // 404 is the answer "no such order", not a failure.
        if (err instanceof ApiError && err.status === 404) return null;
        throw classifyAlpacaError(err, 'GET /v2/orders:by_client_order_id');
      }
    });
    if (!res) return null;
    this.gate.observe(res.rateLimit);
    return toBrokerOrder(res.data);
  }

  async listOrders(q: { status: 'open' | 'closed' | 'all'; after?: string }): Promise<BrokerOrder[]> {
    const pageSize = Math.min(this.opts.listPageSize ?? ALPACA_MAX_PAGE, ALPACA_MAX_PAGE);
    const seen = new Map<string, BrokerOrder>();
    let after = q.after;
    for (;;) {
      const page = await this.read('list orders', 'GET /v2/orders', (init) =>
        this.orders.getAllOrdersRaw({ status: q.status, limit: pageSize, direction: 'asc', nested: false, ...(after ? { after } : {}) }, init),
      );
      let added = 0;
      for (const o of page) {
        if (seen.has(o.id ?? '')) continue;
        seen.set(o.id ?? '', toBrokerOrder(o));
        added += 1;
      }
      if (page.length < pageSize) break;
      // The next page starts after the last order's submission time. The SDK keeps milliseconds of
      // Alpaca's nanosecond stamps, so this cursor is at or before the true one: the boundary is
      // read twice (and deduplicated by id), never skipped.
      const last = page[page.length - 1];
      const cursor = last.submittedAt ?? last.createdAt;
      if (added === 0 || !cursor) throw new AegisError(`alpaca list orders: cannot page past ${pageSize} orders submitted in the same millisecond`);
      after = cursor.toISOString();
    }
    return [...seen.values()];
  }

  async cancelOrder(brokerId: string): Promise<void> {
    const label = `alpaca cancel ${brokerId}`;
    await this.gate.wait();
    // A DELETE is safe to repeat: cancelling twice is cancelling once (the second sees 422).
    const outcome = await withRetry(this.retryOptions(label), async (signal) => {
      try {
        await this.orders.deleteOrderByOrderIDRaw({ orderId: brokerId }, { signal });
        return 'canceled' as const;
      } catch (err) {
        if (err instanceof ApiError && err.status === 422) return 'not-cancelable' as const;
        if (err instanceof ApiError && err.status === 404) throw new AegisError(`${label}: Alpaca does not know this order`, { cause: err });
        throw classifyAlpacaError(err, 'DELETE /v2/orders/{id}');
      }
    });
    if (outcome === 'canceled') {
      log().info({ orderId: brokerId }, 'alpaca: order canceled');
      return;
    }
    // Not cancelable: fine if it is already over without a fill (a lost 204, an expiry), not otherwise.
    const o = toBrokerOrder(await this.read(`order ${brokerId}`, 'GET /v2/orders/{id}', (init) => this.orders.getOrderByOrderIDRaw({ orderId: brokerId }, init)));
    if (o.status === 'canceled' || o.status === 'expired' || o.status === 'rejected' || o.rawStatus === 'pending_cancel') return;
    throw new AegisError(`${label}: the order is ${o.rawStatus} (filled ${o.filledQty}) and can no longer be canceled`);
  }

  /**
   * Submit one order so that it exists exactly once at Alpaca, whatever the network does.
   *
   * 1. Validate locally; nothing is sent for a malformed request (InputError).
   * 2. POST it once. The SDK never repeats a POST, and neither do we without looking first.
   * 3. Success: return the order (checked to be this intent).
   * 4. 422 "client_order_id must be unique": the order already exists (an earlier run or attempt
   *    placed it); look it up (a read, retried; polled briefly in case the broker is slow to show
   *    it) and return it. Never POST again.
   * 5. A definitive refusal (any other 4xx but 408/429): it was not created; OrderRejectedError.
   * 6. Anything ambiguous (a timeout, a dropped connection, 5xx, 408, an unreadable 2xx answer) or
   *    429: wait (429: the server's delay, trusted only there; otherwise a jittered backoff), then
   *    look the order up by client_order_id. Found: return it, no second POST. Lookup failed:
   *    OrderStateUnknownError, nothing more sent. Not found: POST again with the SAME
   *    client_order_id (from step 2), at most `submitAttempts` POSTs in all; the broker refuses a
   *    duplicate, so even an order that lands late cannot be doubled (it would end in step 4).
   * 7. Attempts spent and still not found: OrderStateUnknownError; reconcile by client_order_id.
   */
  async submitOrder(o: OrderRequest): Promise<BrokerOrder> {
    const body = toPostOrderRequest(o);
    const what = `alpaca order ${o.clientOrderId} (${o.side} ${o.symbol})`;
    const maxPosts = Math.max(1, this.opts.submitAttempts ?? 3);
    for (let post = 1; ; post++) {
      let failure: unknown;
      let placed: BrokerOrder | undefined;
      await this.gate.wait();
      try {
        const res = await withResponse(this.orders.postOrderRaw({ postOrderRequest: body }));
        this.gate.observe(res.rateLimit);
        // An answer we cannot read (cut mid-body, malformed) may still mean "created": ambiguous.
        placed = toBrokerOrder(res.data);
      } catch (err) {
        failure = err;
      }
      if (placed) {
        sameIntent(placed, o, what);
        log().info({ clientOrderId: o.clientOrderId, orderId: placed.id, symbol: o.symbol, side: o.side, notional: body.notional, qty: body.qty, status: placed.rawStatus }, 'alpaca: order submitted');
        return placed;
      }

      if (isDuplicate(failure)) {
        log().info({ clientOrderId: o.clientOrderId }, `${what}: the broker already holds this client_order_id; returning that order`);
        return sameIntent(await this.awaitExisting(o.clientOrderId, what), o, what);
      }
      if (!isAmbiguous(failure)) throw rejection(failure, o, what);

      const reason = classifyAlpacaError(failure, 'POST /v2/orders').message;
      const waitMs = failure instanceof ApiError && failure.status === 429 ? Math.min(failure.retryAfterMs ?? this.backoff(post), MAX_SERVER_WAIT_MS) : this.backoff(post);
      log().warn({ clientOrderId: o.clientOrderId, attempt: post, waitMs: Math.round(waitMs) }, `${what}: ${reason}; looking the order up before anything else`);
      await sleep(waitMs);
      let found: BrokerOrder | null;
      try {
        found = await this.getOrderByClientId(o.clientOrderId);
      } catch (err) {
        throw new OrderStateUnknownError(
          `${what}: the submission failed (${reason}) and the lookup failed too (${firstLine(err)}); nothing more was sent, reconcile by client_order_id before acting on it again`,
          o.clientOrderId,
          { cause: err },
        );
      }
      if (found) {
        log().info({ clientOrderId: o.clientOrderId, orderId: found.id, status: found.rawStatus }, `${what}: the broker has the order after all; not submitting again`);
        return sameIntent(found, o, what);
      }
      if (post >= maxPosts) {
        throw new OrderStateUnknownError(
          `${what}: ${post} submission(s) failed (last: ${reason}) and the broker does not know the order; reconcile by client_order_id before acting on it again`,
          o.clientOrderId,
          { cause: failure },
        );
      }
      log().warn({ clientOrderId: o.clientOrderId, attempt: post + 1 }, `${what}: not at the broker; submitting again with the same client_order_id`);
    }
  }

  /** After a duplicate answer the order exists; give the broker a few looks to show it. */
  private async awaitExisting(clientOrderId: string, what: string): Promise<BrokerOrder> {
    const looks = Math.max(1, this.opts.retry.attempts);
    for (let look = 1; look <= looks; look++) {
      let found: BrokerOrder | null;
      try {
        found = await this.getOrderByClientId(clientOrderId);
      } catch (err) {
        throw new OrderStateUnknownError(`${what}: the broker says the order exists but the lookup failed (${firstLine(err)})`, clientOrderId, { cause: err });
      }
      if (found) return found;
      if (look < looks) await sleep(this.backoff(look));
    }
    throw new OrderStateUnknownError(`${what}: the broker says the client_order_id is taken but does not return the order; nothing more was sent`, clientOrderId);
  }

  /**
   * A read, retried with backoff and jitter; the SDK's own deadline applies to each attempt.
   * Failures are named by `route` inside, `what` outside (withRetry prefixes its label).
   */
  private async read<T>(what: string, route: string, call: (init: RequestInit) => Promise<trading.ApiResponse<T>>): Promise<T> {
    const label = `alpaca ${what}`;
    await this.gate.wait();
    const res = await withRetry(this.retryOptions(label), async (signal) => {
      try {
        return await withResponse(call({ signal }));
      } catch (err) {
        throw classifyAlpacaError(err, route);
      }
    });
    this.gate.observe(res.rateLimit);
    return res.data;
  }

  private retryOptions(label: string): RetryOptions {
    // The SDK's deadline (timeoutMs) fires first with the clearer error; ours is the backstop.
    return { ...this.opts.retry, timeoutMs: this.opts.timeoutMs + 1000, label };
  }

  private backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.opts.retry;
    return Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
  }
}

/**
 * Pauses requests while the rate-limit budget is spent: when an answer says X-RateLimit-Remaining
 * is 0, nothing is sent before X-RateLimit-Reset (capped, so a bad header cannot stall a run).
 */
class RateGate {
  private resumeAt = 0;
  observe(rl: RateLimitInfo | undefined): void {
    if (rl?.remaining !== undefined && rl.remaining <= 0 && rl.reset) this.resumeAt = Math.min(rl.reset.getTime(), Date.now() + 60_000);
  }
  async wait(): Promise<void> {
    const ms = this.resumeAt - Date.now();
    if (ms > 0) {
      log().info({ waitMs: ms }, 'alpaca rate limit reached; waiting for the reset');
      await sleep(ms);
    }
  }
}

/** The SDK request for our order, validated: nothing malformed is ever sent. */
function toPostOrderRequest(o: OrderRequest): trading.PostOrderRequest {
  const where = `order ${o.clientOrderId}`;
  if (!o.clientOrderId || o.clientOrderId.length > 128) throw new InputError(`${where}: client order id must be 1 to 128 characters`);
  if (!o.symbol) throw new InputError(`${where}: empty symbol`);
  if (o.side !== 'buy' && o.side !== 'sell') throw new InputError(`${where}: side must be buy or sell`);
  if (o.type !== 'market' || o.timeInForce !== 'day') throw new InputError(`${where}: only market orders with day time in force are supported`);
  const hasNotional = o.notional !== undefined;
  if (hasNotional === (o.qty !== undefined)) throw new InputError(`${where}: give exactly one of notional and qty`);
  const amount = (hasNotional ? o.notional : o.qty) as number;
  if (!Number.isFinite(amount) || amount <= 0) throw new InputError(`${where}: ${hasNotional ? 'notional' : 'qty'} must be a positive number, got ${amount}`);
  // Notional is rounded down to the cent: never more than the limits approved.
  const notional = hasNotional ? Math.floor(amount * 100 + 1e-6) / 100 : undefined;
  if (notional !== undefined && notional <= 0) throw new InputError(`${where}: notional ${amount} is less than a cent`);
  const qty = hasNotional ? undefined : decimalString(amount, 9);
  if (qty === '0') throw new InputError(`${where}: qty ${amount} is below Alpaca's 9 decimals`);
  return {
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: 'market',
    timeInForce: 'day',
    ...(notional !== undefined ? { notional: notional.toFixed(2) } : { qty }),
  };
}

/** The order the broker returned must be this intent: a mismatch is a bug or an id collision. */
function sameIntent(found: BrokerOrder, o: OrderRequest, what: string): BrokerOrder {
  if (found.clientOrderId !== o.clientOrderId || found.symbol.toUpperCase() !== o.symbol.toUpperCase() || found.side !== o.side) {
    throw new AegisError(`${what}: the broker's order ${found.id} under this client_order_id is ${found.side} ${found.symbol}; refusing to take it for this intent`);
  }
  const asked = o.notional ?? o.qty;
  const has = o.notional !== undefined ? found.notional : found.qty;
  if (asked !== undefined && (has === null || Math.abs(has - asked) > 0.01 + 1e-9 * asked)) {
    // Same intent, another amount: an earlier run sized it differently. It stands; say so.
    log().warn({ clientOrderId: o.clientOrderId, asked, existing: has }, 'alpaca: the existing order for this intent has another amount; keeping it');
  }
  return found;
}

function isDuplicate(err: unknown): boolean {
  // 40010001 is Alpaca's code for many validation failures: the message is what says "duplicate".
  return err instanceof ApiError && err.status === 422 && /client_order_id must be unique/i.test(err.message);
}

/**
 * Could the order have been created? Only a definitive 4xx answer says no. Timeouts, dropped
 * connections, 5xx, 408, 429 and anything unexpected (an unreadable 2xx body) count as maybe.
 */
function isAmbiguous(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status >= 500 || err.status === 408 || err.status === 429 || err.status < 400;
}

function rejection(err: unknown, o: OrderRequest, what: string): Error {
  const api = err as ApiError;
  const message =
    api.status === 401
      ? classifyAlpacaError(err, what).message
      : `${what}: Alpaca refused the order (${api.status}${api.code ? `, code ${api.code}` : ''}): ${firstLine(api)}`;
  return new OrderRejectedError(message, o.clientOrderId, { cause: err, status: api.status, code: api.code });
}

const STATUS: Record<string, BrokerOrderStatus> = {
  new: 'new',
  accepted: 'accepted',
  accepted_for_bidding: 'accepted',
  partially_filled: 'partially_filled',
  filled: 'filled',
  done_for_day: 'done_for_day',
  canceled: 'canceled',
  expired: 'expired',
  replaced: 'replaced',
  rejected: 'rejected',
};

/** Normalise an SDK order; an unfamiliar status reads as `pending` (live, may still fill). */
function toBrokerOrder(o: trading.Order): BrokerOrder {
  const raw = String(o.status ?? '');
  if (!o.id || !o.clientOrderId || !o.symbol || (o.side !== 'buy' && o.side !== 'sell')) {
    throw new AegisError(`alpaca: an order answer lacks id, client_order_id, symbol or side (order ${o.id ?? '?'})`);
  }
  return {
    id: o.id,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    status: STATUS[raw] ?? 'pending',
    rawStatus: raw,
    notional: o.notional == null ? null : num(o.notional, `order ${o.id} notional`),
    qty: o.qty == null ? null : num(o.qty, `order ${o.id} qty`),
    filledQty: o.filledQty == null ? 0 : num(o.filledQty, `order ${o.id} filled_qty`),
    filledAvgPrice: o.filledAvgPrice == null ? null : num(o.filledAvgPrice, `order ${o.id} filled_avg_price`),
    submittedAt: o.submittedAt ? iso(o.submittedAt) : null,
    filledAt: o.filledAt ? iso(o.filledAt) : null,
  };
}

/** A money or quantity string as a number; garbage is an error, never a silent NaN. */
function num(x: string | number | null | undefined, what: string): number {
  const n = typeof x === 'number' ? x : Number(x);
  if (x == null || x === '' || !Number.isFinite(n)) throw new AegisError(`alpaca: ${what} is not a number (${JSON.stringify(x)})`);
  return n;
}

function iso(d: Date): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new AegisError(`alpaca: invalid timestamp ${String(d)}`);
  return d.toISOString();
}

/** A decimal without exponent or trailing zeros, at most `places` decimals. */
function decimalString(x: number, places: number): string {
  return x.toFixed(places).replace(/\.?0+$/, '');
}

function firstLine(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
