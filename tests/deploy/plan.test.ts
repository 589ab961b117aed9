import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planOrders } from '../../src/deploy/plan.js';
import { checkLimits, isReducing, LIMIT_TOLERANCE } from '../../src/broker/limits.js';
import type { BrokerPosition } from '../../src/broker/types.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];

describe('planOrders', () => {
  it('moves positions to their targets with the simulator\'s rule: exits by quantity, sells first, band and minimum respected', () => {
    const positions: BrokerPosition[] = [
      { symbol: 'AAA', qty: 10, marketValue: 1000, avgEntryPrice: 90 }, // target 0: exit all 10
      { symbol: 'BBB', qty: 20, marketValue: 2100, avgEntryPrice: 100 }, // 21% vs 20%: inside a 20% band
      { symbol: 'CCC', qty: 5, marketValue: 500, avgEntryPrice: 100 }, // 5% vs 30%: buy 2500
    ];
    const orders = planOrders({ targets: new Map([['AAA', 0], ['BBB', 0.2], ['CCC', 0.3], ['DDD', 0.1], ['EEE', 0.00001]]), positions, equity: 10_000, band: 0.2, minNotional: 1 });
    expect(orders).toEqual([
      { symbol: 'AAA', side: 'sell', notional: 1000, qty: 10, kind: 'exit' },
      { symbol: 'CCC', side: 'buy', notional: 2500, qty: null, kind: 'rebalance' },
      { symbol: 'DDD', side: 'buy', notional: 1000, qty: null, kind: 'enter' },
    ]);
  });
});

/** Any targets (gross up to 150%), any positions and equity, any limits. */
const scenario = fc.record({
  targets: fc.array(fc.double({ min: -0.5, max: 0.6, noNaN: true }), { minLength: 5, maxLength: 5 }),
  held: fc.array(fc.double({ min: -3000, max: 6000, noNaN: true }), { minLength: 5, maxLength: 5 }),
  equity: fc.double({ min: 1000, max: 1e6, noNaN: true }),
  maxOrderNotional: fc.double({ min: 100, max: 50_000, noNaN: true }),
  maxPositionWeight: fc.double({ min: 0.05, max: 1, noNaN: true }),
  maxOrdersPerRun: fc.integer({ min: 0, max: 6 }),
  maxDailyTurnover: fc.double({ min: 0, max: 2, noNaN: true }),
  alreadyTradedToday: fc.double({ min: 0, max: 20_000, noNaN: true }),
});

describe('limits (property)', () => {
  it('for any targets, no order allowed to be sent breaks a limit', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const positions = SYMBOLS.map((symbol, i) => ({ symbol, qty: s.held[i] / 50, marketValue: s.held[i], avgEntryPrice: 50 })).filter((p) => p.qty !== 0);
        const orders = planOrders({ targets: new Map(SYMBOLS.map((x, i) => [x, s.targets[i]])), positions, equity: s.equity, band: 0.1, minNotional: 1 });
        const limits = { maxOrderNotional: s.maxOrderNotional, maxPositionWeight: s.maxPositionWeight, maxOrdersPerRun: s.maxOrdersPerRun, maxDailyTurnover: s.maxDailyTurnover, alreadyTradedToday: s.alreadyTradedToday };
        const { allowed, denied } = checkLimits({ orders, equity: s.equity, positions: positions.map((p) => ({ symbol: p.symbol, marketValue: p.marketValue })), limits });
        expect(allowed.length + denied.length).toBe(orders.length);
        expect(allowed.length).toBeLessThanOrEqual(s.maxOrdersPerRun);
        const tol = 1 + LIMIT_TOLERANCE;
        const value = new Map(positions.map((p) => [p.symbol, p.marketValue]));
        let traded = 0;
        for (const o of allowed) {
          expect(o.notional).toBeLessThanOrEqual(s.maxOrderNotional * tol);
          const before = value.get(o.symbol) ?? 0;
          const after = before + (o.side === 'buy' ? o.notional : -o.notional);
          const reducing = isReducing(o, before);
          traded += o.notional;
          if (!reducing) {
            expect(Math.abs(after)).toBeLessThanOrEqual(s.maxPositionWeight * s.equity * tol);
            expect(s.alreadyTradedToday + traded).toBeLessThanOrEqual(s.maxDailyTurnover * s.equity * tol + 1e-6);
          }
          value.set(o.symbol, after);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
