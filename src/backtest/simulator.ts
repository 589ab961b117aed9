import type { Panel } from '../domain/types.js';

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

/**
 * The one simulator of Aegis. A decision made at day t's close (targets[t]) is executed at day
 * t+1's open, at the open moved against the trader by the slippage, plus commission. Cash-only:
 * sells are executed before buys, and buys are scaled down so cash never goes negative. Fractional
 * shares. An asset without a bar on a day cannot trade that day and is valued at its last close.
 *
 * The window starts flat with `initialCapital` in cash; the first executions happen at the open of
 * day `start`, from the decisions of day start-1 (when start > 0).
 */
export function simulate(input: SimulationInput): SimulationResult {
  const { panel, targets, start, end, execution, initialCapital } = input;
  const { N, T, open, close } = panel;
  if (!(start >= 0 && end <= T && start < end)) throw new RangeError(`bad window [${start}, ${end}) of ${T} days`);
  if (targets.length !== N * T) throw new RangeError(`targets has ${targets.length} values, expected ${N * T}`);
  const L = end - start;
  const slip = execution.slippageBps / 10_000;
  const comm = execution.commissionBps / 10_000;
  const minComm = execution.minCommission;
  const band = execution.rebalanceBand;
  const minNotional = execution.minOrderNotional;
  const detailed = Boolean(input.detailed);

  const shares = new Float64Array(N);
  const lastPrice = new Float64Array(N).fill(Number.NaN);
  const want = new Float64Array(N); // desired shares after today's executions
  // The open round trip of each asset: cash it took in and paid out since it opened, fills for prices.
  const inflow = new Float64Array(N);
  const outflow = new Float64Array(N);
  const entryDay = new Int32Array(N).fill(-1);
  const side = new Int8Array(N); // +1 long, -1 short: the side of the open round trip
  const entryQty = new Float64Array(N);
  const entryNotional = new Float64Array(N);
  const exitQty = new Float64Array(N);
  const exitNotional = new Float64Array(N);

  const equity = new Float64Array(L);
  const returns = new Float64Array(L);
  const exposure = new Float64Array(L);
  const turnover = new Float64Array(L);
  const tradeRets: number[] = [];
  const tradeDays: number[] = [];
  const trades: Trade[] | undefined = detailed ? [] : undefined;
  const weights = detailed ? new Float64Array(N * L) : undefined;
  let cash = initialCapital;
  let costs = 0;
  let prevEquity = initialCapital;

  // The last close before the window values a held asset that has no bar on a day.
  for (let a = 0; a < N; a++) {
    for (let t = start - 1; t >= 0; t--) {
      const c = close[a * T + t];
      if (c === c) {
        lastPrice[a] = c;
        break;
      }
    }
  }

  for (let i = 0; i < L; i++) {
    const t = start + i;
    const decision = t - 1; // executed today at the open
    let traded = 0;

    if (decision >= 0) {
      // Equity at the open, every asset at its open (or its last close when it has no bar today).
      let equityOpen = cash;
      let gross = 0;
      for (let a = 0; a < N; a++) {
        const o = open[a * T + t];
        if (shares[a] !== 0) equityOpen += shares[a] * (o === o ? o : lastPrice[a]);
        const w = targets[a * T + decision];
        if (w === w) gross += w < 0 ? -w : w;
      }
      const scale = gross > 1 ? 1 / gross : 1;

      // Desired shares per asset (unchanged where the asset cannot trade or the band holds).
      let anyOrder = false;
      for (let a = 0; a < N; a++) {
        want[a] = shares[a];
        const o = open[a * T + t];
        if (!(o === o) || equityOpen <= 0) continue;
        let w = targets[a * T + decision];
        if (!(w === w)) w = 0;
        w *= scale;
        const current = shares[a];
        if (w === 0) {
          if (current !== 0) {
            want[a] = 0;
            anyOrder = true;
          }
          continue;
        }
        const targetShares = (w * equityOpen) / o;
        if (current !== 0 && current > 0 === w > 0) {
          const drift = (current * o) / equityOpen - w;
          if ((drift < 0 ? -drift : drift) <= band * (w < 0 ? -w : w)) continue;
          if (Math.abs(targetShares - current) * o < minNotional) continue;
        } else if (current === 0 && Math.abs(targetShares) * o < minNotional) continue;
        want[a] = targetShares;
        anyOrder = true;
      }

      if (anyOrder) {
        // Sells (and short sales) first: they bring the cash in.
        for (let a = 0; a < N; a++) {
          const qty = shares[a] - want[a];
          if (qty <= 0) continue;
          const o = open[a * T + t];
          const fill = o * (1 - slip);
          const fee = Math.max(minComm, qty * o * comm);
          const proceeds = qty * fill - fee;
          cash += proceeds;
          costs += qty * (o - fill) + fee;
          traded += qty * o;
          book(a, i, -qty, o, proceeds);
        }
        // Buys, scaled down together if cash would go negative; covering a short is never scaled.
        const buyScale = affordableBuyScale(t);
        for (let a = 0; a < N; a++) {
          let qty = want[a] - shares[a];
          if (qty <= 0) continue;
          if (shares[a] >= 0) qty *= buyScale;
          if (qty <= 0) continue;
          const o = open[a * T + t];
          const fill = o * (1 + slip);
          const fee = Math.max(minComm, qty * o * comm);
          const paid = qty * fill + fee;
          cash -= paid;
          costs += qty * (fill - o) + fee;
          traded += qty * o;
          book(a, i, qty, o, -paid);
        }
      }
    }

    // Mark to the close.
    let value = cash;
    let grossValue = 0;
    for (let a = 0; a < N; a++) {
      const c = close[a * T + t];
      if (c === c) lastPrice[a] = c;
      if (shares[a] !== 0) {
        const v = shares[a] * lastPrice[a];
        value += v;
        grossValue += v < 0 ? -v : v;
      }
    }
    equity[i] = value;
    returns[i] = prevEquity > 0 ? value / prevEquity - 1 : 0;
    exposure[i] = value > 0 ? grossValue / value : 0;
    turnover[i] = prevEquity > 0 ? traded / prevEquity : 0;
    if (weights) for (let a = 0; a < N; a++) weights[a * L + i] = value > 0 && shares[a] !== 0 ? (shares[a] * lastPrice[a]) / value : 0;
    prevEquity = value;
  }

  // Positions still open at the end: their round trips are marked to the last close.
  for (let a = 0; a < N; a++) {
    if (shares[a] === 0) continue;
    const qty = Math.abs(shares[a]);
    const mark = qty * lastPrice[a];
    if (shares[a] > 0) inflow[a] += mark;
    else outflow[a] += mark;
    exitQty[a] += qty;
    exitNotional[a] += mark;
    endRoundTrip(a, L - 1, true);
  }

  return {
    dates: panel.dates.slice(start, end),
    equity,
    returns,
    exposure,
    turnover,
    tradeReturns: Float64Array.from(tradeRets),
    tradeEntries: Int32Array.from(tradeDays),
    costs,
    trades,
    weights,
  };

  /**
   * The fraction of today's opening buys that the cash pays for, fees and slippage included (1 when
   * it pays for all). The minimum commission makes the cost piecewise linear in the fraction, so
   * the fraction is found by bisection (this runs only on days a buy would overdraw the account).
   */
  function affordableBuyScale(t: number): number {
    const cost = (s: number) => {
      let total = 0;
      for (let a = 0; a < N; a++) {
        const qty = want[a] - shares[a];
        if (qty <= 0) continue;
        const q = shares[a] >= 0 ? qty * s : qty;
        const notional = q * open[a * T + t];
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
   * Apply a fill of `q` shares (positive buy, negative sell) at reference price `price` with the
   * signed cash flow `cashFlow` (fees and slippage included) to the position and its round trips.
   * A fill that crosses zero closes the round trip with its first part and opens one on the other
   * side with the rest; the cash flow is split in proportion.
   */
  function book(a: number, day: number, q: number, price: number, cashFlow: number): void {
    const before = shares[a];
    const after = before + q;
    const absQ = q < 0 ? -q : q;
    let closing = 0;
    if (before !== 0 && (after === 0 || after > 0 !== before > 0)) closing = before < 0 ? -before : before;
    else if (before !== 0 && (after > 0) === (before > 0) && Math.abs(after) < Math.abs(before)) closing = absQ;
    const part = closing / absQ;
    if (closing > 0) {
      if (before > 0) inflow[a] += cashFlow * part; // selling a long brings money back
      else outflow[a] += -cashFlow * part; // buying back a short costs money
      exitQty[a] += closing;
      exitNotional[a] += closing * price;
    }
    shares[a] = Math.abs(after) < 1e-12 * absQ ? 0 : after;
    if (closing > 0 && (shares[a] === 0 || shares[a] > 0 !== before > 0)) endRoundTrip(a, day, false);
    const opening = absQ - closing;
    if (opening > 0 && shares[a] !== 0) {
      if (entryDay[a] < 0) {
        entryDay[a] = day;
        side[a] = shares[a] > 0 ? 1 : -1;
      }
      if (shares[a] > 0) outflow[a] += -cashFlow * (1 - part); // a long costs money going in
      else inflow[a] += cashFlow * (1 - part); // a short sale brings money in
      entryQty[a] += opening;
      entryNotional[a] += opening * price;
    }
  }

  /** Record the round trip of asset a and reset its bookkeeping. */
  function endRoundTrip(a: number, day: number, stillOpen: boolean): void {
    const long = side[a] > 0;
    // Long: money back over money in. Short: profit over the proceeds of the short sale.
    const r = long ? (outflow[a] > 0 ? inflow[a] / outflow[a] - 1 : 0) : inflow[a] > 0 ? (inflow[a] - outflow[a]) / inflow[a] : 0;
    tradeRets.push(r);
    tradeDays.push(entryDay[a]);
    if (trades) {
      trades.push({
        symbol: panel.symbols[a],
        side: long ? 'long' : 'short',
        entryDate: panel.dates[start + entryDay[a]],
        exitDate: stillOpen ? null : panel.dates[start + day],
        entryPrice: entryQty[a] > 0 ? entryNotional[a] / entryQty[a] : 0,
        exitPrice: exitQty[a] > 0 ? exitNotional[a] / exitQty[a] : 0,
        return: r,
        bars: day - entryDay[a],
      });
    }
    inflow[a] = outflow[a] = entryQty[a] = entryNotional[a] = exitQty[a] = exitNotional[a] = 0;
    entryDay[a] = -1;
    side[a] = 0;
  }

}
