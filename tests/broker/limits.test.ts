import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLimits, LIMIT_TOLERANCE, type LimitCheck, type ProposedOrder, type TradeLimits } from '../../src/broker/limits.js';

const LIMITS: TradeLimits = { maxOrderNotional: 50_000, maxPositionWeight: 0.5, maxOrdersPerRun: 10, maxDailyTurnover: 1, alreadyTradedToday: 0 };
const buy = (symbol: string, notional: number): ProposedOrder => ({ symbol, side: 'buy', notional });
const sell = (symbol: string, notional: number): ProposedOrder => ({ symbol, side: 'sell', notional });

function run(orders: ProposedOrder[], opts: { equity?: number; positions?: Record<string, number>; limits?: Partial<TradeLimits> } = {}) {
  return checkLimits({
    orders,
    equity: opts.equity ?? 100_000,
    positions: Object.entries(opts.positions ?? {}).map(([symbol, marketValue]) => ({ symbol, marketValue })),
    limits: { ...LIMITS, ...opts.limits },
  });
}
const deniedBy = (r: LimitCheck<ProposedOrder>) => r.denied.map((d) => [d.order.symbol, d.order.side, d.limit]);

describe('checkLimits: each rule', () => {
  it('maxOrderNotional applies to every order, risk-reducing sells included', () => {
    const r = run([buy('SPY', 60_000), sell('QQQ', 60_000), buy('TLT', 50_000)], { positions: { QQQ: 80_000 }, limits: { maxPositionWeight: 1, maxDailyTurnover: 5 } });
    expect(deniedBy(r)).toEqual([['QQQ', 'sell', 'maxOrderNotional'], ['SPY', 'buy', 'maxOrderNotional']]);
    expect(r.allowed).toEqual([buy('TLT', 50_000)]);
    expect(r.denied[1].reason).toBe('buy SPY 60000.00: notional 60000.00 exceeds maxOrderNotional 50000.00');
  });

  it('maxPositionWeight is judged on the position after the order, and after earlier orders of the run', () => {
    const r = run([buy('SPY', 15_000), buy('SPY', 10_000), buy('SPY', 1)], { positions: { SPY: 40_000 } });
    // 40k + 15k = 55% > 50%: denied; 40k + 10k = exactly 50%: allowed; then 1 more dollar: denied.
    expect(deniedBy(r)).toEqual([['SPY', 'buy', 'maxPositionWeight'], ['SPY', 'buy', 'maxPositionWeight']]);
    expect(r.allowed).toEqual([buy('SPY', 10_000)]);
    expect(r.denied[0].reason).toMatch(/SPY would weigh 55.00% of equity, over maxPositionWeight 50.00%/);
  });

  it('maxDailyTurnover counts what earlier runs traded and everything allowed in this run', () => {
    const r = run([buy('SPY', 4_000), buy('QQQ', 2_000)], { limits: { alreadyTradedToday: 95_000 } });
    expect(r.allowed).toEqual([buy('SPY', 4_000)]);
    expect(deniedBy(r)).toEqual([['QQQ', 'buy', 'maxDailyTurnover']]);
  });

  it('risk-reducing sells pass turnover, weight and equity limits, and count toward turnover', () => {
    const r = run([buy('TLT', 1_000), sell('SPY', 30_000)], { positions: { SPY: 70_000 }, limits: { alreadyTradedToday: 90_000 } });
    // The sell goes first and is allowed although turnover is nearly spent; it then spends the rest.
    expect(r.allowed).toEqual([sell('SPY', 30_000)]);
    expect(deniedBy(r)).toEqual([['TLT', 'buy', 'maxDailyTurnover']]);
    const broke = run([sell('SPY', 5_000), buy('SPY', 1)], { equity: 0, positions: { SPY: 10_000 } });
    expect(broke.allowed).toEqual([sell('SPY', 5_000)]);
    expect(deniedBy(broke)).toEqual([['SPY', 'buy', 'equity']]);
  });

  it('a buy covering a short is risk-reducing too; a sell past the long position opens a short and is judged in full', () => {
    const cover = run([buy('TLT', 20_000)], { positions: { TLT: -20_000 }, limits: { maxDailyTurnover: 0 } });
    expect(cover.allowed).toHaveLength(1);
    const flip = run([sell('SPY', 20_000)], { positions: { SPY: 10_000 }, limits: { maxDailyTurnover: 0 } });
    expect(deniedBy(flip)).toEqual([['SPY', 'sell', 'maxDailyTurnover']]);
    const bigShort = run([sell('SPY', 50_000)], { equity: 20_000, positions: { SPY: 10_000 }, limits: { maxDailyTurnover: 10 } });
    expect(deniedBy(bigShort)).toEqual([['SPY', 'sell', 'maxPositionWeight']]); // a 40k short on 20k equity
  });

  it('maxOrdersPerRun caps the run; risk-reducing orders get the slots first', () => {
    const r = run([buy('QQQ', 1_000), buy('TLT', 1_000), sell('SPY', 1_000)], { positions: { SPY: 5_000 }, limits: { maxOrdersPerRun: 2 } });
    expect(r.allowed).toEqual([sell('SPY', 1_000), buy('QQQ', 1_000)]);
    expect(deniedBy(r)).toEqual([['TLT', 'buy', 'maxOrdersPerRun']]);
  });

  it('invalid orders and NaN limits are denied, never allowed', () => {
    const r = run([buy('SPY', Number.NaN), buy('SPY', 0), buy('SPY', -1), buy('', 10), buy('SPY', Number.POSITIVE_INFINITY)]);
    expect(r.allowed).toEqual([]);
    expect(r.denied.every((d) => d.limit === 'invalid')).toBe(true);
    expect(run([buy('SPY', 10)], { limits: { maxPositionWeight: Number.NaN } }).allowed).toEqual([]);
    expect(run([buy('SPY', 10)], { limits: { alreadyTradedToday: Number.NaN } }).allowed).toEqual([]);
    expect(run([buy('SPY', 10)], { limits: { maxOrdersPerRun: Number.NaN } }).allowed).toEqual([]);
    expect(run([buy('SPY', 10)], { equity: Number.NaN }).allowed).toEqual([]);
  });

  it('keeps extra fields of the caller order objects (generic)', () => {
    const o = { ...buy('SPY', 10), clientOrderId: 'aegis-x' };
    expect(checkLimits({ orders: [o], equity: 1000, positions: [], limits: LIMITS }).allowed[0].clientOrderId).toBe('aegis-x');
  });
});

// --- properties ---------------------------------------------------------------------------------

const SYMBOLS = ['A', 'B', 'C', 'D'];
/**
 * Uniform in [min, max]. Not fc.double: it samples float bit patterns, so [0, 1] would mostly give
 * values near 1e-300, every weight limit would be ~0, and the properties would test nothing.
 */
const frac = (min: number, max: number) => fc.integer({ min: 0, max: 1_000_000 }).map((i) => min + ((max - min) * i) / 1_000_000);
/** Amounts as fractions of equity, so that every limit binds often; a few malformed notionals. */
const notionalArb = fc.oneof({ weight: 12, arbitrary: frac(0.0001, 0.6) }, { weight: 1, arbitrary: fc.constantFrom(0, -0.05, Number.NaN, Number.POSITIVE_INFINITY, 1e-15) });
const inputArb = fc
  .record({
    equity: fc.oneof({ weight: 8, arbitrary: frac(1, 2_000_000) }, { weight: 1, arbitrary: fc.constantFrom(0, -1000) }),
    orders: fc.array(fc.record({ symbol: fc.constantFrom(...SYMBOLS), side: fc.constantFrom('buy' as const, 'sell' as const), notional: notionalArb }), { maxLength: 25 }),
    positions: fc.array(fc.record({ symbol: fc.constantFrom(...SYMBOLS), marketValue: frac(-0.6, 0.6) }), { maxLength: 6 }),
    limits: fc.record({
      maxOrderNotional: frac(0, 0.5),
      maxPositionWeight: frac(0, 1),
      maxOrdersPerRun: fc.nat({ max: 12 }),
      maxDailyTurnover: frac(0, 2),
      alreadyTradedToday: frac(0, 1.5),
    }),
  })
  .map(({ equity, orders, positions, limits }) => {
    // Scale by equity (or by 100k when equity is not positive, to keep amounts meaningful).
    const k = equity > 0 ? equity : 100_000;
    return {
      equity,
      orders: orders.map((o) => ({ ...o, notional: o.notional * k })),
      positions: positions.map((p) => ({ ...p, marketValue: p.marketValue * k })),
      limits: { ...limits, maxOrderNotional: limits.maxOrderNotional * k, alreadyTradedToday: limits.alreadyTradedToday * k },
    };
  });
const money = (max: number) => frac(0, max);

/** What checkLimits takes. */
type Input = Parameters<typeof checkLimits<ProposedOrder>>[0];

/** `x <= limit` with the documented tolerance (written out again, not borrowed from the code under test). */
const le = (x: number, limit: number) => x <= limit + LIMIT_TOLERANCE * Math.max(1, Math.abs(limit));

/** Replay the allowed orders from the starting state and return every broken limit (independent of checkLimits). */
function violations(input: Input, allowed: ProposedOrder[]): string[] {
  const { equity, limits } = input;
  const out: string[] = [];
  const pos = new Map<string, number>();
  for (const p of input.positions) pos.set(p.symbol, (pos.get(p.symbol) ?? 0) + p.marketValue);
  let traded = Math.max(0, limits.alreadyTradedToday);
  if (allowed.length > limits.maxOrdersPerRun) out.push(`count ${allowed.length} > ${limits.maxOrdersPerRun}`);
  for (const o of allowed) {
    if (!(Number.isFinite(o.notional) && o.notional > 0)) out.push(`invalid notional ${o.notional}`);
    if (!le(o.notional, limits.maxOrderNotional)) out.push(`order notional ${o.notional}`);
    const cur = pos.get(o.symbol) ?? 0;
    const next = cur + (o.side === 'buy' ? o.notional : -o.notional);
    const reducing = cur !== 0 && (o.side === 'sell' ? cur > 0 : cur < 0) && le(o.notional, Math.abs(cur));
    if (!reducing) {
      if (!(equity > 0)) out.push('risk added without positive equity');
      else {
        if (!le(Math.abs(next), limits.maxPositionWeight * equity)) out.push(`weight of ${o.symbol}: ${Math.abs(next) / equity}`);
        if (!le(traded + o.notional, limits.maxDailyTurnover * equity)) out.push(`turnover ${traded + o.notional}`);
      }
    }
    traded += o.notional;
    pos.set(o.symbol, next);
  }
  return out;
}

describe('checkLimits: properties', () => {
  it('no allowed order breaks any limit, and at most maxOrdersPerRun are allowed', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const r = checkLimits(input);
        expect(violations(input, r.allowed)).toEqual([]);
        expect(r.allowed.length).toBeLessThanOrEqual(input.limits.maxOrdersPerRun);
      }),
      { numRuns: 3000 },
    );
  });

  it('every proposed order is either allowed or denied, exactly once', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const r = checkLimits(input);
        const seen = [...r.allowed, ...r.denied.map((d) => d.order)];
        expect(seen).toHaveLength(input.orders.length);
        expect(new Set(seen).size).toBe(input.orders.length);
        for (const o of input.orders) expect(seen).toContain(o);
      }),
    );
  });

  it('denials name a limit that really applies', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const r = checkLimits(input);
        for (const d of r.denied) {
          if (d.limit === 'maxOrderNotional') expect(d.order.notional).toBeGreaterThan(input.limits.maxOrderNotional);
          if (d.limit === 'maxOrdersPerRun') expect(r.allowed.length).toBe(input.limits.maxOrdersPerRun);
          if (d.limit === 'equity') expect(input.equity > 0).toBe(false);
        }
      }),
    );
  });

  it('risk-reducing sells within the order notional limit are always allowed when the count permits', () => {
    const arb = fc
      .record({
        longs: fc.uniqueArray(fc.record({ symbol: fc.constantFrom(...SYMBOLS), value: fc.double({ min: 1, max: 300_000, noNaN: true }) }), { selector: (p) => p.symbol, minLength: 1, maxLength: 4 }),
        fractions: fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        equity: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        maxOrderNotional: money(300_000),
      })
      .map(({ longs, fractions, equity, maxOrderNotional }) => ({
        positions: longs.map((l) => ({ symbol: l.symbol, marketValue: l.value })),
        orders: longs.map((l, i) => sell(l.symbol, l.value * fractions[i])),
        equity,
        maxOrderNotional,
      }));
    fc.assert(
      fc.property(arb, ({ positions, orders, equity, maxOrderNotional }) => {
        // Nothing left of any other budget: weight 0, turnover 0, already over the day's turnover.
        const limits = { maxOrderNotional, maxPositionWeight: 0, maxOrdersPerRun: orders.length, maxDailyTurnover: 0, alreadyTradedToday: 1e9 };
        const r = checkLimits({ orders, equity, positions, limits });
        expect(r.allowed).toEqual(orders.filter((o) => o.notional <= maxOrderNotional));
        expect(r.denied.every((d) => d.limit === 'maxOrderNotional')).toBe(true);
      }),
    );
  });

  it('is deterministic and does not touch its input', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const copy = structuredClone(input);
        const a = checkLimits(input);
        expect(input).toEqual(copy);
        expect(checkLimits(copy)).toEqual(a);
      }),
    );
  });
});
