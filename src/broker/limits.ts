import type { OrderSide } from './types.js';

/** An order the deploy stage would like to send, sized in currency. */
export interface ProposedOrder {
  symbol: string;
  side: OrderSide;
  notional: number;
}

/** Pre-trade limits (deploy.limits in the config, plus what was already traded today). */
export interface TradeLimits {
  /** Largest notional of any single order. */
  maxOrderNotional: number;
  /** Largest |position value| / equity of any symbol after the order. */
  maxPositionWeight: number;
  /** Most orders one run may send. */
  maxOrdersPerRun: number;
  /** Most notional traded in one day, as a multiple of equity (1 = the whole equity once). */
  maxDailyTurnover: number;
  /** Notional already traded today by earlier runs. */
  alreadyTradedToday: number;
}

export type LimitName = 'invalid' | 'maxOrderNotional' | 'maxOrdersPerRun' | 'equity' | 'maxPositionWeight' | 'maxDailyTurnover';

export interface DeniedOrder<O> {
  order: O;
  /** Which limit refused it. */
  limit: LimitName;
  /** One line for the operator, with the numbers. */
  reason: string;
}

export interface LimitCheck<O> {
  /** The orders that may be sent, in the order they should be sent (risk-reducing first). */
  allowed: O[];
  denied: DeniedOrder<O>[];
}

/**
 * Relative tolerance of every comparison, so an order sized exactly at a limit is not refused for
 * floating-point rounding: 1e-9 is a thousandth of a cent on a million.
 */
export const LIMIT_TOLERANCE = 1e-9;

/**
 * Split proposed orders into allowed and denied; an allowed order never breaks a limit. Pure.
 *
 * Rules, in the order they are checked:
 * 1. `invalid`: a notional that is not a positive finite number, an empty symbol, a bad side.
 * 2. `maxOrderNotional`: applies to every order, including risk-reducing ones.
 * 3. `maxOrdersPerRun`: a hard cap on what one run sends, for every order. Risk-reducing orders
 *    are considered first, so they get the slots before anything that adds risk.
 * 4. Risk-reducing orders are then allowed: an order is risk-reducing when it moves a position
 *    toward zero without crossing it (a sell of at most the long value, a buy of at most the short
 *    value), judged against the position as earlier allowed orders of this run left it. They may
 *    exceed the turnover budget and need no positive equity: getting smaller is always permitted.
 *    A sell larger than the long position opens a short and is judged as risk-adding in full.
 * 5. Risk-adding orders also need: `equity` > 0; `maxPositionWeight`: |position value after the
 *    order| <= maxPositionWeight x equity; `maxDailyTurnover`: alreadyTradedToday + everything
 *    allowed so far in this run (risk-reducing orders included, they are traded notional too) + this
 *    order <= maxDailyTurnover x equity.
 *
 * Orders are never resized: a denied order is denied whole, and the caller decides what to do.
 * Orders are judged in this sequence: risk-reducing ones (against the starting positions) first,
 * then the rest, each group in the given order. A limit that is NaN or negative allows nothing it
 * governs. Equity is taken as constant through the run (buying with cash does not change it).
 */
export function checkLimits<O extends ProposedOrder>(input: {
  orders: readonly O[];
  equity: number;
  positions: readonly { symbol: string; marketValue: number }[];
  limits: TradeLimits;
}): LimitCheck<O> {
  const { orders, equity, limits } = input;
  const value = new Map<string, number>();
  for (const p of input.positions) value.set(p.symbol, (value.get(p.symbol) ?? 0) + p.marketValue);
  const valueOf = (s: string) => value.get(s) ?? 0;

  const reducingFirst = [...orders.filter((o) => isValid(o) && isReducing(o, valueOf(o.symbol))), ...orders.filter((o) => !(isValid(o) && isReducing(o, valueOf(o.symbol))))];
  const allowed: O[] = [];
  const denied: DeniedOrder<O>[] = [];
  const budget = limits.maxDailyTurnover * equity;
  let traded = Math.max(0, limits.alreadyTradedToday);

  for (const o of reducingFirst) {
    const deny = (limit: LimitName, reason: string) => denied.push({ order: o, limit, reason });
    if (!isValid(o)) {
      deny('invalid', `${describe(o)}: notional must be a positive number, symbol non-empty, side buy or sell`);
      continue;
    }
    if (!within(o.notional, limits.maxOrderNotional)) {
      deny('maxOrderNotional', `${describe(o)}: notional ${money(o.notional)} exceeds maxOrderNotional ${money(limits.maxOrderNotional)}`);
      continue;
    }
    if (!(allowed.length < limits.maxOrdersPerRun)) {
      deny('maxOrdersPerRun', `${describe(o)}: maxOrdersPerRun ${limits.maxOrdersPerRun} reached`);
      continue;
    }
    const current = valueOf(o.symbol);
    const next = current + signed(o);
    if (!isReducing(o, current)) {
      if (!(equity > 0)) {
        deny('equity', `${describe(o)}: equity is ${equity}, not positive: only risk-reducing orders are allowed`);
        continue;
      }
      if (!within(Math.abs(next), limits.maxPositionWeight * equity)) {
        deny('maxPositionWeight', `${describe(o)}: ${o.symbol} would weigh ${pct(Math.abs(next) / equity)} of equity, over maxPositionWeight ${pct(limits.maxPositionWeight)}`);
        continue;
      }
      if (!within(traded + o.notional, budget)) {
        deny('maxDailyTurnover', `${describe(o)}: turnover today would reach ${money(traded + o.notional)}, over ${money(budget)} (maxDailyTurnover ${limits.maxDailyTurnover} x equity ${money(equity)})`);
        continue;
      }
    }
    allowed.push(o);
    traded += o.notional;
    value.set(o.symbol, next);
  }
  return { allowed, denied };
}

/**
 * True when the order moves the position toward zero without crossing it. Exported so tests and
 * reports use the same definition.
 */
export function isReducing(o: ProposedOrder, positionValue: number): boolean {
  if (positionValue === 0 || !Number.isFinite(positionValue)) return false;
  const opposite = o.side === 'sell' ? positionValue > 0 : positionValue < 0;
  return opposite && within(o.notional, Math.abs(positionValue));
}

/** `x <= limit`, with the relative tolerance; false whenever either side is NaN. */
export function within(x: number, limit: number): boolean {
  return x <= limit + LIMIT_TOLERANCE * Math.max(1, Math.abs(limit));
}

function isValid(o: ProposedOrder): boolean {
  return Number.isFinite(o.notional) && o.notional > 0 && typeof o.symbol === 'string' && o.symbol.length > 0 && (o.side === 'buy' || o.side === 'sell');
}

function signed(o: ProposedOrder): number {
  return o.side === 'buy' ? o.notional : -o.notional;
}

function describe(o: ProposedOrder): string {
  return `${o.side} ${o.symbol} ${money(o.notional)}`;
}

function money(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : String(x);
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : String(x);
}
