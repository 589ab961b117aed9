import { AegisError } from '../domain/errors.js';

/**
 * The Broker port: everything the deploy stage needs from a broker, and nothing that depends on
 * which broker it is. Paper trading is a different implementation of this port (a simulator, or
 * Alpaca's paper endpoint), never an `if (paper)` in shared code.
 *
 * Conventions: amounts are numbers in the account currency; instants are ISO-8601 UTC strings;
 * dates are exchange dates `YYYY-MM-DD`. Short positions have negative `qty` and `marketValue`.
 */
export interface Broker {
  /** Human-readable broker name for logs and the database (`alpaca`, `sim`). */
  readonly name: string;
  /** Whether orders move real money. Decided at construction, never inferred later. */
  readonly mode: BrokerMode;
  account(): Promise<BrokerAccount>;
  clock(): Promise<BrokerClock>;
  /** Trading sessions between two exchange dates, both inclusive. */
  calendar(from: string, to: string): Promise<BrokerSession[]>;
  positions(): Promise<BrokerPosition[]>;
  /**
   * Submit one order, exactly once. Implementations must be safe to call again with the same
   * `clientOrderId` after a crash or an ambiguous failure: the second call returns the order the
   * first one created instead of creating another.
   */
  submitOrder(o: OrderRequest): Promise<BrokerOrder>;
  /** The order with this client order id, or null when the broker does not know it. */
  getOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null>;
  /** Orders by status, oldest first; `after` (ISO instant, exclusive) bounds the submission time. */
  listOrders(q: { status: 'open' | 'closed' | 'all'; after?: string }): Promise<BrokerOrder[]>;
  /** Cancel an open order. Cancelling an order that is already canceled or expired succeeds. */
  cancelOrder(brokerId: string): Promise<void>;
}

export type BrokerMode = 'paper' | 'live';
export type OrderSide = 'buy' | 'sell';

export interface BrokerAccount {
  /** The broker's account id: show it so the operator can confirm which account trades. */
  id: string;
  /** The broker's account status, verbatim (Alpaca: `ACTIVE`, `ACCOUNT_UPDATED`, ...). */
  status: string;
  /** True when the broker says the account may not trade now; nothing should be submitted. */
  tradingBlocked: boolean;
  cash: number;
  equity: number;
  buyingPower: number;
  currency: string;
}

export interface BrokerClock {
  timestamp: string;
  isOpen: boolean;
  nextOpen: string;
  nextClose: string;
}

export interface BrokerSession {
  date: string;
  /** Local exchange time of the regular open, `HH:MM`. */
  open: string;
  /** Local exchange time of the regular close, `HH:MM` (early closes included). */
  close: string;
}

export interface BrokerPosition {
  symbol: string;
  qty: number;
  marketValue: number;
  avgEntryPrice: number;
}

/**
 * One order to place. Exactly one of `notional` (currency amount) and `qty` (shares, fractional
 * allowed) is given. `clientOrderId` is the idempotency key: derive it deterministically from the
 * intent (see clientOrderId.ts) so a rerun after a crash reuses it.
 */
export interface OrderRequest {
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  notional?: number;
  qty?: number;
  type: 'market';
  timeInForce: 'day';
}

/**
 * Order states, normalised across brokers. `pending` covers every state where the order is live
 * but not resting normally at the venue (pending_new, pending_cancel, held, ...): the safe reading
 * of an unfamiliar state is "still live, may still fill".
 */
export type BrokerOrderStatus =
  | 'new'
  | 'accepted'
  | 'pending'
  | 'partially_filled'
  | 'filled'
  | 'done_for_day'
  | 'canceled'
  | 'expired'
  | 'replaced'
  | 'rejected';

/** States after which an order will never fill further. */
export const TERMINAL_STATUSES: ReadonlySet<BrokerOrderStatus> = new Set(['filled', 'canceled', 'expired', 'replaced', 'rejected']);

/** True when the order can no longer change (no more fills, nothing to cancel). */
export function isTerminal(status: BrokerOrderStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export interface BrokerOrder {
  /** The broker's own order id (needed to cancel). */
  id: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  status: BrokerOrderStatus;
  /** The broker's status word, verbatim, for the audit trail. */
  rawStatus: string;
  /** Ordered amount, when the order was notional. */
  notional: number | null;
  /** Ordered shares, when the order was by quantity. */
  qty: number | null;
  filledQty: number;
  filledAvgPrice: number | null;
  submittedAt: string | null;
  filledAt: string | null;
}

/**
 * The broker definitely refused the order: it was not created, and sending the same request again
 * would be refused again (insufficient buying power, an unknown symbol, a malformed amount).
 */
export class OrderRejectedError extends AegisError {
  /** The broker's HTTP status and error code, when it answered with one. */
  readonly status?: number;
  readonly code?: number | string;
  constructor(
    message: string,
    readonly clientOrderId: string,
    options?: { cause?: unknown; status?: number; code?: number | string },
  ) {
    super(message, options);
    this.status = options?.status;
    this.code = options?.code;
  }
}

/**
 * We could not learn whether the order exists (the submission failed ambiguously and the lookup
 * failed too, or every bounded attempt failed). Nothing more was sent. Reconcile by
 * `clientOrderId` before acting on this intent again: resubmitting with the same id is safe, since
 * the broker refuses duplicates, but a new id would not be.
 */
export class OrderStateUnknownError extends AegisError {
  constructor(
    message: string,
    readonly clientOrderId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
