import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mean as ssMean, sampleKurtosis, sampleSkewness, sampleStandardDeviation } from 'simple-statistics';
import {
  METRIC_CAP,
  PROFIT_FACTOR_CAP,
  annualisedVolatility,
  cagr,
  computeMetrics,
  drawdownSeries,
  equityCurve,
  kurtosis,
  maxDrawdown,
  sharpeRatio,
  skewness,
  type Metrics,
} from '../../src/backtest/metrics.js';
import { Rng } from '../../src/domain/rng.js';

function normalReturns(seed: number, n: number, mu = 0.0004, sigma = 0.01): Float64Array {
  const rng = Rng.seeded(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mu + sigma * rng.normal();
  return out;
}

function expectAllFinite(m: Metrics): void {
  for (const [key, value] of Object.entries(m)) {
    expect(Number.isFinite(value), `${key} = ${value}`).toBe(true);
  }
}

describe('computeMetrics on a hand-worked 5-day series', () => {
  // r = [+10 %, −20 %, +5 %, +10 %, +2 %], 252 periods per year. Derivation (exact fractions):
  //   mean = 0.07 / 5 = 0.014
  //   deviations 0.086, −0.214, 0.036, 0.086, 0.006; Σd² = 0.06192; sample var = 0.06192/4 = 0.01548
  //   sd = √0.01548 = 0.12441864811996633; volatility = sd·√252 = 1.9750848083057092
  //   sharpe = 0.014 / 0.12441864811996633 · √252 = 1.7862524106123985
  //   downside deviation = √((−0.2)²/5) = √0.008 = 0.08944271909999159
  //   sortino = 0.014 / 0.08944271909999159 · √252 = 2.4847535089018388
  //   equity 1 → 1.1 → 0.88 → 0.924 → 1.0164 → 1.036728: totalReturn = 0.036728
  //   cagr = 1.036728^(252/5) − 1 = 5.158959358135355 (an extrapolation of 5 days)
  //   peak 1.1 after day 1, trough 0.88 after day 2: maxDrawdown = 1 − 0.88/1.1 = 0.2, never
  //   recovered, so the spell runs from equity index 1 to the end (index 5): 4 periods
  //   calmar = 5.158959358135355 / 0.2 = 25.794796790676774
  //   Σd³ = −0.00848136 → skew = √5·Σd³ / (Σd²)^1.5 = −1.2308470194561725
  //   Σd⁴ → raw kurtosis = 5·Σd⁴/(Σd²)² = 53497/18576 = 2.879898794142980
  // Trades [+5 %, −2 %, +3 %, −1 %, 0]: gross profit 0.08, gross loss 0.03 → PF 8/3; wins 2 of 5
  // (a 0 trade is not a win); mean 0.05/5 = 0.01. Exposure mean (1+0.5+0+1+0.5)/5 = 0.6;
  // turnover mean (0.2+0+0+0.4+0.1)/5 = 0.14 → ×252 = 35.28.
  const m = computeMetrics({
    returns: [0.1, -0.2, 0.05, 0.1, 0.02],
    tradeReturns: [0.05, -0.02, 0.03, -0.01, 0],
    exposure: Float64Array.from([1, 0.5, 0, 1, 0.5]),
    turnover: Float64Array.from([0.2, 0, 0, 0.4, 0.1]),
  });

  it('matches every hand-derived value', () => {
    expect(m.observations).toBe(5);
    expect(m.totalReturn).toBeCloseTo(0.036728, 14);
    expect(m.volatility).toBeCloseTo(1.9750848083057092, 13);
    expect(m.sharpe).toBeCloseTo(1.7862524106123985, 13);
    expect(m.sortino).toBeCloseTo(2.4847535089018388, 13);
    expect(m.cagr).toBeCloseTo(5.158959358135355, 12);
    expect(m.maxDrawdown).toBeCloseTo(0.2, 15);
    expect(m.maxDrawdownDays).toBe(4);
    expect(m.calmar).toBeCloseTo(25.794796790676774, 11);
    expect(m.skewness).toBeCloseTo(-1.2308470194561725, 13);
    expect(m.kurtosis).toBeCloseTo(53497 / 18576, 13);
    expect(m.profitFactor).toBeCloseTo(8 / 3, 14);
    expect(m.winRate).toBe(0.4);
    expect(m.avgTrade).toBeCloseTo(0.01, 15);
    expect(m.trades).toBe(5);
    expect(m.exposure).toBeCloseTo(0.6, 15);
    expect(m.turnover).toBeCloseTo(35.28, 12);
  });

  it('agrees with the building blocks', () => {
    const r = [0.1, -0.2, 0.05, 0.1, 0.02];
    expect(sharpeRatio(r)).toBeCloseTo(m.sharpe, 14);
    expect(annualisedVolatility(r)).toBeCloseTo(m.volatility, 14);
    expect(cagr(r)).toBeCloseTo(m.cagr, 12);
    expect(skewness(r)).toBeCloseTo(m.skewness, 14);
    expect(kurtosis(r)).toBeCloseTo(m.kurtosis, 14);
    expect(maxDrawdown(equityCurve(r)).depth).toBeCloseTo(m.maxDrawdown, 15);
    expect(maxDrawdown(equityCurve(r)).longestDurationPeriods).toBe(m.maxDrawdownDays);
  });

  it('uses periodsPerYear for every annualised value', () => {
    const weekly = computeMetrics({ returns: [0.1, -0.2, 0.05, 0.1, 0.02], periodsPerYear: 52 });
    expect(weekly.sharpe).toBeCloseTo((0.014 / 0.12441864811996633) * Math.sqrt(52), 13);
    expect(weekly.volatility).toBeCloseTo(0.12441864811996633 * Math.sqrt(52), 13);
    expect(weekly.cagr).toBeCloseTo(1.036728 ** (52 / 5) - 1, 12);
    expect(sharpeRatio([0.1, -0.2, 0.05, 0.1, 0.02], 1)).toBeCloseTo(0.014 / 0.12441864811996633, 14);
  });
});

describe('drawdowns', () => {
  // r = [−10 %, +20 %, −5 %, −5 %, +50 %]: equity 1, 0.9, 1.08, 1.026, 0.9747, 1.46205.
  // Spell 1: peak 1 (index 0), trough 0.9 (index 1), recovered at index 2 → depth 0.1, 2 periods.
  // Spell 2: peak 1.08 (index 2), trough 0.9747 (index 4, depth 1 − 0.9747/1.08 = 0.0975),
  // recovered at index 5 → 3 periods. The deepest spell is not the longest one.
  const r = [-0.1, 0.2, -0.05, -0.05, 0.5];

  it('reports the deepest drawdown with its indices and the longest spell separately', () => {
    const eq = equityCurve(r);
    expect(Array.from(eq)).toEqual([1, 0.9, 0.9 * 1.2, 0.9 * 1.2 * 0.95, 0.9 * 1.2 * 0.95 * 0.95, 0.9 * 1.2 * 0.95 * 0.95 * 1.5]);
    const dd = maxDrawdown(eq);
    expect(dd.depth).toBeCloseTo(0.1, 15);
    expect(dd.peakIndex).toBe(0);
    expect(dd.troughIndex).toBe(1);
    expect(dd.recoveryIndex).toBe(2);
    expect(dd.longestDurationPeriods).toBe(3);
    const m = computeMetrics({ returns: r });
    expect(m.maxDrawdown).toBeCloseTo(0.1, 15);
    expect(m.maxDrawdownDays).toBe(3);
  });

  it('drawdownSeries is 1 − equity / running peak', () => {
    const dd = drawdownSeries(equityCurve(r));
    const expected = [0, 0.1, 0, 1 - 0.95, 1 - 0.95 * 0.95, 0];
    expected.forEach((v, i) => expect(dd[i]).toBeCloseTo(v, 15));
  });

  it('an unrecovered drawdown lasts until the end and has recoveryIndex −1', () => {
    const dd = maxDrawdown([100, 120, 90, 100, 110]);
    expect(dd).toEqual({ depth: 0.25, peakIndex: 1, troughIndex: 2, recoveryIndex: -1, longestDurationPeriods: 3 });
  });

  it('a flat day at the high is not a drawdown; a monotone curve has none', () => {
    expect(maxDrawdown([1, 1, 1, 2, 2])).toEqual({ depth: 0, peakIndex: -1, troughIndex: -1, recoveryIndex: -1, longestDurationPeriods: 0 });
    const m = computeMetrics({ returns: [0.01, 0, 0.02] });
    expect(m.maxDrawdown).toBe(0);
    expect(m.maxDrawdownDays).toBe(0);
    expect(m.calmar).toBe(0);
  });

  it('maxDrawdown over a sub-range reports absolute indices', () => {
    const dd = maxDrawdown([5, 1, 100, 120, 90, 100, 110, 1], 2, 7);
    expect(dd).toEqual({ depth: 0.25, peakIndex: 3, troughIndex: 4, recoveryIndex: -1, longestDurationPeriods: 3 });
  });
});

describe('edge cases give documented finite values', () => {
  it('no observations: zeros, kurtosis 3', () => {
    const m = computeMetrics({ returns: [] });
    expect(m).toEqual({
      totalReturn: 0, cagr: 0, volatility: 0, sharpe: 0, sortino: 0, calmar: 0, maxDrawdown: 0, maxDrawdownDays: 0,
      profitFactor: 0, winRate: 0, avgTrade: 0, trades: 0, turnover: 0, exposure: 0, skewness: 0, kurtosis: 3, observations: 0,
    });
  });

  it('one observation: return and CAGR, but no dispersion-based ratio', () => {
    const m = computeMetrics({ returns: [0.05] });
    expect(m.totalReturn).toBeCloseTo(0.05, 15);
    expect(m.cagr).toBeCloseTo(1.05 ** 252 - 1, 4);
    expect([m.sharpe, m.sortino, m.volatility, m.skewness]).toEqual([0, 0, 0, 0]);
    expect(m.kurtosis).toBe(3);
    const loss = computeMetrics({ returns: [-0.05] });
    expect(loss.maxDrawdown).toBeCloseTo(0.05, 15);
    expect(loss.maxDrawdownDays).toBe(1);
    expect(loss.sortino).toBe(0);
  });

  it('zero variance: sharpe 0, sortino 0 (no downside), skewness 0, kurtosis 3', () => {
    const m = computeMetrics({ returns: new Float64Array(100).fill(0.001) });
    expect(m.volatility).toBe(0);
    expect([m.sharpe, m.sortino, m.skewness, m.kurtosis]).toEqual([0, 0, 0, 3]);
    expect(m.totalReturn).toBeCloseTo(1.001 ** 100 - 1, 13);
    expect(m.cagr).toBeCloseTo(1.001 ** 252 - 1, 12);
  });

  it('rounding noise on a constant series does not masquerade as a huge Sharpe', () => {
    // Returns recomputed from a geometric price path carry ~1e-16 noise around 0.001.
    const prices = Array.from({ length: 301 }, (_, i) => 100 * 1.001 ** i);
    const r = prices.slice(1).map((p, i) => p / prices[i] - 1);
    expect(new Set(r).size).toBeGreaterThan(1); // the noise is really there
    expect(computeMetrics({ returns: r }).sharpe).toBe(0);
    expect(sharpeRatio(r)).toBe(0);
  });

  it('total loss: equity is absorbed at 0 (−100 %), even for a return below −1', () => {
    const m = computeMetrics({ returns: [0.1, -1, 0.5] });
    expect(m.totalReturn).toBe(-1);
    expect(m.cagr).toBe(-1);
    expect(m.maxDrawdown).toBe(1);
    expect(m.maxDrawdownDays).toBe(2); // peak after day 1, never recovered, 2 more periods
    expect(m.calmar).toBe(-1);
    const worse = computeMetrics({ returns: [-1.5, 0.2] });
    expect([worse.totalReturn, worse.cagr, worse.maxDrawdown]).toEqual([-1, -1, 1]);
    expect(cagr([0.2, -1.2])).toBe(-1);
  });

  it('trades: no losers caps the profit factor, no profit gives 0, no trades gives zeros', () => {
    expect(computeMetrics({ returns: [], tradeReturns: [0.01, 0.02] }).profitFactor).toBe(PROFIT_FACTOR_CAP);
    expect(computeMetrics({ returns: [], tradeReturns: [1.0, -0.001] }).profitFactor).toBe(PROFIT_FACTOR_CAP);
    expect(computeMetrics({ returns: [], tradeReturns: [-0.01, -0.02] }).profitFactor).toBe(0);
    const flat = computeMetrics({ returns: [], tradeReturns: [0, 0] });
    expect([flat.profitFactor, flat.winRate, flat.avgTrade, flat.trades]).toEqual([0, 0, 0, 2]);
    const none = computeMetrics({ returns: [0.01], tradeReturns: [] });
    expect([none.profitFactor, none.winRate, none.avgTrade, none.trades]).toEqual([0, 0, 0, 0]);
  });

  it('absurd magnitudes are clamped, never Infinity or NaN', () => {
    const m = computeMetrics({ returns: [1e200, 1e200, -0.5] });
    expectAllFinite(m);
    expect(m.totalReturn).toBe(METRIC_CAP);
    expect(m.cagr).toBe(METRIC_CAP);
  });

  it('every metric is finite for any finite input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 40 }),
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 10 }),
        (returns, tradeReturns) => expectAllFinite(computeMetrics({ returns, tradeReturns })),
      ),
      // Found by CI: trade returns whose gross profit and loss both overflow gave a NaN profit factor.
      { examples: [[[], [-6.985441083371519e292, -1.7976931348623151e308, 2.4948003869183998e293, 1.7976931348623133e308]]] },
    );
  });

  it('rejects non-finite inputs and bad ranges with a RangeError', () => {
    expect(() => computeMetrics({ returns: [0.01, NaN] })).toThrow(/returns\[1\]/);
    expect(() => computeMetrics({ returns: [0.01], tradeReturns: [Infinity] })).toThrow(RangeError);
    expect(() => computeMetrics({ returns: [0.01, 0.02], exposure: [1] })).toThrow(RangeError);
    expect(() => computeMetrics({ returns: [0.01], start: 1, end: 0 })).toThrow(RangeError);
    expect(() => computeMetrics({ returns: [0.01], end: 2 })).toThrow(RangeError);
    expect(() => computeMetrics({ returns: [0.01], periodsPerYear: 0 })).toThrow(RangeError);
    expect(() => sharpeRatio([0.01, 0.02], 252, 0.5)).toThrow(RangeError);
  });
});

describe('sub-ranges and cross-checks', () => {
  it('a [start, end) range equals the metrics of the copied slice', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.nat(),
        fc.nat(),
        (values, a, b) => {
          const r = Float64Array.from(values);
          const exposure = r.map((x) => Math.abs(x) * 3);
          const start = a % (r.length + 1);
          const end = start + (b % (r.length - start + 1));
          const ranged = computeMetrics({ returns: r, exposure, turnover: exposure, start, end });
          const copied = computeMetrics({ returns: r.slice(start, end), exposure: exposure.slice(start, end), turnover: exposure.slice(start, end) });
          expect(ranged).toEqual(copied);
          expect(sharpeRatio(r, 252, start, end)).toBe(sharpeRatio(r.slice(start, end)));
        },
      ),
    );
  });

  it('the one-pass drawdown agrees with maxDrawdown(equityCurve(·)) on arbitrary series', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -0.5, max: 0.5, noNaN: true }), { maxLength: 80 }), (values) => {
        const m = computeMetrics({ returns: values });
        const dd = maxDrawdown(equityCurve(values));
        expect(m.maxDrawdown).toBe(dd.depth);
        expect(m.maxDrawdownDays).toBe(dd.longestDurationPeriods);
      }),
    );
  });

  it('moments agree with simple-statistics on 6,000 simulated daily returns', () => {
    const r = normalReturns(7, 6000);
    const values = Array.from(r);
    const n = values.length;
    const m = computeMetrics({ returns: r });
    const sd = sampleStandardDeviation(values);
    expect(m.sharpe).toBeCloseTo((ssMean(values) / sd) * Math.sqrt(252), 10);
    expect(m.volatility).toBeCloseTo(sd * Math.sqrt(252), 12);
    expect(m.skewness).toBeCloseTo(sampleSkewness(values, true), 10);
    // simple-statistics returns the bias-corrected EXCESS kurtosis G2; invert
    // G2 = (n−1)/((n−2)(n−3))·((n+1)·b2 − 3(n−1)) to get the raw b2 we report.
    const g2 = sampleKurtosis(values);
    const b2 = ((g2 * (n - 2) * (n - 3)) / (n - 1) + 3 * (n - 1)) / (n + 1);
    expect(m.kurtosis).toBeCloseTo(b2, 10);
    // A normal sample: skew near 0, raw kurtosis near 3 (standard errors √(6/n) ≈ 0.03, √(24/n) ≈ 0.06).
    expect(Math.abs(m.skewness)).toBeLessThan(0.1);
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(0.2);
  });

  it('skewness and raw kurtosis of a Bernoulli(1/4) sample are the textbook values', () => {
    // [0, 0, 0, 1]: skew = (1 − 2p)/√(p(1−p)) = 2/√3; raw kurtosis = (1 − 6p(1−p))/(p(1−p)) + 3 = 7/3.
    expect(skewness([0, 0, 0, 1])).toBeCloseTo(2 / Math.sqrt(3), 14);
    expect(kurtosis([0, 0, 0, 1])).toBeCloseTo(7 / 3, 14);
    expect(kurtosis([1, 2, 3, 4, 5])).toBeCloseTo(1.7, 14); // m4/m2² = 6.8/2²
  });
});
