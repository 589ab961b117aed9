import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { packPositions, simulate, type Execution } from '../../src/backtest/simulator.js';
import { simulateReference } from './referenceSimulator.js';
import { Rng } from '../../src/domain/rng.js';
import type { Panel } from '../../src/domain/types.js';

const FREE: Execution = { slippageBps: 0, commissionBps: 0, minCommission: 0, rebalanceBand: 0, minOrderNotional: 0 };

/** A panel from per-asset open/close lists (high/low bracket them; volume 1). */
function panelOf(assets: { open: number[]; close: number[] }[]): Panel {
  const N = assets.length;
  const T = assets[0].open.length;
  const f = () => new Float64Array(N * T);
  const p = { open: f(), high: f(), low: f(), close: f(), volume: f() };
  assets.forEach((a, i) => {
    for (let t = 0; t < T; t++) {
      p.open[i * T + t] = a.open[t];
      p.close[i * T + t] = a.close[t];
      p.high[i * T + t] = Math.max(a.open[t], a.close[t]);
      p.low[i * T + t] = Math.min(a.open[t], a.close[t]);
      p.volume[i * T + t] = 1;
    }
  });
  const dates = Array.from({ length: T }, (_, t) => `2020-01-${String(t + 1).padStart(2, '0')}`);
  return { symbols: assets.map((_, i) => `A${i}`), dates, N, T, ...p };
}

const targetsOf = (rows: number[][]) => Float64Array.from(rows.flat());

describe('simulate: hand-computed cases', () => {
  const panel = panelOf([{ open: [10, 11, 12, 13, 14], close: [10.5, 11.5, 12.5, 13.5, 14.5] }]);

  it('one trade without costs: decided at the close, filled at the next open', () => {
    // Long decided at day 0's close, flat decided at day 2's close.
    const r = simulate({ panel, targets: targetsOf([[1, 1, 0, 0, 0]]), start: 0, end: 5, execution: FREE, initialCapital: 1000, detailed: true });
    const shares = 1000 / 11;
    expect(r.equity[0]).toBe(1000);
    expect(r.equity[1]).toBeCloseTo(shares * 11.5, 9);
    expect(r.equity[2]).toBeCloseTo(shares * 12.5, 9);
    expect(r.equity[3]).toBeCloseTo(shares * 13, 9); // sold at day 3's open
    expect(r.equity[4]).toBeCloseTo(shares * 13, 9);
    expect(r.tradeReturns).toHaveLength(1);
    expect(r.tradeReturns[0]).toBeCloseTo(13 / 11 - 1, 12);
    expect(r.trades![0]).toMatchObject({ side: 'long', entryDate: '2020-01-02', exitDate: '2020-01-04', entryPrice: 11, exitPrice: 13, bars: 2 });
    expect(Array.from(r.exposure)).toEqual([0, 1, 1, 0, 0]);
    expect(r.turnover[1]).toBeCloseTo(1, 12);
    expect(r.turnover[3]).toBeCloseTo((shares * 13) / (shares * 12.5), 12);
  });

  it('slippage and commission: paid on both sides, buys scaled to the cash', () => {
    const ex = { ...FREE, slippageBps: 10, commissionBps: 10 };
    const r = simulate({ panel, targets: targetsOf([[1, 1, 0, 0, 0]]), start: 0, end: 5, execution: ex, initialCapital: 1000 });
    // Buy at 11 * 1.001 plus 0.1% fee on the notional: shares = 1000 / (11 * 1.002).
    const shares = 1000 / (11 * 1.002);
    const proceeds = shares * 13 * 0.999 - shares * 13 * 0.001;
    expect(r.equity[4]).toBeCloseTo(proceeds, 9);
    expect(r.tradeReturns[0]).toBeCloseTo((13 * 0.998) / (11 * 1.002) - 1, 12);
    expect(r.costs).toBeCloseTo(1000 - shares * 11 + (shares * 13 - proceeds), 9);
  });

  it('a minimum commission per order', () => {
    const ex = { ...FREE, minCommission: 5 };
    const r = simulate({ panel, targets: targetsOf([[1, 1, 0, 0, 0]]), start: 0, end: 5, execution: ex, initialCapital: 1000 });
    const shares = 995 / 11;
    expect(r.equity[4]).toBeCloseTo(shares * 13 - 5, 6);
  });

  it('an order too small to open waits, and is decided again at the next close', () => {
    // Asset 1's target is constant: 0.0000999 x 10,000 = 0.999 is under the minimum notional at
    // day 0's close; asset 0's rise lifts the equity to ~10,770 by day 1's close, where the order
    // is 1.08 and goes out (filled at day 2's open). It used to be dropped for good: the close that
    // put it back on the waiting list also emptied that list.
    const two = panelOf([
      { open: [10, 10, 11, 12, 13], close: [10, 10.8, 11.5, 12.5, 13.5] },
      { open: [20, 20, 20, 20, 20], close: [20, 20, 20, 20, 20] },
    ]);
    const targets = targetsOf([
      [0.9, 0.9, 0.9, 0.9, 0.9],
      [0.0000999, 0.0000999, 0.0000999, 0.0000999, 0.0000999],
    ]);
    const ex = { ...FREE, minOrderNotional: 1 };
    const input = { panel: two, targets, start: 0, end: 5, execution: ex, initialCapital: 10_000, detailed: true };
    const r = simulate(input);
    expect(r.weights![5 + 1]).toBe(0); // asset 1, day 1: still waiting
    expect(r.weights![5 + 2]).toBeGreaterThan(0.00009); // day 2: bought
    const ref = simulateReference(input);
    for (let i = 0; i < 5; i++) expect(r.equity[i]).toBeCloseTo(ref.equity[i], 9);
  });

  it('buy and hold equals the price ratio minus costs', () => {
    const ex = { ...FREE, slippageBps: 5, commissionBps: 1 };
    const r = simulate({ panel, targets: targetsOf([[1, 1, 1, 1, 1]]), start: 0, end: 5, execution: { ...ex, rebalanceBand: 0.2 }, initialCapital: 1000 });
    expect(r.equity[4] / 1000).toBeCloseTo(14.5 / 11 / (1 + 0.0005 + 0.0001), 12);
  });

  it('no position is cash: zero returns, zero exposure, no trades', () => {
    const r = simulate({ panel, targets: new Float64Array(5), start: 0, end: 5, execution: { ...FREE, slippageBps: 5 }, initialCapital: 1000 });
    expect(Array.from(r.returns)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(r.equity)).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(r.tradeReturns).toHaveLength(0);
  });

  it('a gap day: no bar, no trade; the position keeps its last close', () => {
    const gap = panelOf([{ open: [10, 11, NaN, 13, 14], close: [10.5, 11.5, NaN, 13.5, 14.5] }]);
    // The exit decided on day 1 cannot execute on day 2 (no bar); it executes on day 3.
    const r = simulate({ panel: gap, targets: targetsOf([[1, 0, 0, 0, 0]]), start: 0, end: 5, execution: FREE, initialCapital: 1000 });
    const shares = 1000 / 11;
    expect(r.equity[2]).toBeCloseTo(shares * 11.5, 9);
    expect(r.returns[2]).toBeCloseTo(0, 12);
    expect(r.equity[3]).toBeCloseTo(shares * 13, 9);
    expect(r.tradeReturns[0]).toBeCloseTo(13 / 11 - 1, 12);
  });

  it('a short: sold at the open, covered later; profit when the price falls', () => {
    const down = panelOf([{ open: [20, 20, 18, 16, 16], close: [20, 19, 17, 16, 16] }]);
    const r = simulate({ panel: down, targets: targetsOf([[-1, -1, 0, 0, 0]]), start: 0, end: 5, execution: { ...FREE, rebalanceBand: 0.5 }, initialCapital: 1000, detailed: true });
    // Short 50 shares at 20, cover at 16 on day 3: +200.
    expect(r.equity[4]).toBeCloseTo(1200, 9);
    expect(r.tradeReturns[0]).toBeCloseTo((1000 - 800) / 1000, 12);
    expect(r.trades![0].side).toBe('short');
  });

  it('flipping from long to short in one order closes one round trip and opens another', () => {
    const p = panelOf([{ open: [10, 10, 12, 9, 9], close: [10, 11, 12, 9, 9] }]);
    const r = simulate({ panel: p, targets: targetsOf([[1, -1, 0, 0, 0]]), start: 0, end: 5, execution: FREE, initialCapital: 1000, detailed: true });
    // Long 100 at 10. The flip is sized at day 1's close (equity 1100): sell 2200 of notional at
    // 12 = 183.33 shares: the long (+200) closes, 83.33 go short at 12 and are covered at 9 (+250).
    expect(r.equity[4]).toBeCloseTo(1450, 9);
    expect(Array.from(r.tradeReturns).map((x) => +x.toFixed(12))).toEqual([0.2, 0.25]);
    expect(r.trades!.map((t) => t.side)).toEqual(['long', 'short']);
  });

  it('the first decision executed is the one of the day before the window', () => {
    const r = simulate({ panel, targets: targetsOf([[1, 1, 1, 1, 1]]), start: 2, end: 5, execution: FREE, initialCapital: 1000 });
    // Flat before day 2, buys at day 2's open.
    expect(r.equity[0]).toBeCloseTo((1000 / 12) * 12.5, 9);
    expect(r.dates).toEqual(['2020-01-03', '2020-01-04', '2020-01-05']);
  });

  it('a rebalance band avoids trading drift; band 0 rebalances daily', () => {
    const two = panelOf([
      { open: [10, 10, 11, 12, 13], close: [10, 10.5, 11.5, 12.5, 13.5] },
      { open: [10, 10, 10, 10, 10], close: [10, 10, 10, 10, 10] },
    ]);
    const tg = targetsOf([[0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5]]);
    const banded = simulate({ panel: two, targets: tg, start: 0, end: 5, execution: { ...FREE, rebalanceBand: 0.5 }, initialCapital: 1000 });
    const daily = simulate({ panel: two, targets: tg, start: 0, end: 5, execution: FREE, initialCapital: 1000 });
    expect(banded.turnover.slice(2).every((x) => x === 0)).toBe(true);
    expect(daily.turnover.slice(2).every((x) => x > 0)).toBe(true);
  });
});

describe('simulate: invariants', () => {
  it('gross exposure never exceeds 1 and cash never goes negative, for any targets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 12, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.double({ min: 0.8, max: 1.25, noNaN: true }), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 30 }),
        (targetRows, moves, slip) => {
          const assets = targetRows.map((_, k) => {
            const open: number[] = [];
            const close: number[] = [];
            let p = 10 + k;
            for (const m of moves) {
              open.push(p);
              p *= k % 2 ? 1 / m : m;
              close.push(p);
            }
            return { open, close };
          });
          const panel = panelOf(assets);
          // Long-only variant: negative targets clipped, so no short can lever the book.
          const longOnly = targetsOf(targetRows.map((r) => r.map((w) => Math.max(0, w))));
          const r = simulate({ panel, targets: longOnly, start: 0, end: 12, execution: { ...FREE, slippageBps: slip, commissionBps: 1 }, initialCapital: 1000, detailed: true });
          for (let i = 0; i < 12; i++) {
            expect(r.exposure[i]).toBeLessThanOrEqual(1 + 1e-9);
            let w = 0;
            for (let a = 0; a < panel.N; a++) w += Math.abs(r.weights![a * 12 + i]);
            expect(w).toBeLessThanOrEqual(1 + 1e-9);
            expect(r.equity[i]).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

// A few assets mostly, and now and then more than 32: the simulator keeps a day's changed assets
// in 32-bit masks, one word per 32 assets.
const ASSET_COUNTS = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 5 }), weight: 4 }, { arbitrary: fc.integer({ min: 31, max: 70 }), weight: 1 });

describe('simulate: the fast simulator agrees with the dense reference', () => {
  it('for any panel with holes, targets (long/short, levered, NaN) and costs', () => {
    fc.assert(
      fc.property(
        ASSET_COUNTS,
        fc.integer({ min: 2, max: 60 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.record({ slippageBps: fc.integer({ min: 0, max: 30 }), commissionBps: fc.integer({ min: 0, max: 10 }), minCommission: fc.constantFrom(0, 0, 1), rebalanceBand: fc.constantFrom(0, 0.1, 0.25, 1), minOrderNotional: fc.constantFrom(0, 1, 50) }),
        fc.boolean(),
        (n, days, seed, execution, useStart) => {
          const rng = Rng.seeded(seed);
          const assets = Array.from({ length: n }, () => {
            const open: number[] = [];
            const close: number[] = [];
            let p = 20 + rng.float() * 80;
            for (let t = 0; t < days; t++) {
              const hole = rng.chance(0.08);
              open.push(hole ? NaN : p * (1 + rng.normal() * 0.005));
              p *= 1 + rng.normal() * 0.02;
              close.push(hole ? NaN : p);
            }
            return { open, close };
          });
          const panel = panelOf(assets);
          const targets = new Float64Array(n * days);
          for (let a = 0; a < n; a++) {
            let w = 0;
            for (let t = 0; t < days; t++) {
              if (rng.chance(0.2)) w = rng.pick([0, 0, 1 / n, -1 / n, 0.7, -0.3, NaN, 1.5 / n]);
              targets[a * days + t] = w;
            }
          }
          const start = useStart ? rng.int(0, days - 1) : 0;
          const input = { panel, targets, start, end: days, execution, initialCapital: 10_000, detailed: true };
          const fast = simulate(input);
          const ref = simulateReference(input);
          const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
          for (let i = 0; i < fast.equity.length; i++) {
            expect(close(fast.equity[i], ref.equity[i]), `equity day ${i}: ${fast.equity[i]} vs ${ref.equity[i]}`).toBe(true);
            expect(close(fast.turnover[i], ref.turnover[i])).toBe(true);
          }
          expect(fast.tradeReturns.length).toBe(ref.tradeReturns.length);
          const key = (r: typeof fast) => r.trades!.map((t) => `${t.symbol}|${t.entryDate}|${t.exitDate}|${t.side}|${t.return.toFixed(9)}`).sort();
          expect(key(fast)).toEqual(key(ref));
        },
      ),
      { numRuns: Number(process.env.SIM_RUNS ?? 400) },
    );
  });

  it('the positions fast path agrees with the reference too (random runs of -1/0/1, weights summing to at most 1)', () => {
    fc.assert(
      fc.property(ASSET_COUNTS, fc.integer({ min: 8, max: 70 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, days, seed) => {
        const rng = Rng.seeded(seed);
        const assets = Array.from({ length: n }, () => {
          const open: number[] = [];
          const close: number[] = [];
          let p = 30;
          for (let t = 0; t < days; t++) {
            const hole = rng.chance(0.05);
            open.push(hole ? NaN : p);
            p *= 1 + rng.normal() * 0.02;
            close.push(hole ? NaN : p);
          }
          return { open, close };
        });
        const panel = panelOf(assets);
        const raw = Array.from({ length: n }, () => rng.float());
        const sum = raw.reduce((a, b) => a + b, 0) * (1 + rng.float());
        const weights = Float64Array.from(raw, (x) => x / sum);
        const values = new Int8Array(n * days);
        for (let a = 0; a < n; a++) {
          let v = 0;
          for (let t = 0; t < days; t++) {
            if (rng.chance(0.15)) v = rng.pick([-1, 0, 1]);
            values[a * days + t] = v;
          }
        }
        const targets = Float64Array.from(values, (v, i) => v * weights[Math.floor(i / days)]);
        const execution = { slippageBps: 5, commissionBps: 1, minCommission: 0, rebalanceBand: 0.2, minOrderNotional: 1 };
        // Any window: the positions are scanned from day start-1, at any alignment to their words.
        const start = rng.chance(0.5) ? 0 : rng.int(0, days - 1);
        // As planes; a rule with no short may give no short plane at all.
        const planes = packPositions(values);
        const short = values.includes(-1) || rng.chance(0.5) ? planes.short : null;
        const fast = simulate({ panel, positions: { long: planes.long, short, weights }, start, end: days, execution, initialCapital: 10_000, detailed: true });
        const ref = simulateReference({ panel, targets, start, end: days, execution, initialCapital: 10_000, detailed: true });
        for (let i = 0; i < days - start; i++) expect(Math.abs(fast.equity[i] - ref.equity[i])).toBeLessThanOrEqual(1e-9 * ref.equity[i]);
        expect(fast.tradeReturns.length).toBe(ref.tradeReturns.length);
      }),
      { numRuns: Number(process.env.SIM_RUNS ?? 300) },
    );
  });

  it('positions x weights give the same result as the equivalent targets (also when the weights sum to more than 1)', () => {
    const rng = Rng.seeded(5);
    const assets = Array.from({ length: 3 }, () => ({ open: [] as number[], close: [] as number[] }));
    for (const a of assets) {
      let p = 50;
      for (let t = 0; t < 80; t++) {
        a.open.push(p);
        p *= 1 + rng.normal() * 0.02;
        a.close.push(p);
      }
    }
    const panel = panelOf(assets);
    const values = Int8Array.from({ length: 240 }, () => rng.pick([-1, 0, 1]));
    const ex = { ...FREE, slippageBps: 5, commissionBps: 1, rebalanceBand: 0.2 };
    for (const weights of [Float64Array.from([0.5, 0.3, 0.2]), Float64Array.from([0.9, 0.6, 0.4])]) {
      const targets = Float64Array.from(values, (v, i) => v * weights[Math.floor(i / 80)]);
      const a = simulate({ panel, positions: { ...packPositions(values), weights }, start: 0, end: 80, execution: ex, initialCapital: 1000 });
      const b = simulate({ panel, targets, start: 0, end: 80, execution: ex, initialCapital: 1000 });
      expect(Array.from(a.equity)).toEqual(Array.from(b.equity));
    }
  });
});
