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

/**
 * Positions in {-1, 0, 1} per asset and day as two bit planes, 32 bars per 32-bit word: bar
 * g = a*T + t (asset-major like the panel) is bit g % 32 of word g >> 5. A bar is long (+1) where
 * its `long` bit is set, short (-1) where its `short` bit is set (only where `long` is not), flat
 * otherwise; `short` null means no short at all. This is how the strategy evaluator computes a
 * rule's positions (and packPositions makes them from one byte per bar).
 */
export interface PositionPlanes {
  long: Int32Array;
  short: Int32Array | null;
}

/** Words of a plane of n bars. */
function planeWords(n: number): number {
  return (n + 31) >>> 5;
}

/** The planes of positions given one byte (-1, 0 or 1) per bar. */
export function packPositions(values: Int8Array): PositionPlanes {
  const words = planeWords(values.length);
  const long = new Int32Array(words);
  const short = new Int32Array(words);
  for (let g = 0; g < values.length; g++) {
    if (values[g] > 0) long[g >>> 5] |= 1 << (g & 31);
    else if (values[g] < 0) short[g >>> 5] |= 1 << (g & 31);
  }
  return { long, short };
}

/** The position (-1, 0 or 1) of bar g of some planes. */
export function positionAt(long: Int32Array, short: Int32Array | null, g: number): number {
  if ((long[g >>> 5] >>> (g & 31)) & 1) return 1;
  return short !== null && (short[g >>> 5] >>> (g & 31)) & 1 ? -1 : 0;
}

export interface SimulationInput {
  panel: Panel;
  /**
   * Target weight of each asset, decided at each day's close: Float64Array(N*T), asset-major like
   * the panel. Negative = short. The gross weight of a day is scaled down to 1 if it exceeds 1
   * (cash-only, no leverage). Give either `targets` or `positions`.
   */
  targets?: Float64Array;
  /**
   * The same as positions x capital weight per asset (target = position[a*T+t] * weights[a]): what
   * a single rule on an allocation produces; spares the caller building a Float64Array of targets.
   * The positions come as bit planes (see PositionPlanes).
   */
  positions?: PositionPlanes & { weights: Float64Array };
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

/** Reusable buffers for repeated simulations of the same window (the fitness hot path). */
export interface SimulationScratch {
  /** Per-asset state reused between calls of the same size (allocating it every call fed the GC). */
  book?: RoundTrips;
  events?: TargetEvents;
  equity?: Float64Array;
  returns?: Float64Array;
  exposure?: Float64Array;
  turnover?: Float64Array;
}

/**
 * The one simulator of Aegis. At each day's close the portfolio is marked, and the decision of that
 * close (the day's targets) becomes orders: for each asset, the notional that moves its value to
 * target weight x equity at the close (the rebalance band and minimum notional may skip it). The
 * orders are executed at day t+1's open, at the open moved against the trader by the slippage,
 * plus commission: sells first, then buys scaled down so cash never goes negative (cash-only, no
 * leverage). Fractional shares. This is exactly how the deploy stage trades: notional orders
 * computed after the close, filled at the next open.
 *
 * An asset without a bar on a day cannot trade that day (its order waits for the next close's
 * decision) and is valued at its last close. The window starts flat with `initialCapital` in cash;
 * the first orders are those of day start-1's decision, executed at day start's open.
 *
 * Implementation: targets change on few days, so they are scanned once into per-day change lists;
 * each close then looks only at the assets whose target changed, the held assets (drift against
 * the band) and the orders that could not execute. The result is the same as deciding every asset
 * every day (tests compare it with such a reference), at a fraction of the cost.
 */
export function simulate(input: SimulationInput, scratch?: SimulationScratch): SimulationResult {
  const { panel, start, end, execution, initialCapital } = input;
  const { N, T } = panel;
  // Day-major prices (see dayMajorPrices): day t's opens at t*S + a, its last known closes at t*S + N + a.
  const prices = dayMajorPrices(panel);
  const S = 2 * N; // one day's row: N opens, then N closes
  if (!(start >= 0 && end <= T && start < end)) throw new RangeError(`bad window [${start}, ${end}) of ${T} days`);
  const L = end - start;
  const slip = execution.slippageBps / 10_000;
  const comm = execution.commissionBps / 10_000;
  const minComm = execution.minCommission;
  const band = execution.rebalanceBand;
  const minNotional = execution.minOrderNotional;
  const detailed = Boolean(input.detailed);
  const first = Math.max(0, start - 1);
  const events = scanTargets(input, N, T, first, end - 1, scratch);

  const equity = outputBuffer(scratch, 'equity', L);
  const returns = outputBuffer(scratch, 'returns', L);
  const exposure = outputBuffer(scratch, 'exposure', L);
  const turnover = outputBuffer(scratch, 'turnover', L);
  const weights = detailed ? new Float64Array(N * L) : undefined;
  const book = scratch && !detailed && scratch.book?.fits(N) ? scratch.book.reset() : new RoundTrips(N, detailed);
  if (scratch && !detailed) scratch.book = book;
  book.band = band;
  const { shares, orderNotional, exitAll, orderList, sellList, held, retry, fillArgs } = book;
  const heldValue = book.heldValue;
  let orderCount = 0;
  let cash = initialCapital;
  let costs = 0;
  let prevEquity = initialCapital;

  const num = book.decideNum;
  num[EQUITY] = 0;
  num[BAND] = band;
  num[MIN_NOTIONAL] = minNotional;
  const ctx: DecideContext = { book, events, stamp: 0, num, prices, closeRow: 0 };
  if (start > 0) {
    ctx.num[EQUITY] = initialCapital;
    ctx.closeRow = (start - 1) * S + N;
    orderCount = decide(ctx, start - 1);
  }

  for (let i = 0; i < L; i++) {
    const t = start + i;
    let traded = 0;

    if (orderCount > 0 || book.sellCount > 0) {
      // Sells (and short sales) first: they bring the cash in.
      for (let k = 0; k < book.sellCount; k++) {
        const a = sellList[k];
        const o = prices[t * S + a];
        if (!(o === o)) {
          retry.add(a); // no bar today: decide again at the close
          continue;
        }
        const qty = exitAll[a] ? shares[a] : -orderNotional[a] / o;
        if (!(qty > 0)) continue;
        const fill = o * (1 - slip);
        const fee = Math.max(minComm, qty * o * comm);
        const proceeds = qty * fill - fee;
        cash += proceeds;
        costs += qty * (o - fill) + fee;
        traded += qty * o;
        fillArgs[FILL_QTY] = -qty;
        fillArgs[FILL_PRICE] = o;
        fillArgs[FILL_CASH] = proceeds;
        book.fill(a, i);
      }
      // Buys, scaled down together if cash would go negative; covering a short is never scaled.
      let need = 0;
      for (let k = 0; k < orderCount; k++) {
        const a = orderList[k];
        const o = prices[t * S + a];
        if (!(o === o)) retry.add(a); // no bar today: decide again at the close
        else if (!exitAll[a] && orderNotional[a] > 0 && shares[a] >= 0) need += orderNotional[a] * (1 + slip) + Math.max(minComm, orderNotional[a] * comm);
      }
      const scale = need > cash ? affordableScale(prices, t * S, book, orderCount, cash, slip, comm, minComm) : 1;
      for (let k = 0; k < orderCount; k++) {
        const a = orderList[k];
        const o = prices[t * S + a];
        if (!(o === o)) continue;
        let qty = exitAll[a] ? (shares[a] < 0 ? -shares[a] : 0) : orderNotional[a] > 0 ? orderNotional[a] / o : 0;
        if (qty <= 0) continue;
        if (!exitAll[a] && shares[a] >= 0 && scale < 1) {
          qty *= scale;
          retry.add(a); // short of its target: decide again at the close
          // What is left of an order cut to (almost) nothing is rounding, not a trade.
          if (qty * o < Math.max(minNotional, DUST * prevEquity)) continue;
        }
        if (qty <= 0) continue;
        const fill = o * (1 + slip);
        const fee = Math.max(minComm, qty * o * comm);
        const paid = qty * fill + fee;
        cash -= paid;
        costs += qty * (fill - o) + fee;
        traded += qty * o;
        fillArgs[FILL_QTY] = qty;
        fillArgs[FILL_PRICE] = o;
        fillArgs[FILL_CASH] = -paid;
        book.fill(a, i);
      }
    }

    // Mark to the close. Only held assets need a price: a flat asset's value is 0 whatever it is.
    // (A held asset without a bar today is valued at its last close: the closes are forward-filled.)
    // Two partial sums each: a single running sum is a chain of dependent additions, one per
    // holding, and the day waited on it.
    const closeRow = t * S + N;
    const heldCount = book.heldCount;
    let even = 0;
    let odd = 0;
    let grossEven = 0;
    let grossOdd = 0;
    let h = 0;
    for (; h + 1 < heldCount; h += 2) {
      const a = held[h];
      const b = held[h + 1];
      const v = shares[a] * prices[closeRow + a];
      const u = shares[b] * prices[closeRow + b];
      heldValue[h] = v;
      heldValue[h + 1] = u;
      even += v;
      odd += u;
      grossEven += v < 0 ? -v : v;
      grossOdd += u < 0 ? -u : u;
    }
    if (h < heldCount) {
      const a = held[h];
      const v = shares[a] * prices[closeRow + a];
      heldValue[h] = v;
      even += v;
      grossEven += v < 0 ? -v : v;
    }
    const value = cash + (even + odd);
    const grossValue = grossEven + grossOdd;
    equity[i] = value;
    returns[i] = prevEquity > 0 ? value / prevEquity - 1 : 0;
    exposure[i] = value > 0 ? grossValue / value : 0;
    turnover[i] = prevEquity > 0 ? traded / prevEquity : 0;
    if (weights) for (let a = 0; a < N; a++) weights[a * L + i] = value > 0 && shares[a] !== 0 ? (shares[a] * prices[closeRow + a]) / value : 0;
    prevEquity = value;
    if (i + 1 < L && !quietClose(book, events, t, value)) {
      ctx.num[EQUITY] = value;
      ctx.closeRow = closeRow;
      orderCount = decide(ctx, t);
    } else {
      orderCount = 0;
      book.sellCount = 0;
    }
  }

  // Positions still open at the end: their round trips are marked to the last close.
  for (let a = 0; a < N; a++) if (shares[a] !== 0) book.markOpen(a, L - 1, prices[(end - 1) * S + N + a]);

  return withDates(panel, start, end, {
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
  });
}

/**
 * An output series of length L, reused from the scratch when it has one of that size (not
 * cleared: the day loop writes every element).
 */
function outputBuffer(scratch: SimulationScratch | undefined, k: 'equity' | 'returns' | 'exposure' | 'turnover', L: number): Float64Array {
  if (!scratch) return new Float64Array(L);
  const b = scratch[k];
  return b && b.length === L ? b : (scratch[k] = new Float64Array(L));
}

/**
 * The result, its dates copied only when read: the fitness path never reads them, and copying them
 * costs more than the rest. (Built here, so that simulate() has no closure: variables a closure
 * captures live in a heap context, and every read of them in the day loop becomes a memory load.)
 */
function withDates(panel: Panel, start: number, end: number, fields: Omit<SimulationResult, 'dates'>): SimulationResult {
  return {
    get dates() {
      return panel.dates.slice(start, end);
    },
    ...fields,
  };
}

const dayMajor = new WeakMap<Panel, Float64Array>();

/**
 * The panel's opens and closes in day-major order, computed once per panel: day t's row holds the
 * N opens at t*2N and the N closes right after them. A day reads a few assets' prices from one
 * contiguous row already in cache, rather than from N distant places; opens next to closes, so
 * the opens an order executes at are fetched together with the closes of the same day.
 *
 * The closes are each asset's last known close (forward-filled over days without a bar, 0 before
 * its first bar), which is what a holding is valued at; the opens are left as they are, since a
 * day without an open is a day the asset cannot trade.
 */
function dayMajorPrices(panel: Panel): Float64Array {
  let dm = dayMajor.get(panel);
  if (!dm) {
    const { N, T } = panel;
    dm = new Float64Array(2 * N * T);
    for (let a = 0; a < N; a++) {
      let last = 0;
      for (let t = 0; t < T; t++) {
        const c = panel.close[a * T + t];
        if (c === c) last = c;
        dm[t * 2 * N + a] = panel.open[a * T + t];
        dm[t * 2 * N + N + a] = last;
      }
    }
    dayMajor.set(panel, dm);
  }
  return dm;
}

/**
 * The days on which an asset's target changes: the simulator visits an asset on the days its
 * target changes instead of every day. Per decision day, a bit mask of the assets that change
 * (one 32-bit word per 32 assets), so a day's changes come out in asset order, and setting a bit
 * is one write next to the previous day's: targets are read once, asset by asset (sequentially in
 * memory). The new target: on the fitness path, the new position's bits beside the change's
 * (times the asset's weight); else the scaled target weights kept by scanWeights. A day whose
 * gross weight exceeds 1 is scaled down to 1 first.
 */
export interface TargetEvents {
  firstDay: number;
  /** Words per day: ceil(N / 32). */
  stride: number;
  /** Bit a % 32 of changed[(d - firstDay) * stride + (a >> 5)]: asset a's target changes at decision day d. */
  changed: Int32Array;
  /**
   * The positions path: the new position of a change, in the same layout as `changed` (bits are
   * meaningful only where `changed` has one): long where `toLong` is set, short where `toShort`
   * is, flat else; the target is that times weights[a].
   */
  toLong: Int32Array;
  toShort: Int32Array;
  weights: Float64Array | null;
  /** The general path: target of asset a at decision day d = rows[a * days + d - firstDay]. */
  rows: Float64Array;
  days: number;
}

function scanTargets(input: SimulationInput, N: number, T: number, firstDay: number, lastDay: number, scratch?: SimulationScratch): TargetEvents {
  const days = Math.max(0, lastDay - firstDay);
  const stride = (N + 31) >> 5;
  const ev = scratch?.events && scratch.events.changed.length === days * stride ? scratch.events : newEvents(days * stride);
  ev.firstDay = firstDay;
  ev.stride = stride;
  ev.days = days;
  ev.changed.fill(0);
  const positions = input.positions;
  let gross = 0;
  if (positions) for (let a = 0; a < N; a++) gross += Math.abs(positions.weights[a]);
  if (positions && gross <= 1 + 1e-9) {
    // The fitness path: positions in {-1, 0, 1} times a weight per asset whose total is at most 1,
    // so no day can exceed a gross weight of 1. Changes are found on the bit planes directly.
    const { long, short, weights } = positions;
    const words = planeWords(N * T);
    if (long.length < words || (short !== null && short.length < words) || weights.length !== N) throw new RangeError(`positions do not fit the panel (${N}x${T})`);
    ev.weights = weights;
    scanPositions(ev, long, short, weights, N, T, firstDay, days);
  } else {
    if (input.targets && input.targets.length !== N * T) throw new RangeError(`targets has ${input.targets.length} values, expected ${N * T}`);
    if (!input.targets && !positions) throw new RangeError('simulate needs targets or positions');
    ev.weights = null;
    scanWeights(ev, input, N, T, firstDay, days);
  }
  if (scratch) scratch.events = ev;
  return ev;
}

/** The changes of general target weights (any sign and size, NaN = 0): ev's masks, and the scaled targets in ev.rows. */
function scanWeights(ev: TargetEvents, input: SimulationInput, N: number, T: number, firstDay: number, days: number): void {
  const rows = (ev.rows = ev.rows.length === N * days ? ev.rows : new Float64Array(N * days));
  for (let a = 0; a < N; a++) {
    const base = a * T + firstDay;
    const at = a * days;
    if (input.targets) {
      const tg = input.targets;
      for (let d = 0; d < days; d++) {
        const w = tg[base + d];
        rows[at + d] = w === w ? w : 0;
      }
    } else {
      const { long, short, weights } = input.positions!;
      for (let d = 0; d < days; d++) rows[at + d] = positionAt(long, short, base + d) * weights[a];
    }
  }
  // Days whose gross weight exceeds 1 are scaled down to 1.
  const dayGross = new Float64Array(days);
  for (let a = 0; a < N; a++) for (let d = 0; d < days; d++) dayGross[d] += Math.abs(rows[a * days + d]);
  for (let d = 0; d < days; d++) dayGross[d] = dayGross[d] > 1 + 1e-9 ? 1 / dayGross[d] : 1;
  const { changed, stride } = ev;
  for (let a = 0; a < N; a++) {
    const at = a * days;
    const word = a >> 5;
    const bit = 1 << (a & 31);
    let prev = 0;
    for (let d = 0; d < days; d++) {
      const w = rows[at + d] * dayGross[d];
      rows[at + d] = w;
      if (w !== prev) {
        changed[d * stride + word] |= bit;
        prev = w;
      }
    }
  }
}

/**
 * The changes of positions x weights into ev's masks, asset by asset, 32 days at a time: a plane
 * word XOR the same word shifted by one day has a bit set exactly on the days whose bit differs
 * from the day before, and most words have none (positions come in long runs). Before the
 * window's first day the position is flat. Top-level with everything in locals: it runs twice per
 * fitness evaluation.
 */
function scanPositions(ev: TargetEvents, long: Int32Array, short: Int32Array | null, weights: Float64Array, N: number, T: number, firstDay: number, days: number): void {
  const { changed, toLong, toShort, stride } = ev;
  for (let a = 0; a < N; a++) {
    if (weights[a] === 0 || days === 0) continue; // a weight of 0 makes every position flat: no change at all
    const word = a >> 5;
    const bit = 1 << (a & 31);
    const base = a * T + firstDay;
    const end = base + days;
    const first = base >>> 5;
    const last = (end - 1) >>> 5;
    let carryLong = 0;
    let carryShort = 0;
    for (let j = first; j <= last; j++) {
      const x = long[j];
      const y = short === null ? 0 : short[j];
      // Each bar's bit of the day before: the bit below, or the previous word's top bit.
      let beforeLong = (x << 1) | carryLong;
      let beforeShort = (y << 1) | carryShort;
      let range = -1;
      if (j === first) {
        const lo = base & 31;
        range = -1 << lo;
        beforeLong &= ~(1 << lo); // flat before the first day
        beforeShort &= ~(1 << lo);
      }
      if (j === last) {
        const hi = end - (j << 5); // 1..32 bars of this asset in the last word
        if (hi < 32) range &= (1 << hi) - 1;
      }
      carryLong = x >>> 31;
      carryShort = y >>> 31;
      let diff = ((x ^ beforeLong) | (y ^ beforeShort)) & range;
      while (diff !== 0) {
        const low = diff & -diff;
        const at = ((j << 5) + 31 - Math.clz32(low) - base) * stride + word;
        changed[at] |= bit;
        toLong[at] = (x & low) !== 0 ? toLong[at] | bit : toLong[at] & ~bit;
        toShort[at] = (y & low) !== 0 ? toShort[at] | bit : toShort[at] & ~bit;
        diff ^= low;
      }
    }
  }
}

function newEvents(size: number): TargetEvents {
  return {
    firstDay: 0,
    stride: 1,
    changed: new Int32Array(size),
    toLong: new Int32Array(size),
    toShort: new Int32Array(size),
    weights: null,
    rows: new Float64Array(0),
    days: 0,
  };
}

/** Orders cut by the cash constraint to less than this fraction of equity are not sent. */
const DUST = 1e-9;

/** What a close's decision reads and updates (the simulator's state lives in the book). */
interface DecideContext {
  book: RoundTrips;
  events: TargetEvents;
  /** Increments at each close: an asset is considered at most once per close. */
  stamp: number;
  /**
   * The numbers of the decision: equity at the close, band, minimum notional. In a typed array
   * because a double passed to (or returned from) a function the compiler does not inline is
   * boxed on the heap, and the day loop then allocated several numbers a day.
   */
  num: Float64Array;
  /** The day-major prices and the offset of the deciding day's closes in them. */
  prices: Float64Array;
  closeRow: number;
}

/** Indices into DecideContext.num. */
const EQUITY = 0;
const BAND = 1;
const MIN_NOTIONAL = 2;

/**
 * The orders of day t's decision, sized on the equity at t's close: buys listed in
 * book.orderList (their count returned), sells in book.sellList. Looks at the assets whose
 * target changes today, those whose order waits, and the held ones (top-level and with local
 * copies of the arrays: this runs every day, and closures over the simulator's variables made
 * every access a memory load).
 */
function decide(ctx: DecideContext, t: number): number {
  const { book, events } = ctx;
  const equityClose = ctx.num[EQUITY];
  ++ctx.stamp;
  book.sellCount = 0;
  const { target, held, heldValue, inBandLow, inBandHigh } = book;
  let count = 0;
  // The orders that wait from earlier (too small to open, no bar, cut by the cash): taken out
  // before this close decides anything, so that an asset this close puts back waits for the next.
  const waiting = book.retry.size > 0 ? book.retry.drainInto(book.waiting) : 0;
  const d = t - events.firstDay;
  const { changed, stride, weights } = events;
  for (let k = 0; k < stride; k++) {
    const at = d * stride + k;
    let m = changed[at];
    const toLong = events.toLong[at];
    const toShort = events.toShort[at];
    while (m !== 0) {
      const low = m & -m; // the lowest asset left: assets in order
      m ^= low;
      const a = (k << 5) + 31 - Math.clz32(low);
      if (weights === null) target[a] = events.rows[a * events.days + d];
      else target[a] = (toLong & low) !== 0 ? weights[a] : (toShort & low) !== 0 ? -weights[a] : 0;
      book.refreshBand(a);
      count = consider(ctx, a, count);
    }
  }
  for (let k = 0; k < waiting; k++) count = consider(ctx, book.waiting[k], count);
  // The held assets: most days their value is safely within the band of their target (bounds
  // kept per holding, on the value marked at this close); only the others go through consider(),
  // which decides exactly (and skips an asset already considered at this close).
  const heldCount = book.heldCount;
  const e = equityClose;
  for (let h = 0; h < heldCount; h++) {
    const v = heldValue[h];
    if (e > 0 && v >= inBandLow[h] * e && v <= inBandHigh[h] * e) continue;
    count = consider(ctx, held[h], count);
  }
  return count;
}

/**
 * True when day t's close surely decides no order: no target changes today, no order waiting, and
 * every holding within its band (the same check as decide's, on the values just marked). Most
 * closes are such, and the simulator then skips decide() altogether; when this says false,
 * decide() looks at everything again.
 */
function quietClose(book: RoundTrips, events: TargetEvents, t: number, equity: number): boolean {
  if (book.retry.size > 0) return false;
  const { changed, stride } = events;
  const at = (t - events.firstDay) * stride;
  for (let k = 0; k < stride; k++) if (changed[at + k] !== 0) return false;
  const { heldValue, inBandLow, inBandHigh } = book;
  const heldCount = book.heldCount;
  if (heldCount > 0 && !(equity > 0)) return false;
  for (let h = 0; h < heldCount; h++) {
    const v = heldValue[h];
    if (!(v >= inBandLow[h] * equity && v <= inBandHigh[h] * equity)) return false;
  }
  return true;
}

/** Decide one asset, once per close: an order into book.orderList, or a retry, or nothing. */
function consider(ctx: DecideContext, a: number, count: number): number {
  const { book, stamp, num } = ctx;
  if (book.seen[a] === stamp) return count;
  book.seen[a] = stamp;
  const code = orderRule(book.target, book.shares, a, ctx.prices, ctx.closeRow + a, num, book.orderNotional);
  // Sells go to sellList, buys (covers included) to orderList: each execution loop visits its own.
  if (code === ORDER_EXIT) {
    book.exitAll[a] = 1;
    book.orderNotional[a] = 0;
    if (book.shares[a] > 0) book.sellList[book.sellCount++] = a;
    else book.orderList[count++] = a;
  } else if (code === ORDER_WAIT) {
    book.retry.add(a);
  } else if (code === ORDER_TRADE) {
    book.exitAll[a] = 0;
    if (book.orderNotional[a] < 0) book.sellList[book.sellCount++] = a;
    else book.orderList[count++] = a;
  }
  return count;
}

/** orderFor's answers that are not a notional. */
export const HOLD = Number.NaN;
export const EXIT = Number.POSITIVE_INFINITY;
export const WAIT = Number.NEGATIVE_INFINITY;

/**
 * The rule that turns a target weight into an order, shared by the simulator and the deploy stage
 * (so paper and live trading act exactly as backtests do). Given the target weight `w`, the shares
 * held `s` at price `price`, and the equity at the close: EXIT (sell or cover everything) when the
 * target is 0 and something is held; HOLD when nothing needs doing (flat and target 0, or the
 * weight is within `band` x |target| of the target on the same side, or the order would be below
 * `minNotional` while holding); WAIT when the order cannot be sized (no equity) or is too small to
 * open a position today; otherwise the signed notional to trade (+ buy, - sell).
 */
export function orderFor(w: number, s: number, price: number, equity: number, band: number, minNotional: number): number {
  const x = ONE_ORDER;
  x.target[0] = w;
  x.shares[0] = s;
  x.price[0] = price;
  x.num[EQUITY] = equity;
  x.num[BAND] = band;
  x.num[MIN_NOTIONAL] = minNotional;
  const code = orderRule(x.target, x.shares, 0, x.price, 0, x.num, x.notional);
  return code === ORDER_TRADE ? x.notional[0] : code === ORDER_EXIT ? EXIT : code === ORDER_WAIT ? WAIT : HOLD;
}

const ONE_ORDER = { target: new Float64Array(1), shares: new Float64Array(1), price: new Float64Array(1), num: new Float64Array(3), notional: new Float64Array(1) };

/** orderRule's answers. */
const ORDER_HOLD = 0;
const ORDER_EXIT = 1;
const ORDER_WAIT = 2;
const ORDER_TRADE = 3;

/**
 * orderFor on asset `a` of the simulator's arrays, its close at prices[priceAt] (num: equity,
 * band, minimum notional): returns an ORDER_* code and, for ORDER_TRADE, writes the notional to
 * notional[a]. Arrays in, a small integer out: the simulator calls it for every order, and
 * doubles crossing a call the compiler does not inline are boxed on the heap.
 */
function orderRule(target: Float64Array, shares: Float64Array, a: number, prices: Float64Array, priceAt: number, num: Float64Array, notional: Float64Array): number {
  const w = target[a];
  const s = shares[a];
  if (w === 0 || !(w === w)) return s !== 0 ? ORDER_EXIT : ORDER_HOLD;
  const equity = num[EQUITY];
  if (equity <= 0) return ORDER_WAIT;
  const current = s * prices[priceAt];
  if (s !== 0 && s > 0 === w > 0) {
    const drift = current / equity - w;
    if ((drift < 0 ? -drift : drift) <= num[BAND] * (w < 0 ? -w : w)) return ORDER_HOLD;
  }
  const delta = w * equity - current;
  if ((delta < 0 ? -delta : delta) < num[MIN_NOTIONAL]) return s === 0 ? ORDER_WAIT : ORDER_HOLD;
  notional[a] = delta;
  return ORDER_TRADE;
}

/**
 * The fraction of today's opening buys that the cash pays for, fees and slippage included. The
 * minimum commission makes the cost piecewise linear in the fraction, so it is found by bisection
 * (only on days a buy would overdraw the account).
 */
function affordableScale(open: Float64Array, row: number, book: RoundTrips, count: number, cash: number, slip: number, comm: number, minComm: number): number {
  const { orderList, exitAll, orderNotional, shares } = book;
  const cost = (s: number) => {
    let total = 0;
    for (let k = 0; k < count; k++) {
      const a = orderList[k];
      const p = open[row + a];
      if (!(p === p) || exitAll[a] || orderNotional[a] <= 0) continue;
      const notional = shares[a] < 0 ? orderNotional[a] : orderNotional[a] * s;
      total += notional * (1 + slip) + Math.max(minComm, notional * comm);
    }
    return total;
  };
  if (cost(1) <= cash) return 1;
  // Without a minimum commission the cost is linear in the fraction: solve it, and check.
  const fixed = cost(0);
  const linear = (cash - fixed) / (cost(1) - fixed);
  if (minComm === 0 && linear >= 0 && cost(linear) <= cash * (1 + 1e-12)) return Math.min(1, Math.max(0, linear * (1 - 1e-12)));
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 50; k++) {
    const mid = (lo + hi) / 2;
    if (cost(mid) <= cash) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Indices into RoundTrips.fillArgs. */
const FILL_QTY = 0;
const FILL_PRICE = 1;
const FILL_CASH = 2;

/** A set of asset indices in insertion order, cleared as a whole. */
class RetryList {
  readonly items: Int32Array;
  size = 0;
  private readonly member: Uint8Array;
  constructor(n: number) {
    this.items = new Int32Array(n);
    this.member = new Uint8Array(n);
  }
  add(a: number): void {
    if (this.member[a]) return;
    this.member[a] = 1;
    this.items[this.size++] = a;
  }
  /** Move the members into `out` and empty the set; returns how many. */
  drainInto(out: Int32Array): number {
    const n = this.size;
    for (let k = 0; k < n; k++) {
      out[k] = this.items[k];
      this.member[this.items[k]] = 0;
    }
    this.size = 0;
    return n;
  }
  clear(): void {
    this.member.fill(0);
    this.size = 0;
  }
}

/**
 * Positions and their round trips. A round trip runs while an asset's position keeps its sign; a
 * fill that crosses zero closes it with its first part and opens one on the other side with the
 * rest (the cash flow is split in proportion). Long: money back over money in. Short: profit over
 * the proceeds of the short sale.
 */
export class RoundTrips {
  readonly shares: Float64Array;
  /** Orders decided at a close for the next open: notional (+ buy, - sell) or a full exit. */
  readonly orderNotional: Float64Array;
  readonly exitAll: Uint8Array;
  /**
   * The assets with an order, so that a day's execution visits only them: buys (covers included)
   * in orderList (their count is what decide() returns), sells in the first sellCount of sellList.
   */
  readonly orderList: Int32Array;
  readonly sellList: Int32Array;
  sellCount = 0;
  /** Current target weight of each asset (updated on the days it changes). */
  readonly target: Float64Array;
  /** The assets with a position (the first heldCount entries), in no particular order. */
  readonly held: Int32Array;
  heldCount = 0;
  private readonly heldAt: Int32Array;
  /** Assets whose order could not execute or was cut: decided again at the next close. */
  readonly retry: RetryList;
  /** The decision stamp each asset was last considered at (once per close). */
  readonly seen: Int32Array;
  /** Working space for the retry list of a close. */
  readonly waiting: Int32Array;
  /** Value of each holding (by its place in `held`) at the last close: shares x last price. */
  readonly heldValue: Float64Array;
  /**
   * Per holding (by its place in `held`): the range of value / equity inside which the weight is
   * surely within the rebalance band of the target (empty when the target is 0 or on the other
   * side). The daily check of every holding compares with it; only the holdings outside go
   * through the exact rule (orderRule).
   */
  readonly inBandLow: Float64Array;
  readonly inBandHigh: Float64Array;
  /** The rebalance band of the current simulation. */
  band = 0;
  /**
   * The numbers of the next fill(). Passed in a typed array, not as arguments: a double passed to a
   * method the compiler does not inline is boxed on the heap (three allocations per fill, measured
   * as most of the fitness path's garbage).
   */
  readonly fillArgs = new Float64Array(3);
  /** DecideContext.num, kept here so that a simulation reusing the book allocates no typed array. */
  readonly decideNum = new Float64Array(3);
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
    this.orderNotional = new Float64Array(n);
    this.exitAll = new Uint8Array(n);
    this.orderList = new Int32Array(n);
    this.sellList = new Int32Array(n);
    this.target = new Float64Array(n);
    this.held = new Int32Array(n);
    this.heldAt = new Int32Array(n).fill(-1);
    this.retry = new RetryList(n);
    this.seen = new Int32Array(n);
    this.waiting = new Int32Array(n);
    this.heldValue = new Float64Array(n);
    this.inBandLow = new Float64Array(n);
    this.inBandHigh = new Float64Array(n);
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
    this.orderNotional.fill(0);
    this.exitAll.fill(0);
    this.target.fill(0);
    this.heldAt.fill(-1);
    this.heldCount = 0;
    this.retry.clear();
    this.seen.fill(0);
    this.inflow.fill(0);
    this.outflow.fill(0);
    this.entryDay.fill(-1);
    this.side.fill(0);
    this.count = 0;
    this.sellCount = 0;
    return this;
  }

  /**
   * A fill of asset `a` on `day`: fillArgs holds the shares (+ buy, - sell), the reference price and
   * the signed cash flow (costs included).
   */
  fill(a: number, day: number): void {
    const q = this.fillArgs[FILL_QTY];
    const before = this.shares[a];
    // The two common fills get small methods of their own (the general case gives the same
    // result for them), which the compiler can inline into the day loop.
    if (before === 0 && q !== 0) this.openFromFlat(a, day);
    else if (before !== 0 && q === -before) this.closeAll(a, day);
    else this.fillAny(a, day);
  }

  /** fill() of an asset with no position. */
  private openFromFlat(a: number, day: number): void {
    const q = this.fillArgs[FILL_QTY];
    const cashFlow = this.fillArgs[FILL_CASH];
    this.shares[a] = q;
    this.hold(a);
    if (this.entryDay[a] < 0) {
      this.entryDay[a] = day;
      this.side[a] = q > 0 ? 1 : -1;
    }
    if (q > 0) this.outflow[a] += -cashFlow;
    else this.inflow[a] += cashFlow;
    if (this.prices) {
      const price = this.fillArgs[FILL_PRICE];
      this.prices.entryQty[a] += q > 0 ? q : -q;
      this.prices.entryNotional[a] += (q > 0 ? q : -q) * price;
    }
    this.refreshBand(a);
  }

  /** fill() of the whole position, back to flat. */
  private closeAll(a: number, day: number): void {
    const before = this.shares[a];
    const cashFlow = this.fillArgs[FILL_CASH];
    if (before > 0) this.inflow[a] += cashFlow;
    else this.outflow[a] += -cashFlow;
    if (this.prices) {
      const price = this.fillArgs[FILL_PRICE];
      this.prices.exitQty[a] += before > 0 ? before : -before;
      this.prices.exitNotional[a] += (before > 0 ? before : -before) * price;
    }
    this.shares[a] = 0;
    this.release(a);
    this.end(a, day, false);
  }

  /** fill() in general: a part of a position, an addition to it, or a flip to the other side. */
  private fillAny(a: number, day: number): void {
    const q = this.fillArgs[FILL_QTY];
    const price = this.fillArgs[FILL_PRICE];
    const cashFlow = this.fillArgs[FILL_CASH];
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
    if (before === 0 && settled !== 0) this.hold(a);
    else if (before !== 0 && settled === 0) this.release(a);
    if (settled !== 0) this.refreshBand(a);
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

  /**
   * Recompute a holding's in-band range after its target or its side changed. The range is
   * narrower than the band by a relative 1e-9, far more than the rounding of the daily check, so
   * whatever it passes the exact rule would also hold; a value near the edge goes to the rule.
   */
  refreshBand(a: number): void {
    const h = this.heldAt[a];
    if (h < 0) return;
    const w = this.target[a];
    const s = this.shares[a];
    const aw = w < 0 ? -w : w;
    const inner = this.band * aw - 1e-9 * aw;
    if (aw > 0 && s > 0 === w > 0 && inner >= 0) {
      this.inBandLow[h] = w - inner;
      this.inBandHigh[h] = w + inner;
    } else {
      this.inBandLow[h] = Number.POSITIVE_INFINITY; // nothing is inside: always decided exactly
      this.inBandHigh[h] = Number.NEGATIVE_INFINITY;
    }
  }

  private hold(a: number): void {
    this.heldAt[a] = this.heldCount;
    this.held[this.heldCount++] = a;
  }

  private release(a: number): void {
    const at = this.heldAt[a];
    const last = this.held[--this.heldCount];
    this.held[at] = last;
    this.heldAt[last] = at;
    this.heldAt[a] = -1;
    this.inBandLow[at] = this.inBandLow[this.heldCount];
    this.inBandHigh[at] = this.inBandHigh[this.heldCount];
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
