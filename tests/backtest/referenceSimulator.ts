/**
 * The reference simulator: the straightforward version that decides every asset every day (the
 * one the fast simulator replaced). Kept for tests only: the fast simulator must agree with it.
 */
import type { Panel } from '../../src/domain/types.js';

/**
 * How orders are filled and charged. The same numbers are used by evolve's fitness, by backtest and
 * by the local sim broker (config section `execution`).
 */
export interface Execution {
  /** Adverse price move on every fill, in basis points (a buy pays open * (1 + s), a sell gets open * (1 - s)). */
  slippageBps: number;
  /** Commission in basis points of the traded notional. */
  commissionBps: number;
  /** Minimum commission per order, in account currency. */
  minCommission: number;
  /**
   * Drift tolerance: a held position whose weight is within `band * |target|` of its target is not
   * traded (0 = rebalance every day). Entering, exiting and flipping always trade.
   */
  rebalanceBand: number;
  /** Orders smaller than this notional are skipped, except those that close a position. */
  minOrderNotional: number;
}

export interface SimulationInput {
  panel: Panel;
  /**
   * Target weight of each asset, decided at each day's close: Float64Array(N*T), asset-major like
   * the panel. Negative = short. The gross weight of a day is scaled down to 1 if it exceeds 1
   * (cash-only, no leverage).
   */
  targets: Float64Array;
  /** Simulate days [start, end) of the panel's calendar. */
  start: number;
  end: number;
  execution: Execution;
  initialCapital: number;
  /** Record the list of trades and the daily weights (backtest, reports); fitness does without. */
  detailed?: boolean;
}

export interface Trade {
  symbol: string;
  side: 'long' | 'short';
  entryDate: string;
  /** null while the position is still open at the end of the window (marked to the last close). */
  exitDate: string | null;
  /** Volume-weighted fill prices, costs excluded. */
  entryPrice: number;
  exitPrice: number;
  /** Net return of the round trip after slippage and commissions, as a fraction of the capital put in. */
  return: number;
  /** Trading days from entry to exit (or to the end). */
  bars: number;
}

export interface SimulationResult {
  /** The simulated days, dates[start..end). */
  dates: readonly string[];
  /** Equity at each day's close. */
  equity: Float64Array;
  /** Daily simple returns (the first against the initial capital). */
  returns: Float64Array;
  /** Gross exposure at each close: sum |position value| / equity. */
  exposure: Float64Array;
  /** Traded notional at each open / equity at that open. */
  turnover: Float64Array;
  /** Net return of each round trip (closed ones, then the ones still open at the end), in entry order. */
  tradeReturns: Float64Array;
  /** Entry day (index into `dates`) of each round trip, aligned with tradeReturns. */
  tradeEntries: Int32Array;
  /** Total commissions and slippage paid, in currency. */
  costs: number;
  /** Only with `detailed`. */
  trades?: Trade[];
  /** Only with `detailed`: weight of each asset at each close, Float64Array(N*L) asset-major over the window. */
  weights?: Float64Array;
}

/** Reusable output buffers for repeated simulations of the same window (the fitness hot path). */
export interface SimulationScratch {
  /** Per-asset state reused between calls of the same size (allocating it every call fed the GC). */
  book?: RoundTrips;
  targets?: Float64Array;
  equity?: Float64Array;
  returns?: Float64Array;
  exposure?: Float64Array;
  turnover?: Float64Array;
}

/**
 * The one simulator of Aegis. At each day's close the portfolio is marked, and the decision of that
 * close (targets[t]) becomes orders: for each asset, the notional that moves its value to
 * target weight x equity at the close (the rebalance band and minimum notional may skip it). The
 * orders are executed at day t+1's open, at the open moved against the trader by the slippage,
 * plus commission: sells first, then buys scaled down so cash never goes negative (cash-only, no
 * leverage). Fractional shares. This is exactly how the deploy stage trades: notional orders
 * computed after the close, filled at the next open.
 *
 * An asset without a bar on a day cannot trade that day (its order is dropped; the next close
 * decides again) and is valued at its last close. The window starts flat with `initialCapital`
 * in cash; the first orders are those of day start-1's decision, executed at day start's open.
 */
export function simulateReference(input: SimulationInput, scratch?: SimulationScratch): SimulationResult {
  const { panel, start, end, execution, initialCapital } = input;
  const { N, T } = panel;
  // Day-major copies (asset a on day t at t*N + a): the simulation walks day by day, and reading
  // each day's N values from N distant cache lines was the slowest part of it.
  const { open, close } = dayMajorPrices(panel);
  if (!(start >= 0 && end <= T && start < end)) throw new RangeError(`bad window [${start}, ${end}) of ${T} days`);
  if (input.targets.length !== N * T) throw new RangeError(`targets has ${input.targets.length} values, expected ${N * T}`);
  const targets = dayMajorTargets(input.targets, N, T, Math.max(0, start - 1), end, scratch);
  const L = end - start;
  const slip = execution.slippageBps / 10_000;
  const comm = execution.commissionBps / 10_000;
  const minComm = execution.minCommission;
  const band = execution.rebalanceBand;
  const minNotional = execution.minOrderNotional;
  const detailed = Boolean(input.detailed);

  const buf = (k: 'equity' | 'returns' | 'exposure' | 'turnover'): Float64Array => {
    if (!scratch) return new Float64Array(L);
    const b = scratch[k];
    return b && b.length === L ? b.fill(0) : (scratch[k] = new Float64Array(L));
  };
  const equity = buf('equity');
  const returns = buf('returns');
  const exposure = buf('exposure');
  const turnover = buf('turnover');
  const weights = detailed ? new Float64Array(N * L) : undefined;
  const book = scratch && !detailed && scratch.book?.fits(N) ? scratch.book.reset() : new RoundTrips(N, detailed);
  if (scratch && !detailed) scratch.book = book;

  const { shares, lastPrice, orderNotional, exitAll, orderList } = book;
  let orderCount = 0;
  let cash = initialCapital;
  let costs = 0;
  let prevEquity = initialCapital;

  // The last close before the window values a held asset that has no bar on a day.
  for (let a = 0; a < N; a++) {
    for (let t = start - 1; t >= 0; t--) {
      const c = close[t * N + a];
      if (c === c) {
        lastPrice[a] = c;
        break;
      }
    }
  }
  const orders: Orders = { targets, N, T, band, minNotional, shares, lastPrice, orderNotional, exitAll, orderList, gross: 0 };
  if (start > 0) orderCount = decide(orders, start - 1, initialCapital);

  for (let i = 0; i < L; i++) {
    const t = start + i;
    let traded = 0;

    if (orderCount > 0) {
      // Sells (and short sales) first: they bring the cash in.
      let need = 0;
      for (let k = 0; k < orderCount; k++) {
        const a = orderList[k];
        const o = open[t * N + a];
        if (!(o === o)) continue;
        const qty = exitAll[a] ? (shares[a] > 0 ? shares[a] : 0) : orderNotional[a] < 0 ? -orderNotional[a] / o : 0;
        if (qty <= 0) {
          if (!exitAll[a] && orderNotional[a] > 0 && shares[a] >= 0) need += orderNotional[a] * (1 + slip) + Math.max(minComm, orderNotional[a] * comm);
          continue;
        }
        const fill = o * (1 - slip);
        const fee = Math.max(minComm, qty * o * comm);
        const proceeds = qty * fill - fee;
        cash += proceeds;
        costs += qty * (o - fill) + fee;
        traded += qty * o;
        book.fill(a, i, -qty, o, proceeds);
      }
      // Buys, scaled down together if cash would go negative; covering a short is never scaled.
      const scale = need > cash ? affordableScale(open, t, orders, orderCount, cash, slip, comm, minComm) : 1;
      for (let k = 0; k < orderCount; k++) {
        const a = orderList[k];
        const o = open[t * N + a];
        if (!(o === o)) continue;
        let qty = exitAll[a] ? (shares[a] < 0 ? -shares[a] : 0) : orderNotional[a] > 0 ? orderNotional[a] / o : 0;
        if (qty <= 0) continue;
        if (!exitAll[a] && shares[a] >= 0 && scale < 1) {
          qty *= scale;
          // What is left of an order cut to (almost) nothing is rounding, not a trade.
          if (qty * o < Math.max(minNotional, 1e-9 * prevEquity)) continue;
        }
        if (qty <= 0) continue;
        const fill = o * (1 + slip);
        const fee = Math.max(minComm, qty * o * comm);
        const paid = qty * fill + fee;
        cash -= paid;
        costs += qty * (fill - o) + fee;
        traded += qty * o;
        book.fill(a, i, qty, o, -paid);
      }
    }

    // Mark to the close. Only held assets need a price: a flat asset's value is 0 whatever it is.
    let value = cash;
    let grossValue = 0;
    const row = t * N;
    for (let a = 0; a < N; a++) {
      const s = shares[a];
      if (s === 0) continue;
      const c = close[row + a];
      if (c === c) lastPrice[a] = c;
      const v = s * lastPrice[a];
      value += v;
      grossValue += v < 0 ? -v : v;
    }
    equity[i] = value;
    returns[i] = prevEquity > 0 ? value / prevEquity - 1 : 0;
    exposure[i] = value > 0 ? grossValue / value : 0;
    turnover[i] = prevEquity > 0 ? traded / prevEquity : 0;
    if (weights) for (let a = 0; a < N; a++) weights[a * L + i] = value > 0 && shares[a] !== 0 ? (shares[a] * lastPrice[a]) / value : 0;
    prevEquity = value;
    orderCount = i + 1 < L ? decide(orders, t, value) : 0;
  }

  // Positions still open at the end: their round trips are marked to the last close.
  for (let a = 0; a < N; a++) if (shares[a] !== 0) book.markOpen(a, L - 1, lastPrice[a]);

  return {
    // A getter: the fitness path never reads the dates, and copying them costs more than the rest.
    get dates() {
      return panel.dates.slice(start, end);
    },
    equity,
    returns,
    exposure,
    turnover,
    // Views into the reused book when a scratch is given (valid until the next call), else copies.
    tradeReturns: scratch && !detailed ? book.returns.subarray(0, book.count) : book.returns.slice(0, book.count),
    tradeEntries: scratch && !detailed ? book.entries.subarray(0, book.count) : book.entries.slice(0, book.count),
    costs,
    trades: detailed ? book.trades(panel, start) : undefined,
    weights,
  };

}

const dayMajorCache = new WeakMap<Panel, { open: Float64Array; close: Float64Array }>();

/** The panel's opens and closes in day-major order, computed once per panel. */
function dayMajorPrices(panel: Panel): { open: Float64Array; close: Float64Array } {
  let dm = dayMajorCache.get(panel);
  if (!dm) {
    const { N, T } = panel;
    const open = new Float64Array(N * T);
    const close = new Float64Array(N * T);
    for (let a = 0; a < N; a++) {
      for (let t = 0; t < T; t++) {
        open[t * N + a] = panel.open[a * T + t];
        close[t * N + a] = panel.close[a * T + t];
      }
    }
    dm = { open, close };
    dayMajorCache.set(panel, dm);
  }
  return dm;
}

/** Day-major copy of the targets of days [from, to); the other days are not read. */
function dayMajorTargets(targets: Float64Array, N: number, T: number, from: number, to: number, scratch?: SimulationScratch): Float64Array {
  const out = scratch?.targets?.length === N * T ? scratch.targets : new Float64Array(N * T);
  if (scratch) scratch.targets = out;
  for (let a = 0; a < N; a++) {
    const base = a * T;
    for (let t = from; t < to; t++) out[t * N + a] = targets[base + t];
  }
  return out;
}

/** What deciding a close's orders reads and writes. */
interface Orders {
  targets: Float64Array;
  N: number;
  T: number;
  band: number;
  minNotional: number;
  shares: Float64Array;
  lastPrice: Float64Array;
  orderNotional: Float64Array;
  exitAll: Uint8Array;
  orderList: Int32Array;
  /** Gross target weight of the last day decided. */
  gross: number;
}

/**
 * The orders of day t's decision, sized on the equity at t's close: listed in `orderList`, their
 * count returned.
 */
function decide(o: Orders, t: number, equityClose: number): number {
  const count = decideScaled(o, t, equityClose, 1);
  // Gross weight above 1 (rare: only hand-made or leveraged targets) is scaled down to 1.
  return o.gross > 1 + 1e-9 ? decideScaled(o, t, equityClose, 1 / o.gross) : count;
}

function decideScaled(o: Orders, t: number, equityClose: number, scale: number): number {
  const { targets, N, band, minNotional, shares, lastPrice, orderNotional, exitAll, orderList } = o;
  const inv = equityClose > 0 ? 1 / equityClose : 0;
  const live = +(equityClose > 0);
  let gross = 0;
  let count = 0;
  // Written to be nearly branch-free: the branchy version mispredicted on every other asset and
  // cost three times as much. lastPrice is 0 until an asset's first close, so s * p is 0 when flat.
  for (let a = 0; a < N; a++) {
    const raw = targets[t * N + a];
    const w = raw === raw ? raw * scale : 0;
    const s = shares[a];
    const current = s * lastPrice[a];
    const aw = w < 0 ? -w : w;
    gross += aw;
    const driftRaw = current * inv - w;
    const drift = driftRaw < 0 ? -driftRaw : driftRaw;
    const deltaRaw = w * equityClose - current;
    const delta = deltaRaw < 0 ? -deltaRaw : deltaRaw;
    // Booleans as 0/1 numbers, combined with bitwise operators: no branches.
    const exit = +(aw === 0) & +(s !== 0);
    const held = +(s * w > 0) & +(drift <= band * aw);
    const trade = +(aw > 0) & live & (held ^ 1) & +(delta >= minNotional);
    if (exit | trade) {
      exitAll[a] = exit;
      orderNotional[a] = exit ? 0 : deltaRaw;
      orderList[count++] = a;
    }
  }
  o.gross = gross / scale;
  return count;
}

/**
 * The fraction of today's opening buys that the cash pays for, fees and slippage included. The
 * minimum commission makes the cost piecewise linear in the fraction, so it is found by bisection
 * (only on days a buy would overdraw the account).
 */
function affordableScale(open: Float64Array, t: number, o: Orders, count: number, cash: number, slip: number, comm: number, minComm: number): number {
  const { orderList, exitAll, orderNotional, shares, N } = o;
  const cost = (s: number) => {
    let total = 0;
    for (let k = 0; k < count; k++) {
      const a = orderList[k];
      const p = open[t * N + a];
      if (!(p === p) || exitAll[a] || orderNotional[a] <= 0) continue;
      const notional = shares[a] < 0 ? orderNotional[a] : orderNotional[a] * s;
      total += notional * (1 + slip) + Math.max(minComm, notional * comm);
    }
    return total;
  };
  if (cost(1) <= cash) return 1;
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 50; k++) {
    const mid = (lo + hi) / 2;
    if (cost(mid) <= cash) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Positions and their round trips. A round trip runs while an asset's position keeps its sign; a
 * fill that crosses zero closes it with its first part and opens one on the other side with the
 * rest (the cash flow is split in proportion). Long: money back over money in. Short: profit over
 * the proceeds of the short sale.
 */
export class RoundTrips {
  readonly shares: Float64Array;
  /** Last known close of each asset. */
  readonly lastPrice: Float64Array;
  /** Orders decided at a close for the next open: notional (+ buy, - sell) or a full exit. */
  readonly orderNotional: Float64Array;
  readonly exitAll: Uint8Array;
  /** The assets with an order, so that a day's execution visits only them. */
  readonly orderList: Int32Array;
  /** Net return and entry day of each finished round trip (the first `count` entries). */
  returns: Float64Array = new Float64Array(64);
  entries: Int32Array = new Int32Array(64);
  count = 0;
  private readonly inflow: Float64Array;
  private readonly outflow: Float64Array;
  private readonly entryDay: Int32Array;
  private readonly side: Int8Array;
  // Fill prices, kept only for the detailed trade list.
  private readonly prices: { entryQty: Float64Array; entryNotional: Float64Array; exitQty: Float64Array; exitNotional: Float64Array } | null;
  private readonly records: { a: number; side: number; entry: number; exit: number; open: boolean; entryPrice: number; exitPrice: number; r: number }[] | null;

  constructor(n: number, detailed: boolean) {
    this.shares = new Float64Array(n);
    this.lastPrice = new Float64Array(n);
    this.orderNotional = new Float64Array(n);
    this.exitAll = new Uint8Array(n);
    this.orderList = new Int32Array(n);
    this.inflow = new Float64Array(n);
    this.outflow = new Float64Array(n);
    this.entryDay = new Int32Array(n).fill(-1);
    this.side = new Int8Array(n);
    this.prices = detailed
      ? { entryQty: new Float64Array(n), entryNotional: new Float64Array(n), exitQty: new Float64Array(n), exitNotional: new Float64Array(n) }
      : null;
    this.records = detailed ? [] : null;
  }

  fits(n: number): boolean {
    return this.shares.length === n && this.prices === null;
  }

  /** Empty books for the next simulation. */
  reset(): this {
    this.shares.fill(0);
    this.lastPrice.fill(0);
    this.orderNotional.fill(0);
    this.exitAll.fill(0);
    this.inflow.fill(0);
    this.outflow.fill(0);
    this.entryDay.fill(-1);
    this.side.fill(0);
    this.count = 0;
    return this;
  }

  /** A fill of q shares (+ buy, - sell) at reference price `price` with signed cash flow (costs included). */
  fill(a: number, day: number, q: number, price: number, cashFlow: number): void {
    const before = this.shares[a];
    const after = before + q;
    const absQ = q < 0 ? -q : q;
    let closing = 0;
    if (before !== 0) {
      if (after === 0 || after > 0 !== before > 0) closing = before < 0 ? -before : before;
      else if ((after < 0 ? -after : after) < (before < 0 ? -before : before)) closing = absQ;
    }
    if (closing > absQ) closing = absQ;
    const part = closing / absQ;
    if (closing > 0) {
      if (before > 0) this.inflow[a] += cashFlow * part;
      else this.outflow[a] += -cashFlow * part;
      if (this.prices) {
        this.prices.exitQty[a] += closing;
        this.prices.exitNotional[a] += closing * price;
      }
    }
    const settled = (after < 0 ? -after : after) <= 1e-9 * absQ ? 0 : after;
    this.shares[a] = settled;
    if (closing > 0 && (settled === 0 || settled > 0 !== before > 0)) this.end(a, day, false);
    const opening = absQ - closing;
    if (opening > 0 && settled !== 0) {
      if (this.entryDay[a] < 0) {
        this.entryDay[a] = day;
        this.side[a] = settled > 0 ? 1 : -1;
      }
      if (settled > 0) this.outflow[a] += -cashFlow * (1 - part);
      else this.inflow[a] += cashFlow * (1 - part);
      if (this.prices) {
        this.prices.entryQty[a] += opening;
        this.prices.entryNotional[a] += opening * price;
      }
    }
  }

  /** Close the books of a position still open at the end, marked at `price`. */
  markOpen(a: number, day: number, price: number): void {
    const s = this.shares[a];
    const qty = s < 0 ? -s : s;
    const mark = qty * price;
    if (s > 0) this.inflow[a] += mark;
    else this.outflow[a] += mark;
    if (this.prices) {
      this.prices.exitQty[a] += qty;
      this.prices.exitNotional[a] += mark;
    }
    this.end(a, day, true);
  }

  private end(a: number, day: number, stillOpen: boolean): void {
    const long = this.side[a] > 0;
    const inflow = this.inflow[a];
    const outflow = this.outflow[a];
    const r = long ? (outflow > 0 ? inflow / outflow - 1 : 0) : inflow > 0 ? (inflow - outflow) / inflow : 0;
    if (this.count === this.returns.length) {
      const returns = new Float64Array(this.returns.length * 2);
      returns.set(this.returns);
      const entries = new Int32Array(this.entries.length * 2);
      entries.set(this.entries);
      this.returns = returns;
      this.entries = entries;
    }
    this.returns[this.count] = r;
    this.entries[this.count] = this.entryDay[a];
    this.count += 1;
    if (this.records && this.prices) {
      const p = this.prices;
      this.records.push({
        a,
        side: this.side[a],
        entry: this.entryDay[a],
        exit: day,
        open: stillOpen,
        entryPrice: p.entryQty[a] > 0 ? p.entryNotional[a] / p.entryQty[a] : 0,
        exitPrice: p.exitQty[a] > 0 ? p.exitNotional[a] / p.exitQty[a] : 0,
        r,
      });
      p.entryQty[a] = p.entryNotional[a] = p.exitQty[a] = p.exitNotional[a] = 0;
    }
    this.inflow[a] = this.outflow[a] = 0;
    this.entryDay[a] = -1;
    this.side[a] = 0;
  }

  trades(panel: Panel, start: number): Trade[] {
    return (this.records ?? []).map((x) => ({
      symbol: panel.symbols[x.a],
      side: x.side > 0 ? 'long' : 'short',
      entryDate: panel.dates[start + x.entry],
      exitDate: x.open ? null : panel.dates[start + x.exit],
      entryPrice: x.entryPrice,
      exitPrice: x.exitPrice,
      return: x.r,
      bars: x.exit - x.entry,
    }));
  }
}
