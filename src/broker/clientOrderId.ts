import { createHash } from 'node:crypto';
import { InputError } from '../domain/errors.js';
import type { OrderSide } from './types.js';

/** What one order is for: the same intent always gets the same client order id. */
export interface OrderIntent {
  /** The deployment placing the order; 12 and "12" are the same deployment. */
  deploymentId: number | string;
  /** The exchange date the order is for, `YYYY-MM-DD`. */
  tradingDay: string;
  symbol: string;
  side: OrderSide;
  /**
   * 0 (the default) for the first order of an intent. Brokers keep a client order id unique
   * forever, even after the order was canceled or rejected, so deliberately placing a new order for
   * the same intent (after a terminal rejection) needs a new attempt number. Never bump it to
   * "retry" a submission whose fate is unknown: that is what the same id is for.
   */
  attempt?: number;
}

export const CLIENT_ORDER_ID_PREFIX = 'aegis-';
/** Alpaca's limit on client_order_id. */
export const MAX_CLIENT_ORDER_ID_LENGTH = 128;

const MAX_DEPLOYMENT_CHARS = 24;
const MAX_SYMBOL_CHARS = 16;

/**
 * The client order id of an intent, e.g. `aegis-d12-20260610-SPY-buy-3f9a0c1e`: readable in the
 * broker's dashboard, at most 89 characters (Alpaca allows 128). Pure: the same intent always
 * gives the same id, which is what makes a rerun after a crash find the order instead of placing a
 * second one.
 *
 * The readable part is sanitised and truncated (so `BRK.B` and `BRK/B` could read alike); the
 * trailing 8 hex digits of a SHA-256 of the raw intent tell such intents apart.
 */
export function clientOrderId(intent: OrderIntent): string {
  const deployment = String(intent.deploymentId);
  const attempt = intent.attempt ?? 0;
  if (!deployment) throw new InputError('client order id: empty deployment id');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(intent.tradingDay)) throw new InputError(`client order id: trading day must be YYYY-MM-DD, got ${JSON.stringify(intent.tradingDay)}`);
  if (!intent.symbol) throw new InputError('client order id: empty symbol');
  if (intent.side !== 'buy' && intent.side !== 'sell') throw new InputError(`client order id: side must be buy or sell, got ${JSON.stringify(intent.side)}`);
  if (!Number.isSafeInteger(attempt) || attempt < 0) throw new InputError(`client order id: attempt must be a non-negative integer, got ${attempt}`);

  const hash = createHash('sha256')
    .update(JSON.stringify([deployment, intent.tradingDay, intent.symbol, intent.side, attempt]))
    .digest('hex')
    .slice(0, 8);
  const parts = [
    'aegis',
    `d${readable(deployment, /[^A-Za-z0-9]/g, MAX_DEPLOYMENT_CHARS)}`,
    intent.tradingDay.replaceAll('-', ''),
    readable(intent.symbol, /[^A-Za-z0-9.]/g, MAX_SYMBOL_CHARS),
    intent.side,
    ...(attempt > 0 ? [`r${attempt}`] : []),
    hash,
  ];
  return parts.join('-');
}

/**
 * The start every client order id of a deployment shares (`aegis-d12_3f9a0c1e-`): how the orders of
 * one deployment are told apart from everything else on the account.
 */
export function clientOrderIdPrefix(deploymentId: number | string): string {
  return `${CLIENT_ORDER_ID_PREFIX}d${readable(String(deploymentId), /[^A-Za-z0-9]/g, MAX_DEPLOYMENT_CHARS)}-`;
}

/** True for ids this module made: orders placed by something else are not ours to reconcile. */
export function isAegisClientOrderId(id: string): boolean {
  return id.startsWith(CLIENT_ORDER_ID_PREFIX);
}

function readable(text: string, unsafe: RegExp, max: number): string {
  return text.replace(unsafe, '_').slice(0, max);
}
